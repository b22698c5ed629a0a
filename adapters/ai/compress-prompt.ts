import { compressesTool, createToolOutputCompressor, type CompressResult, type SavingsTally } from '../../core/index.ts';
import type { Message, Prompt, ToolMessage, ToolResultOutput, ToolResultPart } from './sdk-types.ts';
import { createSessionPromptCompressor } from './session-prompt.ts';
import type { ErrorStage, TokenfoldMiddlewareOptions } from './types.ts';

/*
 * Rewrites the tool results of a prompt for the model, leaving every other byte as it was.
 *
 * What changes: the `output` of `tool-result` parts in `tool` messages, when compressing it saves
 * tokens. `text` and `error-text` outputs keep their type; `json` and `error-json` outputs are
 * serialized with JSON.stringify (as providers send them) and, when that text compressed, become
 * `text` / `error-text` outputs holding it; in `content` outputs only the text items change.
 * What never changes: system and user messages, assistant messages (including provider-executed
 * tool results, whose shapes belong to the provider), tool-call ids and names, files, approvals,
 * providerOptions, outputs of a type this adapter does not know, and the unfold tool's own answers
 * (compressing those would fold what the model just asked to see).
 *
 * The query for a tool result is the text of the last user message before it: the question the
 * tool was called for. That keeps an output's compressed bytes the same in later turns too, so
 * provider prompt caches stay warm.
 *
 * The AI SDK calls `transformParams` before every step and does not keep its result, so the same
 * outputs come back each step. Two memos make repeats cheap and byte-stable: one by the identity of
 * the output object (the AI SDK reuses it from step to step; a hit costs a WeakMap lookup, no
 * hashing or serializing), and core's content cache behind it for outputs rebuilt as new objects.
 */

export type PromptCompressor = (prompt: Prompt) => Promise<{ prompt: Prompt; folded: boolean }>;

type Rewrite = { output: ToolResultOutput; folded: boolean } | undefined;
type Remembered = { query: string; value: unknown; rewrite: Rewrite };

/** Creates the memoized tool-result rewriter that the middleware runs before each model call. */
export function createPromptCompressor(
  options: TokenfoldMiddlewareOptions,
  report: (error: unknown, stage: ErrorStage) => void,
  savings: SavingsTally,
): PromptCompressor {
  const compressOutput = createToolOutputCompressor({
    savings,
    store: options.store,
    namespace: options.namespace,
    budget: options.budget,
    minTokens: options.minTokens,
    tokenizer: options.tokenizer,
    ttl: options.ttl,
    maxBytes: options.maxBytes,
    maxEntries: options.maxEntries,
    onError: (error, context) => report(error, context.stage),
    source: 'ai',
  });
  // The session features (core/session) decide per output instead: see session-prompt.ts.
  if (options.session) return createSessionPromptCompressor(options, report, compressOutput, savings);
  const remembered = new WeakMap<object, Remembered>();

  /** The compressed text, or `undefined` when it should go out as it was. */
  async function compressText(text: unknown, query: string): Promise<CompressResult | undefined> {
    if (typeof text !== 'string') return undefined;
    const compressed = await compressOutput(text, query);
    return compressed?.changed ? compressed.result : undefined;
  }

  async function rewrite(output: ToolResultOutput, query: string): Promise<Rewrite> {
    switch (output.type) {
      case 'text':
      case 'error-text': {
        const result = await compressText(output.value, query);
        return result && { output: { ...output, value: result.text }, folded: result.folds.length > 0 };
      }
      case 'json':
      case 'error-json': {
        const result = await compressText(serialize(output.value, report), query);
        if (!result) return undefined;
        const type = output.type === 'json' ? 'text' : 'error-text';
        const providerOptions = output.providerOptions ? { providerOptions: output.providerOptions } : {};
        return { output: { type, value: result.text, ...providerOptions }, folded: result.folds.length > 0 };
      }
      case 'content': {
        if (!Array.isArray(output.value)) return undefined;
        let folded = false;
        let changed = false;
        const value = await Promise.all(
          output.value.map(async (item) => {
            if (item?.type !== 'text') return item;
            const result = await compressText(item.text, query);
            if (!result) return item;
            changed = true;
            folded ||= result.folds.length > 0;
            return { ...item, text: result.text };
          }),
        );
        return changed ? { output: { ...output, value }, folded } : undefined;
      }
      default:
        return undefined; // execution-denied, or a type this adapter does not know
    }
  }

  async function rewritePart(part: ToolResultPart, query: string): Promise<Rewrite> {
    const output: unknown = part.output;
    if (!output || typeof output !== 'object') return undefined;
    const value = 'value' in output ? output.value : undefined;
    const known = remembered.get(output);
    if (known && known.query === query && known.value === value) return known.rewrite;
    const result = await rewrite(part.output, query);
    remembered.set(output, { query, value, rewrite: result });
    return result;
  }

  return async (prompt) => {
    if (!Array.isArray(prompt)) return { prompt, folded: false };
    let query = '';
    const pending: Array<Promise<{ index: number; message: Message; folded: boolean } | undefined>> = [];
    prompt.forEach((message, index) => {
      if (message?.role === 'user') query = userText(message);
      if (message?.role !== 'tool' || !Array.isArray(message.content)) return;
      const parts = message.content;
      const rewrites = parts.map((part) =>
        part?.type === 'tool-result' && compressesTool(part.toolName, options) ? rewritePart(part, query) : undefined,
      );
      if (rewrites.every((rewrite) => rewrite === undefined)) return;
      pending.push(
        Promise.all(rewrites).then((results) => {
          if (results.every((result) => result === undefined)) return undefined;
          const content = parts.map((part, at) => (results[at] ? { ...part, output: results[at].output } : part));
          const folded = results.some((result) => result?.folded);
          return { index, message: { ...message, content } as ToolMessage, folded };
        }),
      );
    });
    const rewritten = (await Promise.all(pending)).filter((entry) => entry !== undefined);
    if (rewritten.length === 0) return { prompt, folded: false };
    const next = prompt.slice();
    for (const { index, message } of rewritten) next[index] = message;
    return { prompt: next, folded: rewritten.some((entry) => entry.folded) };
  };
}

/** The text of a user message: its text parts, joined. */
export function userText(message: Message): string {
  if (typeof message.content === 'string') return message.content;
  if (!Array.isArray(message.content)) return '';
  let text = '';
  for (const part of message.content) {
    if (part?.type === 'text' && typeof part.text === 'string') text += (text ? '\n' : '') + part.text;
  }
  return text;
}

// JSON values as the provider would send them. A value JSON cannot express (a cycle, a BigInt, a
// nesting too deep for the stack) goes out untouched, for the provider to deal with as before.
function serialize(value: unknown, report: (error: unknown, stage: ErrorStage) => void): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (error) {
    report(error, 'adapter');
    return undefined;
  }
}
