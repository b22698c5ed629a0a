import type Keyv from 'keyv';
import type { Evidence } from './evidence.ts';

/** What the router decided a text is. */
export type ContentKind =
  | 'json' // a JSON object or array
  | 'ndjson' // one JSON value per line
  | 'log' // application or system log lines
  | 'build' // build, lint and test-runner output
  | 'search' // grep / ripgrep style `path:line:` results
  | 'diff' // unified diff
  | 'table' // column-aligned command output: ps, ls -l, df, du, ss, docker ps, kubectl get
  | 'html'
  | 'code'
  | 'text'; // prose, RAG documents, anything else

/** Kinds that explain why an input could not be compressed at all. */
export type UnusableKind = 'empty' | 'binary' | 'not-text';

/** Why `compress` returned its input unchanged. */
export type PassThroughReason =
  | 'small' // under `minTokens`, not worth a marker
  | 'not-smaller' // compression did not save tokens
  | 'unusable' // empty, binary or not a string (see `kind`)
  | 'too-large' // over `maxBytes`
  | 'over-time-budget' // too large for its kind to compress within `timeBudgetMs`
  | 'store-failed' // the store could not keep the originals, so nothing was folded
  | 'compressor-failed'; // a compressor threw; reported through `onError`

/** Counts tokens the way the target model does. */
export interface TokenCounter {
  /** A name for reports, e.g. `o200k_base`. */
  readonly name: string;
  /** Exact token count. */
  count(text: string): number;
  /**
   * The exact count when it is at most `limit`, else `false`. Lets the core prove "smaller than
   * the input" while reading only as much of the input as the output is long.
   */
  countUpTo?(text: string, limit: number): number | false;
}

export type TokenizerName = 'o200k_base' | 'cl100k_base';

/** A span the compressor chose to fold: the core stores `text` and emits a marker in its place. */
export interface FoldRequest {
  /** The folded content, exactly as `unfold` will return it. */
  text: string;
  /** What the folded content is made of, for the marker: `184 rows`. */
  unit: 'lines' | 'rows' | 'items' | 'chars';
  count: number;
  /** One short line on what was folded (`color blue 180, red 4`). No newlines. */
  summary?: string;
  /** Line number of `text`'s first line in the input, so `unfold` can quote original numbering. */
  firstLine?: number;
  /**
   * For lines gathered from many places (all repeats of one log template): the input line number
   * of each line of `text`, in order. Overrides `firstLine`; stored compactly as runs.
   */
  lineNumbers?: number[];
}

/** A compressor's output, in order: kept text (strings) and folds. */
export type Piece = string | FoldRequest;

/** What a compressor is given besides the text. Everything here is deterministic. */
export interface CompressorContext {
  /** What the agent is after; compressors keep what matches it. May be empty. */
  query: string;
  /** Target size of the output in tokens. A goal, not a hard cap. */
  budget: number;
  /**
   * Only lossless steps: the output may be re-rendered (minified JSON, a table form) but nothing
   * may be folded or dropped. Set for small outputs (about 1,500 tokens and under) unless the
   * caller gave a budget: folding a short output saves little and hides what the agent needs next.
   */
  lossless?: boolean;
  /**
   * The lines of this text that carry failure evidence (core/evidence.ts), set by `compress` for
   * process output: lines with `keep` set must stay visible whatever the budget; a compressor
   * called without it finds them itself where its kind needs it.
   */
  evidence?: Evidence;
  /** Tokens of the input: exact up to 4 KiB, a sampled estimate above. */
  inputTokens?: number;
  /** Exact token count with the caller's tokenizer. Costly: use where it decides something. */
  countTokens(text: string): number;
  /** Cheap estimate of the token count (a few ns per char). */
  estimateTokens(text: string): number;
  /** The file the text was read from, when the tool said (`src/app.py`): tells code its language. */
  fileName?: string;
  /**
   * Relevance scores for the text compressor's units from a model (see `tokenfold/models`),
   * computed before the compressor runs; absent, the built-in BM25 scorer is used.
   */
  scoreUnits?: UnitScorer;
}

/** A unit the text compressor keeps or folds: a sentence, a clause of a long one, or a line. */
export interface TextUnit {
  /** Offsets into the text, end exclusive. */
  start: number;
  end: number;
  /** Index of the blank-line separated paragraph, and of the sentence, the unit belongs to. */
  paragraph: number;
  sentence: number;
}

/** Scores text units for a query, one score per unit: higher means keep. Synchronous. */
export type UnitScorer = (input: { text: string; units: readonly TextUnit[]; query: string }) => ArrayLike<number>;

