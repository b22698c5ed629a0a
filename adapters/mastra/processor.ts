import type { MastraDBMessage, MastraMessagePart } from '@mastra/core/agent/message-list';
import type {
  ProcessInputStepArgs,
  ProcessInputStepResult,
  ProcessLLMRequestArgs,
  ProcessLLMRequestResult,
  ProcessOutputStepArgs,
  ProcessToolResultArgs,
  Processor,
} from '@mastra/core/processors';
import { compressesTool, createSavingsTally, createToolOutputCompressor, recordUsage, usagePolicy, reporter, UNFOLD_TOOL_NAME } from '../../core/index.ts';
import { aiSdkUsage } from '../ai/usage.ts';
import type { SessionOptions, ToolOutputOptions } from '../../core/index.ts';
import { createMastraSession } from './session.ts';
import { createMastraCacheStep } from './cache.ts';
import type { CacheOptions } from '../../core/cache/index.ts';
import { createUnfoldTool, type MastraUnfoldTool } from './unfold-tool.ts';

/*
 * A Mastra processor that compresses each tool result once, as it arrives, and writes the
 * compressed text into the agent's message list in place of the original.
 *
 * Why `processToolResult`: Mastra calls it after `tool.execute()` returns and before the result
 * is stored in the message list or fed to the next model call, and it re-reads the result from
 * the message list afterwards. So a result produced in step N is compressed before the model sees
 * it in step N+1, every later step and the memory thread hold the same compressed bytes (the
 * prompt prefix stays cache-stable), the stream's `tool-result` chunk carries them too, and
 * nothing has to be compressed again. `processLLMRequest` would only rewrite the prompt of one
 * call, so every step would redo the work and memory would keep the full text.
 *
 * The unfold tool: `processInputStep` may replace the tools of a step, so when the processor is
 * also registered as an input processor it offers `unfold` at every step (the same tool set each
 * step, again for the prompt cache). Registered only as an output processor, it compresses but
 * the agent needs `unfold: processor.unfoldTool` in its tools.
 *
 * What is left alone: results of the unfold tool itself, of provider-executed tools (their
 * result format goes back to the provider), of tools outside `tools`/in `skipTools`, text that
 * already holds fold markers, and anything `compress` passes through (small, empty, binary, not
 * JSON-serialisable, over `maxBytes`, not smaller). Those keep their original value untouched.
 * Object results are compressed as their JSON text, which is what the model would have read.
 * A tool with its own `toModelOutput` is not helped: Mastra builds that mapping from the original
 * result, and the model reads the mapping (list such tools in `skipTools`).
 */

/**
 * Options: those every adapter takes (`store`, `namespace`, `budget`, `minTokens`, `maxBytes`,
 * `ttl`, `tokenizer`, `maxEntries`, `tools`, `skipTools`, `onCompress`, `onError`...) and these.
 */
export interface TokenfoldProcessorOptions extends ToolOutputOptions, CacheOptions {
  /** Offer the unfold tool at every step when registered as an input processor. Default true. */
  addUnfoldTool?: boolean;
  /** Longest unfold answer in characters. Default 40,000. */
  unfoldMaxChars?: number;
  /** The session features (README "Sessions"): `true` for the defaults. Default off. */
  session?: boolean | SessionOptions;
}

/** The processor: an input processor (offers `unfold`) and an output processor (compresses). */
export type TokenfoldProcessor = Processor<'tokenfold'> &
  Required<Pick<Processor<'tokenfold'>, 'processToolResult' | 'processInputStep'>> & {
    /** The unfold tool bound to this processor's store and namespace. */
    readonly unfoldTool: MastraUnfoldTool;
  };

/**
 * Compresses tool results inside a Mastra agent's loop, durably: the message list, the stream and
 * the memory thread hold the compressed text, and `unfold` gives back any folded part byte-exact.
 *
 * @example
 * const tokenfold = tokenfoldProcessor({ namespace: 'support' });
 * const agent = new Agent({
 *   id: 'support', name: 'Support', instructions, model, tools: { searchLogs },
 *   inputProcessors: [tokenfold], // offers the unfold tool at every step
 *   outputProcessors: [tokenfold], // compresses tool results as they arrive
 * });
 */
