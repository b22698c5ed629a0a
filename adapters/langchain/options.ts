import { createToolOutputCompressor, reporter } from '../../core/index.ts';
import type { ToolOutputCompression, ToolOutputOptions } from '../../core/index.ts';

/*
 * What the middleware, the document compressor and the runnables share: their options, and one
 * compress call that never throws (core's tool-output compressor, limited to strings, since
 * LangChain content that is not a string is not ours to reshape).
 */

/** Options common to everything in `tokenfold/langchain`. */
export type TokenfoldLangChainOptions = Omit<ToolOutputOptions, 'tools' | 'skipTools'>;

/** One compressed text and whether the memo had it already. */
export type SafeCompression = ToolOutputCompression;

/** Memoized `compress` of a string that resolves to `undefined` instead of throwing. */
export type SafeCompress = (text: unknown, query: string) => Promise<SafeCompression | undefined>;

/** Creates the memoized, never-throwing compress that one adapter instance uses for its lifetime. */
export function createSafeCompress(options: TokenfoldLangChainOptions): SafeCompress {
  const compressOutput = createToolOutputCompressor({ source: 'langchain', ...options });
  return async (text, query) => (typeof text === 'string' ? compressOutput(text, query) : undefined);
}

/** Calls `onError` for a failure of the adapter itself; a throwing reporter is ignored. */
export function reportError(options: TokenfoldLangChainOptions, error: unknown): void {
  reporter(options.onError)(error, { stage: 'adapter', kind: 'unknown' });
}
