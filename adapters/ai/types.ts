import type Keyv from 'keyv';
import type { CompressResult, NetSavings, SessionOptions, TokenCounter, TokenizerName, UnfoldEvent } from '../../core/index.ts';
import type { CacheOptions } from '../../core/cache/index.ts';

/*
 * Public types of the AI SDK adapter. They are structural, so that one middleware object is
 * accepted by `wrapLanguageModel` of AI SDK 6 (language model spec v3) and AI SDK 7 (spec v4) alike,
 * and importing `tokenfold/ai` loads nothing of the AI SDK.
 */

/** Options of `tokenfoldMiddleware`; `cacheAlign`, `cacheBreakpoints` and `onCacheReport` come from `CacheOptions`. */
export interface TokenfoldMiddlewareOptions extends CacheOptions {
  /** Where folded originals go. Default: tokenfold's in-memory store for the process. */
  store?: Keyv;
  /** Scopes fold ids (tenant, user, conversation); the unfold tool only finds its own namespace. */
  namespace?: string;
  /** Target tokens per tool output. Default: a quarter of the output, at least 256. */
  budget?: number;
  /** Tool outputs under this many tokens are sent as they are. Default 200. */
  minTokens?: number;
  /** Tokenizer that counts tokens the way the model does. Default `o200k_base`. */
  tokenizer?: TokenizerName | TokenCounter;
  /** Time to live of stored originals, in milliseconds. */
  ttl?: number;
  /** Tool outputs over this many bytes are sent as they are. Default 32 MiB. */
  maxBytes?: number;
  /** Compress only the outputs of these tools (by name). Default: every tool but `unfold`. */
  tools?: readonly string[];
  /** Never compress the outputs of these tools. `unfold` is always skipped. */
  skipTools?: readonly string[];
  /**
   * Called once per real compression (never for a memoized one), with this middleware's running
   * totals: tokens saved, tokens the model read back through unfold, and the net of the two.
   */
  onCompress?: (result: CompressResult, savings: NetSavings) => void;
  /**
   * Called once per unfold answer the model got (from `unfoldTool()` in your tools, seen in the
   * next prompt, or answered by `autoUnfold`), with its tokens and the running totals.
   */
  onUnfold?: (event: UnfoldEvent) => void;
  /** Told about failures that were survived; the original output was sent instead. Never throws back. */
  onError?: (error: unknown, context: { stage: ErrorStage }) => void;
  /**
   * Offer the unfold tool and answer the model's unfold calls inside the middleware, so the app
   * sees ordinary results. Default `false`: put `unfoldTool()` in your `tools` instead.
   */
  autoUnfold?: boolean;
  /**
   * Most rounds of unfold calls answered within one model call; then the model must do without.
   * Default 5; 0 turns `autoUnfold` off.
   */
  maxUnfoldRounds?: number;
  /** Longest unfold answer in characters. Default 40,000. */
  unfoldMaxChars?: number;
  /** Most compressed outputs remembered. Default 1,000. */
  maxEntries?: number;
  /**
   * The conversation as a whole (see the README's "Sessions"): repeats sent as references,
   * re-reads as diffs, budgets learned from unfolds, and with `history: 'batch' | 'always'`
   * superseded and old outputs folded to one line. `true` for the defaults. Default off.
   */
  session?: boolean | SessionOptions;
}

export type ErrorStage = 'store' | 'compressor' | 'adapter' | 'unfold';

/** What the middleware needs of the call options; true of the v3 and v4 specs. */
export interface CallOptionsLike {
  prompt: ReadonlyArray<unknown>;
  tools?: ReadonlyArray<unknown>;
  toolChoice?: unknown;
}

/** What the middleware needs of the wrapped model, to ask it again after answering unfold calls. */
export interface LanguageModelLike<Params, Generated, Streamed> {
  doGenerate(options: Params): PromiseLike<Generated>;
  doStream(options: Params): PromiseLike<Streamed>;
}

export interface GenerateResultLike {
  content: ReadonlyArray<unknown>;
}

export interface StreamResultLike {
  stream: ReadableStream<unknown>;
}

/**
 * The middleware object. Generic hooks let TypeScript match it to either major's
 * `LanguageModelMiddleware`, and `specificationVersion: 'v3'` is the version both accept.
 */
export interface TokenfoldMiddleware {
  readonly specificationVersion: 'v3';
  transformParams<Params extends CallOptionsLike>(options: {
    type: 'generate' | 'stream';
    params: Params;
    model: unknown;
  }): PromiseLike<Params>;
  wrapGenerate<Params extends CallOptionsLike, Generated extends GenerateResultLike>(options: {
    doGenerate: () => PromiseLike<Generated>;
    doStream: () => PromiseLike<unknown>;
    params: Params;
    model: LanguageModelLike<Params, Generated, unknown>;
  }): PromiseLike<Generated>;
  wrapStream<Params extends CallOptionsLike, Streamed extends StreamResultLike>(options: {
    doGenerate: () => PromiseLike<unknown>;
    doStream: () => PromiseLike<Streamed>;
    params: Params;
    model: LanguageModelLike<Params, unknown, Streamed>;
  }): PromiseLike<Streamed>;
}
