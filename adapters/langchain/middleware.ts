import { ToolMessage } from '@langchain/core/messages';
import type { BaseMessage } from '@langchain/core/messages';
import { createMiddleware } from 'langchain';
import { compressesTool, createSavingsTally, recordUsage, usagePolicy, UNFOLD_TOOL_NAME } from '../../core/index.ts';
import { COMPRESS_EVENT, emitTokenfoldEvent } from './callback-handler.ts';
import { createSafeCompress, reportError } from './options.ts';
import type { SafeCompress, TokenfoldLangChainOptions } from './options.ts';
import type { SessionOptions, ToolOutputOptions } from '../../core/index.ts';
import { createUnfoldTool } from './unfold-tool.ts';
import { createLangChainSession } from './session.ts';
import { createLangChainCacheStep } from './cache.ts';
import { copyToolMessage } from './tool-message.ts';
import { langChainUsage } from './usage.ts';
import type { CacheOptions } from '../../core/cache/index.ts';

/*
 * Agent middleware for `createAgent`: each tool result is compressed as it comes back from the
 * tool, before it enters the agent state. The rewrite is durable: the state, the checkpointer and
 * every later model call hold the same compressed ToolMessage, so the prompt prefix stays
 * byte-stable across steps (provider prompt caches keep hitting) and nothing is compressed twice.
 * What was folded stays one `unfold` call away; the middleware registers that tool itself.
 */

export interface TokenfoldMiddlewareOptions extends TokenfoldLangChainOptions, Pick<ToolOutputOptions, 'tools' | 'skipTools'>, CacheOptions {
  /** Longest unfold answer in characters. Default 40,000. */
  unfoldMaxChars?: number;
  /** The session features (README "Sessions"): `true` for the defaults. Default off. */
  session?: boolean | SessionOptions;
}

/** What the middleware adds to a ToolMessage it rewrote, under `metadata.tokenfold`. */
export interface TokenfoldMessageMetadata {
  kind: string;
  tokensBefore: number;
  tokensAfter: number;
  folds: string[];
}

/**
 * Compresses tool results in a LangChain agent and gives the model the `unfold` tool.
 * The query each output is compressed for is the text of the last human message.
 *
 * String content is compressed as a whole; in an array of content blocks, each text block is
 * compressed and other blocks are kept. `tool_call_id`, `name`, `id`, `artifact` and `status`
 * are kept; `metadata.tokenfold` says what was folded. Commands, non-text content, small outputs
 * and anything that fails to compress go through unchanged: compression never breaks the loop.
 *
 * @example
 * const agent = createAgent({
 *   model: 'openai:gpt-4.1',
 *   tools: [searchLogs],
 *   middleware: [tokenfoldMiddleware({ store, namespace: threadId })],
 * });
 */