/** A model that scores text for a query; `compress` asks it before the text compressor runs. */
export interface RelevanceScorer {
  /** A scorer for this text and query, or undefined to use the built-in one. Must never reject. */
  prepare(text: string, query: string): Promise<UnitScorer | undefined>;
}

/**
 * A compressor is pure: it never touches the store, the clock or the network. It returns the
 * pieces to render, or `undefined` when it has nothing useful to do (the core passes through).
 */
export type Compressor = (text: string, context: CompressorContext) => Piece[] | undefined;

/** A fold that `compress` wrote to the store. */
export interface FoldInfo {
  id: string;
  unit: FoldRequest['unit'];
  count: number;
  summary?: string;
  /** Size of the folded original in UTF-16 code units. */
  chars: number;
}

export interface CompressOptions {
  /** What the agent is after (usually the user's last message). */
  query?: string;
  /**
   * Target tokens for the output, or a rule that gives them from the input's tokens (e.g.
   * `documentBudget`). Default (`defaultBudget`): outputs of up to 1,500 tokens get only lossless
   * steps; larger ones a quarter of the input, at least 1,500 and at most 64,000 tokens.
   */
  budget?: number | ((inputTokens: number) => number);
  /** Skip the router. */
  kind?: ContentKind;
  /** The file the text was read from, if any (`src/app.py`): the code compressor reads its language from it. */
  fileName?: string;
  /**
   * A local model that scores text and RAG documents for the query, e.g.
   * `relevanceFor('shipped')` from `tokenfold/models`. Default: the built-in BM25 scorer.
   */
  relevance?: RelevanceScorer;
  /** Where folded originals go. Default: one in-memory store per process. */
  store?: Keyv;
  /** Scopes fold ids (tenant, user, conversation). Unfold only finds ids of its own namespace. */
  namespace?: string;
  /** Time to live of stored originals, in milliseconds. */
  ttl?: number;
  /** `o200k_base` (default), `cl100k_base`, or your own counter. */
  tokenizer?: TokenizerName | TokenCounter;
  /** Inputs under this many tokens pass through. Default 200. */
  minTokens?: number;
  /** Inputs over this many bytes pass through. Default 32 MiB. */
  maxBytes?: number;
  /**
   * Inputs that their kind's compressor could not finish within this many milliseconds, at its
   * slowest measured rate, pass through. Default 10,000 (10 MB of source code, 100 MB of logs).
   */
  timeBudgetMs?: number;
  /** Throw a `TokenfoldError` on unusable input instead of passing it through. */
  strict?: boolean;
  /** Count `tokensBefore` exactly even on large inputs (slower; default estimates large inputs). */
  exactCounts?: boolean;
  /** Told about failures that were survived (store down, compressor bug). Never throws back. */
  onError?: (error: unknown, context: { stage: 'store' | 'compressor'; kind: string }) => void;
}

export interface CompressResult {
  /** The text to send to the model. */
  text: string;
  kind: ContentKind | UnusableKind;
  /** Tokens of the input: exact when `tokensBeforeExact`, otherwise a sampled estimate. */
  tokensBefore: number;
  tokensBeforeExact: boolean;
  /** Exact tokens of `text`. */
  tokensAfter: number;
  /** The budget the compressors aimed for (absent on a pass-through). */
  budget?: number;
  /**
   * Set when `text` is more than 1.1 × `budget`: what must stay visible (failure evidence, every public name
   * of a code outline, a kind's floor) took more. A budget the caller gave is first tried again,
   * aiming lower, up to twice.
   */
  overBudget?: true;
  folds: FoldInfo[];
  /** Set when `text` is the input unchanged (apart from escaping marker look-alikes). */
  passThrough?: PassThroughReason;
  /**
   * The regions of a mixed output, in order, each compressed by its own kind (a CI log's build
   * output, an application log inside it, a table): set when there is more than one. `kind` is
   * then the kind that covers most lines.
   */
  segments?: Array<{ kind: ContentKind; firstLine: number; lines: number }>;
}

export interface UnfoldOptions {
  /** Line range, 1-based and inclusive, in the numbering `unfold` shows: `'120-140'` or `[120, 140]`. */
  lines?: string | [number, number];
  /** Only lines matching this regular expression (case-insensitive), with their line numbers. */
  grep?: string;
  store?: Keyv;
  namespace?: string;
}

export type UnfoldResult =
  | {
      status: 'ok';
      id: string;
      /** The original, whole, or the selected lines (with `N: ` prefixes when selected). */
      text: string;
      /** Line number of the original's first line, and how many lines it has. */
      firstLine: number;
      totalLines: number;
      /** Input line number of each line, for a fold gathered from many places. */
      lineNumbers?: number[];
    }
  | { status: 'not-found' | 'expired' | 'invalid-request'; id: string; message: string };