export function tokenfoldProcessor(options: TokenfoldProcessorOptions = {}): TokenfoldProcessor {
  const { addUnfoldTool = true, unfoldMaxChars, session: sessionOptions, ...rest } = options;
  const report = reporter(options.onError);
  // Net savings for onCompress / onUnfold, one tally for the compressor, the session and unfolds.
  const savings = createSavingsTally({
    onCompress: options.onCompress,
    onUnfold: options.onUnfold,
    tokenizer: options.tokenizer,
    onError: (error) => report(error, { stage: 'adapter', kind: 'savings' }),
  });
  const compressOptions = { ...rest, savings };
  const session = sessionOptions ? createMastraSession(sessionOptions, compressOptions) : undefined;
  const cacheStep = createMastraCacheStep(options);
  const policy = usagePolicy(sessionOptions);
  const ledgerStore = options.ledger !== false ? options.store : undefined;
  const compressOutput = createToolOutputCompressor({ source: 'mastra', ...compressOptions });
  const unfoldTool = createUnfoldTool({
    store: options.store,
    namespace: options.namespace,
    maxChars: unfoldMaxChars,
  });

  /** The compressed text for a tool result, or `undefined` to keep the result as it is. */
  async function compressResult(result: unknown, query: string, toolName: string): Promise<string | undefined> {
    const compressed = await compressOutput(result, query, toolName);
    return compressed?.changed ? compressed.text : undefined;
  }

  return {
    id: 'tokenfold',
    name: 'tokenfold',
    description: 'Compresses tool results into folded text that the unfold tool expands.',
    unfoldTool,

    async processToolResult(args: ProcessToolResultArgs) {
      const { toolName, toolCallId, result, providerExecuted, messageList } = args;
      if (toolName === UNFOLD_TOOL_NAME && typeof result === 'string') await savings.unfolded(result, { toolCallId, input: args.args });
      if (providerExecuted || !compressesTool(toolName, options)) return undefined;
      try {
        const compressed = session ? await session.toolResult(args) : await compressResult(result, lastUserText(args.messages), toolName);
        if (compressed === undefined) return undefined;
        const updated = messageList.updateToolInvocation({
          type: 'tool-invocation',
          toolInvocation: { state: 'result', toolCallId, toolName, args: args.args, result: compressed },
        });
        return updated ? messageList : undefined;
      } catch (error) {
        // Compression must never fail a tool call: keep the original result.
        report(error, { stage: 'adapter', kind: typeof result });
        return undefined;
      }
    },

    // History folds (session `history: 'batch' | 'always'`) apply to each model call's prompt only.
    ...((session || cacheStep.active) && {
      async processLLMRequest(args: ProcessLLMRequestArgs): Promise<ProcessLLMRequestResult> {
        const { prompt } = args;
        const rewritten = session ? await session.llmRequest(prompt).catch(() => undefined) : undefined;
        // Then prompt-cache alignment (cache.ts), on exactly what the model gets.
        return cacheStep.llmRequest(args, rewritten ? (rewritten as typeof prompt) : prompt);
      },
    }),

    // The provider's usage of each step goes to the ledger, tagged with the history policy.
    ...(ledgerStore && {
      processOutputStep(args: ProcessOutputStepArgs) {
        void recordUsage(ledgerStore, aiSdkUsage(args.usage), { namespace: options.namespace, source: 'mastra', policy });
        return args.messageList!;
      },
    }),

    processInputStep: cacheStep.inputStep(({ tools: stepTools, activeTools }: ProcessInputStepArgs): ProcessInputStepResult | undefined => {
      if (!addUnfoldTool) return undefined;
      const addTool = !stepTools?.[UNFOLD_TOOL_NAME];
      // A step limited to some tools still needs unfold to read what was folded.
      const activate = activeTools !== undefined && !activeTools.includes(UNFOLD_TOOL_NAME);
      if (!addTool && !activate) return undefined;
      return {
        ...(addTool ? { tools: { ...stepTools, [UNFOLD_TOOL_NAME]: unfoldTool } } : {}),
        ...(activate ? { activeTools: [...activeTools, UNFOLD_TOOL_NAME] } : {}),
      };
    }),
  };
}

/** The text of the last user message: what the agent is after, so compressors keep what matches. */
function lastUserText(messages: readonly MastraDBMessage[] | undefined): string {
  if (!Array.isArray(messages)) return '';
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    if (message?.role !== 'user') continue;
    const parts: MastraMessagePart[] = Array.isArray(message.content?.parts) ? message.content.parts : [];
    const texts = parts.flatMap((part) => (part?.type === 'text' && typeof part.text === 'string' ? [part.text] : []));
    if (texts.length > 0) return texts.join('\n');
    if (typeof message.content?.content === 'string') return message.content.content;
  }
  return '';
}