export function tokenfoldMiddleware(options: TokenfoldMiddlewareOptions = {}) {
  const { tools, skipTools, unfoldMaxChars, session: sessionOptions, ...rest } = options;
  // Net savings for onCompress / onUnfold, one tally for the compressor, the session and unfolds.
  const savings = createSavingsTally({ onCompress: options.onCompress, onUnfold: options.onUnfold, tokenizer: options.tokenizer, onError: (error) => reportError(options, error) });
  const compressOptions = { ...rest, savings };
  const compressSafely = createSafeCompress(compressOptions);
  const session = sessionOptions ? createLangChainSession(sessionOptions, { ...compressOptions, tools, skipTools }) : undefined;
  const cacheStep = createLangChainCacheStep(options);
  const unfoldTool = createUnfoldTool({
    store: options.store,
    namespace: options.namespace,
    maxChars: unfoldMaxChars,
  });
  const policy = usagePolicy(sessionOptions);
  const ledgerStore = options.ledger !== false ? options.store : undefined;

  return createMiddleware({
    name: 'TokenfoldMiddleware',
    tools: [unfoldTool],
    wrapToolCall: async (request, handler) => {
      // The tool's own errors are the agent's business: they pass through untouched.
      const result = await handler(request);
      if (ToolMessage.isInstance(result) && request.toolCall.name === UNFOLD_TOOL_NAME && typeof result.content === 'string') {
        await savings.unfolded(result.content, { toolCallId: result.tool_call_id, input: request.toolCall.args });
      }
      if (!ToolMessage.isInstance(result) || !compressesTool(request.toolCall.name, { tools, skipTools })) return result;
      try {
        if (session) return await session.toolResult(result, request.toolCall, request.state?.messages);
        const query = lastHumanText(request.state?.messages);
        return await compressToolMessage(result, query, compressSafely);
      } catch (error) {
        reportError(options, error);
        return result;
      }
    },
    // History folds (session `history: 'batch' | 'always'`) apply to the model call only; then
    // prompt-cache alignment (cache.ts) on exactly what the model gets; then the provider's usage
    // of the call goes to the ledger.
    ...((session || cacheStep || ledgerStore) && {
      wrapModelCall: async (request, handler) => {
        const sessionRequest = session ? { ...request, messages: await session.modelMessages(request.messages) } : request;
        const response = await handler(cacheStep ? cacheStep(sessionRequest) : sessionRequest);
        if (ledgerStore) void recordUsage(ledgerStore, langChainUsage(response), { namespace: options.namespace, source: 'langchain', policy });
        return response;
      },
    }),
  });
}

/** A copy of `message` with its text compressed, or `message` itself when nothing got smaller. */
async function compressToolMessage(message: ToolMessage, query: string, compressSafely: SafeCompress): Promise<ToolMessage> {
  const { content } = message;
  const compressions = [];
  let newContent: ToolMessage['content'];
  if (typeof content === 'string') {
    const compression = await compressSafely(content, query);
    if (!compression) return message;
    compressions.push(compression);
    newContent = compression.changed ? compression.text : content;
  } else if (Array.isArray(content)) {
    newContent = await Promise.all(
      content.map(async (block) => {
        if (!isTextBlock(block)) return block;
        const compression = await compressSafely(block.text, query);
        if (!compression) return block;
        compressions.push(compression);
        return compression.changed ? { ...block, text: compression.text } : block;
      }),
    );
  } else {
    return message;
  }

  for (const { result, cached } of compressions) {
    await emitTokenfoldEvent(COMPRESS_EVENT, {
      source: 'tool',
      name: message.name,
      toolCallId: message.tool_call_id,
      kind: result.kind,
      tokensBefore: result.tokensBefore,
      tokensAfter: result.tokensAfter,
      folds: result.folds.map((fold) => fold.id),
      ...(result.passThrough ? { passThrough: result.passThrough } : {}),
      cached,
    });
  }
  const compressed = compressions.filter(({ changed }) => changed).map(({ result }) => result);
  if (compressed.length === 0) return message;

  const tokenfold: TokenfoldMessageMetadata = {
    kind: compressed[0]!.kind,
    tokensBefore: compressed.reduce((sum, result) => sum + result.tokensBefore, 0),
    tokensAfter: compressed.reduce((sum, result) => sum + result.tokensAfter, 0),
    folds: compressed.flatMap((result) => result.folds.map((fold) => fold.id)),
  };
  return copyToolMessage(message, { content: newContent, tokenfold });
}

function isTextBlock(block: unknown): block is { type: 'text'; text: string } {
  return (
    typeof block === 'object' &&
    block !== null &&
    (block as { type?: unknown }).type === 'text' &&
    typeof (block as { text?: unknown }).text === 'string'
  );
}

/** The text of the last human message: what the agent is after. */
function lastHumanText(messages: readonly BaseMessage[] | undefined): string {
  if (!Array.isArray(messages)) return '';
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    if (message?.type === 'human') return typeof message.text === 'string' ? message.text : '';
  }
  return '';
}
