import { compressors, prepareCompressors } from './compressors/index.ts';
import { TokenfoldError } from './errors.ts';
import { escapeLookAlikes, foldId, renderMarker } from './folds.ts';
import { detect } from './router.ts';
import { defaultStore, writeFolds } from './store.ts';
import { estimateTokens, resolveTokenCounter, sampledTokenCount } from './tokens.ts';
import type {
  CompressOptions,
  CompressResult,
  ContentKind,
  FoldInfo,
  FoldRequest,
  PassThroughReason,
  TokenCounter,
  UnusableKind,
} from './types.ts';

const DEFAULT_MIN_TOKENS = 200;
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
// A model reads at most a few hundred thousand tokens; a quarter of a huge input is no budget.
const MAX_DEFAULT_BUDGET = 64_000;
const ESTIMATE_MARGIN = 1.25;
const DEFAULT_TIME_BUDGET_MS = 10_000;
// Conservative throughput of each compressor (MB/s on one loaded core, from bench/ and the
// 100 MB runs of bench/reliability.ts), used to refuse inputs that could not finish in time.
const SLOWEST_MB_PER_SECOND: Partial<Record<ContentKind, number>> = {
  json: 10, ndjson: 10, log: 10, build: 10, search: 10, diff: 10, text: 5, code: 1, html: 2,
};

/**
 * Compresses one text (a tool output, a document) for the model, folding what it drops into the
 * store behind `[[fold …]]` markers that `unfold` resolves.
 *
 * Never throws on bad input (unless `strict`): empty, binary or non-string input, a store that
 * fails, or a compressor bug all give the input back unchanged with `passThrough` saying why.
 * The same input and options always give the same bytes.
 *
 * @example
 * const { text, tokensBefore, tokensAfter } = await compress(toolOutput, { query: lastUserMessage });
 */
export async function compress(input: unknown, options: CompressOptions = {}): Promise<CompressResult> {
  const counter = await resolveTokenCounter(options.tokenizer);
  const normalized = normalizeInput(input);
  if ('unusable' in normalized) {
    if (options.strict) throw new TokenfoldError(normalized.unusable, normalized.message);
    return passThrough(normalized.text, normalized.unusable, 'unusable', counter);
  }
  const { text } = normalized;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (text.length > maxBytes) {
    if (options.strict) throw new TokenfoldError('too-large', `input is over maxBytes (${maxBytes})`);
    return passThrough(text, 'text', 'too-large', counter);
  }

  const kind = options.kind ?? detect(text, options.fileName).kind;
  // Compressors are synchronous and cannot be interrupted, so the time budget is kept up front:
  // an input larger than its kind's slowest measured rate can handle in time passes through.
  const timeBudgetMs = options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  if (text.length > (SLOWEST_MB_PER_SECOND[kind] ?? 5) * 1000 * timeBudgetMs) {
    return passThrough(text, kind, 'over-time-budget', counter);
  }
  const before = options.exactCounts
    ? { tokens: counter.count(text), exact: true }
    : sampledTokenCount(text, counter);
  if (before.tokens < (options.minTokens ?? DEFAULT_MIN_TOKENS)) {
    return passThrough(text, kind, 'small', counter, before);
  }
  const compressor = compressors[kind];
  if (!compressor) return passThrough(text, kind, 'not-smaller', counter, before);

  let pieces;
  try {
    // A compressor may need asynchronous set-up once (code: tree-sitter grammars); it stays synchronous.
    await prepareCompressors[kind]?.(text, { fileName: options.fileName });
    // A model that fails leaves the built-in scorer in charge, it does not stop compression.
    const scoreUnits =
      kind === 'text' && options.query
        ? await options.relevance?.prepare(text, options.query).catch((error: unknown) => {
            report(options, error, 'compressor', kind);
            return undefined;
          })
        : undefined;
    pieces = compressor(text, {
      query: options.query ?? '',
      budget: options.budget ?? defaultBudget(before.tokens),
      inputTokens: before.tokens,
      countTokens: (part) => counter.count(part),
      estimateTokens,
      fileName: options.fileName,
      ...(scoreUnits ? { scoreUnits } : {}),
    });
  } catch (error) {
    report(options, error, 'compressor', kind);
    return passThrough(text, kind, 'compressor-failed', counter, before);
  }
  if (!pieces) return passThrough(text, kind, 'not-smaller', counter, before);

  const { output, folds } = render(pieces);
  const tokensAfter = counter.count(output);
  const tokensBefore = provenLarger(text, tokensAfter, before, counter);
  if (tokensBefore === undefined) return passThrough(text, kind, 'not-smaller', counter, before);

  if (folds.length > 0) {
    const written = await writeFolds(options.store ?? defaultStore(), options.namespace, folds, options.ttl);
    if (!written.ok) {
      report(options, written.error, 'store', kind);
      return passThrough(text, kind, 'store-failed', counter, before);
    }
  }
  return {
    text: output,
    kind,
    tokensBefore: tokensBefore.tokens,
    tokensBeforeExact: tokensBefore.exact,
    tokensAfter,
    folds: folds.map(({ id, unit, count, summary, text: folded }) => ({
      id,
      unit,
      count,
      ...(summary ? { summary } : {}),
      chars: folded.length,
    })),
  };
}

