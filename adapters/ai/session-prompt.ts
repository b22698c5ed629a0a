import { createSession, estimateTokens, type SavingsTally, type Session, type SessionOutput, type ToolOutputCompressor } from '../../core/index.ts';
import { userText, type PromptCompressor } from './compress-prompt.ts';
import type { Message, Prompt, ToolMessage, ToolResultOutput } from './sdk-types.ts';
import type { ErrorStage, TokenfoldMiddlewareOptions } from './types.ts';

/*
 * The prompt rewriter with the session features on (`session` option): the AI SDK prompt
 * translated into the session's list of tool outputs (tool call id, tool name, the input of the
 * matching tool call, the output as text, its step), and the session's answer put back into the
 * tool-result parts. The session's core logic is in core/session/.
 *
 * `text` and `error-text` outputs keep their type; a `json` or `error-json` output the session
 * changed becomes `text` / `error-text` holding the sent text, as in compress-prompt.ts. `content`
 * outputs (text with images or files) are left as they are in this mode.
 */

/** The prompt rewriter for `tokenfoldMiddleware({ session })`. */
export function createSessionPromptCompressor(
  options: TokenfoldMiddlewareOptions,
  report: (error: unknown, stage: ErrorStage) => void,
  compressOutput: ToolOutputCompressor,
  savings: SavingsTally,
): PromptCompressor {
  const session = createSession(options.session === true || !options.session ? {} : options.session, compressOutput, {
    store: options.store,
    namespace: options.namespace,
    ttl: options.ttl,
    tokenizer: options.tokenizer,
    tools: options.tools,
    skipTools: options.skipTools,
    maxEntries: options.maxEntries,
    source: 'ai',
    savings,
    onError: (error, context) => report(error, context.stage),
  });

  return (prompt) => rewritePrompt(session, prompt);
}

/**
 * Puts the session's answer for each tool output into an AI SDK prompt (Mastra's prompts have the
 * same shape). With `arrivals`, only those tool call ids are new outputs (see `Session.prepare`).
 */
export async function rewritePrompt(session: Session, prompt: Prompt, arrivals?: ReadonlySet<string>): Promise<{ prompt: Prompt; folded: boolean }> {
  if (!Array.isArray(prompt)) return { prompt, folded: false };
  const { outputs, step } = sessionOutputs(prompt);
  if (outputs.length === 0) return { prompt, folded: false };
  const prepared = await session.prepare(outputs, { step, ...(arrivals ? { arrivals } : {}) });
  let folded = false;
  let next: Message[] | undefined;
  prompt.forEach((message, index) => {
    if (message?.role !== 'tool' || !Array.isArray(message.content)) return;
    let changed = false;
    const content = message.content.map((part) => {
      if (part?.type !== 'tool-result') return part;
      const sent = prepared.get(part.toolCallId);
      if (!sent) return part;
      folded ||= sent.folds.length > 0;
      if (!sent.changed) return part;
      changed = true;
      return { ...part, output: asText(part.output, sent.text) };
    });
    if (!changed) return;
    next ??= prompt.slice();
    next[index] = { ...message, content } as ToolMessage;
  });
  return { prompt: next ?? prompt, folded };
}

/** The tool outputs of a prompt, in order, and the step the prompt is at (its assistant turns). */
export function sessionOutputs(prompt: readonly Message[]): { outputs: SessionOutput[]; step: number } {
  const inputs = new Map<string, unknown>();
  const outputs: SessionOutput[] = [];
  let step = 0;
  let query = '';
  let between = 0;
  for (const message of prompt) {
    if (message?.role === 'user') {
      query = userText(message);
      between += estimateTokens(query);
    } else if (message?.role === 'system') {
      between += estimateTokens(typeof message.content === 'string' ? message.content : '');
    } else if (message?.role === 'assistant') {
      step++;
      if (!Array.isArray(message.content)) continue;
      for (const part of message.content) {
        if (part?.type === 'tool-call') {
          inputs.set(part.toolCallId, part.input);
          between += estimateTokens(typeof part.input === 'string' ? part.input : (JSON.stringify(part.input) ?? ''));
        }
        if (part?.type === 'text' || part?.type === 'reasoning') between += estimateTokens(part.text);
      }
    } else if (message?.role === 'tool' && Array.isArray(message.content)) {
      for (const part of message.content) {
        if (part?.type !== 'tool-result') continue;
        const text = outputText(part.output);
        if (text === undefined) continue;
        outputs.push({ id: part.toolCallId, tool: part.toolName, input: inputs.get(part.toolCallId), text, step, query, between });
        between = 0;
      }
    }
  }
  return { outputs, step };
}

// The text the model reads of an output; undefined for outputs the session leaves alone.
function outputText(output: ToolResultOutput | undefined): string | undefined {
  if (!output) return undefined;
  if (output.type === 'text' || output.type === 'error-text') return typeof output.value === 'string' ? output.value : undefined;
  if (output.type === 'json' || output.type === 'error-json') {
    try {
      return JSON.stringify(output.value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function asText(output: ToolResultOutput, text: string): ToolResultOutput {
  const type = output.type === 'error-text' || output.type === 'error-json' ? 'error-text' : 'text';
  const providerOptions = 'providerOptions' in output ? output.providerOptions : undefined;
  return { type, value: text, ...(providerOptions ? { providerOptions } : {}) } as ToolResultOutput;
}
