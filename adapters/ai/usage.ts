import { providerUsage, UNFOLD_TOOL_NAME, type ProviderUsage, type SavingsTally } from '../../core/index.ts';
import type { Prompt, StreamPart } from './sdk-types.ts';

/*
 * What the middleware reads back from each call for the ledger and the savings events: the
 * provider's usage (cache reads and writes) and the unfold answers the model got.
 */

/**
 * The AI SDK's usage as `ProviderUsage`. Two shapes: the language-model spec of AI SDK 6 and 7
 * (`inputTokens: { total, noCache, cacheRead, cacheWrite }`), which the middleware sees, and the
 * flat one of results and of Mastra (`inputTokens: number` with `inputTokenDetails`, or
 * `cachedInputTokens` / `cacheCreationInputTokens`). `undefined` without an input count.
 *
 * @example
 * aiSdkUsage({ inputTokens: { total: 1200, noCache: 200, cacheRead: 1000, cacheWrite: 0 } });
 * // { inputTokens: 1200, cacheReadTokens: 1000, cacheWriteTokens: 0 }
 */
export function aiSdkUsage(usage: unknown): ProviderUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const fields = usage as Record<string, any>;
  const input = fields.inputTokens;
  if (typeof input === 'object' && input !== null) return providerUsage(input.total, input.cacheRead, input.cacheWrite);
  const details = typeof fields.inputTokenDetails === 'object' && fields.inputTokenDetails !== null ? fields.inputTokenDetails : {};
  return providerUsage(input, details.cacheReadTokens ?? fields.cachedInputTokens, details.cacheWriteTokens ?? fields.cacheCreationInputTokens);
}

/**
 * `stream` passed through unchanged, calling `onUsage` with the usage of its `finish` part.
 *
 * @example
 * return { ...result, stream: watchUsage(result.stream, (usage) => record(usage)) };
 */
export function watchUsage(stream: ReadableStream<StreamPart>, onUsage: (usage: unknown) => void): ReadableStream<StreamPart> {
  return stream.pipeThrough(
    new TransformStream<StreamPart, StreamPart>({
      transform(part, controller) {
        if (part?.type === 'finish') onUsage(part.usage);
        controller.enqueue(part);
      },
    }),
  );
}

/**
 * Adds the unfold answers of a prompt to the tally (each tool call once, however many later
 * prompts hold it), whichever unfold tool gave them.
 *
 * @example
 * await noteUnfoldAnswers(params.prompt, savings);
 */
export async function noteUnfoldAnswers(prompt: Prompt, savings: SavingsTally): Promise<void> {
  if (!Array.isArray(prompt)) return;
  const inputs = new Map<string, unknown>();
  for (const message of prompt) {
    if (!Array.isArray(message?.content)) continue;
    for (const part of message.content) {
      if (part?.type === 'tool-call' && part.toolName === UNFOLD_TOOL_NAME) inputs.set(part.toolCallId, part.input);
      if (part?.type !== 'tool-result' || part.toolName !== UNFOLD_TOOL_NAME) continue;
      const output = part.output as { type?: string; value?: unknown } | undefined;
      if (output?.type !== 'text' || typeof output.value !== 'string') continue;
      await savings.unfolded(output.value, { toolCallId: part.toolCallId, input: inputs.get(part.toolCallId) });
    }
  }
}