/** A quarter of the input, at least 256 tokens and at most 64,000. */
export function defaultBudget(inputTokens: number): number {
  return Math.min(MAX_DEFAULT_BUDGET, Math.max(256, Math.round(inputTokens / 4)));
}

type RenderedFold = FoldInfo & { text: string; firstLine: number };

/** Joins kept text (escaped) and markers; one fold record per distinct id. */
function render(pieces: ReadonlyArray<string | FoldRequest>): { output: string; folds: RenderedFold[] } {
  const folds = new Map<string, RenderedFold>();
  let output = '';
  // Kept text is escaped a run at a time, so a look-alike split across two pieces is caught too.
  let kept = '';
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      kept += piece;
      continue;
    }
    output += escapeLookAlikes(kept);
    kept = '';
    const id = foldId(piece.text);
    if (!folds.has(id)) {
      folds.set(id, {
        id,
        unit: piece.unit,
        count: piece.count,
        summary: piece.summary,
        chars: piece.text.length,
        text: piece.text,
        firstLine: piece.firstLine ?? 1,
      });
    }
    output += renderMarker(id, piece);
  }
  output += escapeLookAlikes(kept);
  return { output, folds: [...folds.values()] };
}

/**
 * The input's token count when it is provably larger than `tokensAfter`, else `undefined`.
 * With an estimate in hand, the proof reads only as many input tokens as the output has.
 */
function provenLarger(
  text: string,
  tokensAfter: number,
  before: { tokens: number; exact: boolean },
  counter: TokenCounter,
): { tokens: number; exact: boolean } | undefined {
  if (before.exact) return before.tokens > tokensAfter ? before : undefined;
  // The sampled estimate is within a few percent on real text; with this much margin it decides
  // alone, and the exact proof below is only paid for when the saving is small.
  if (before.tokens >= tokensAfter * ESTIMATE_MARGIN) return before;
  if (counter.countUpTo) {
    const within = counter.countUpTo(text, tokensAfter);
    if (within !== false) return undefined; // the input has at most tokensAfter tokens
    return { tokens: Math.max(before.tokens, tokensAfter + 1), exact: false };
  }
  const exact = counter.count(text);
  return exact > tokensAfter ? { tokens: exact, exact: true } : undefined;
}

function passThrough(
  text: string,
  kind: ContentKind | UnusableKind,
  reason: PassThroughReason,
  counter: TokenCounter,
  before?: { tokens: number; exact: boolean },
): CompressResult {
  const escaped = escapeLookAlikes(text);
  const counted = before ?? (text === '' ? { tokens: 0, exact: true } : sampledTokenCount(text, counter));
  return {
    text: escaped,
    kind,
    tokensBefore: counted.tokens,
    tokensBeforeExact: counted.exact,
    // Escaping adds a backslash to marker look-alikes only; count again in that rare case.
    tokensAfter: escaped === text ? counted.tokens : counter.count(escaped),
    folds: [],
    passThrough: reason,
  };
}

type Normalized =
  | { text: string }
  | { unusable: UnusableKind; text: string; message: string };

/** Strings pass; bytes are decoded as strict UTF-8; anything else is unusable, never a crash. */
function normalizeInput(input: unknown): Normalized {
  if (typeof input === 'string') {
    if (input.trim() === '') return { unusable: 'empty', text: input, message: 'input is empty' };
    if (looksBinary(input)) return { unusable: 'binary', text: input, message: 'input looks binary' };
    return { text: input };
  }
  if (input instanceof Uint8Array) {
    try {
      return normalizeInput(new TextDecoder('utf-8', { fatal: true }).decode(input));
    } catch {
      const text = new TextDecoder('utf-8').decode(input);
      return { unusable: 'binary', text, message: 'input is not valid UTF-8' };
    }
  }
  const text = input === null || input === undefined ? '' : safeString(input);
  return { unusable: 'not-text', text, message: `input is ${input === null ? 'null' : typeof input}, not text` };
}

// NUL bytes, or many replacement/control characters, in the first 8 KiB.
function looksBinary(text: string): boolean {
  const sample = text.length > 8192 ? text.slice(0, 8192) : text;
  if (sample.includes('\u0000')) return true;
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 27)) odd++;
  }
  return odd > sample.length * 0.1;
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'object' ? (JSON.stringify(value) ?? '') : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function report(options: CompressOptions, error: unknown, stage: 'store' | 'compressor', kind: string): void {
  try {
    options.onError?.(error, { stage, kind });
  } catch {
    // A failing reporter must not take the agent down either.
  }
}

