import { compressors, prepareCompressors } from './compressors/index.ts';
import { TokenfoldError } from './errors.ts';
import { escapeLookAlikes, foldDigest, idOfDigest, lineRuns, renderMarker } from './folds.ts';
import { compressStructured } from './regions.ts';
import { detect } from './router.ts';
import type { Region } from './segment.ts';
import { defaultStore, writeFolds, type FoldToWrite } from './store.ts';
import { estimateTokens, resolveTokenCounter, sampledTokenCount } from './tokens.ts';
import type {
  CompressOptions,
  CompressResult,
  CompressorContext,
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
// Outputs this small get only lossless steps unless the caller gives a budget (see CompressorContext.lossless).
const LOSSLESS_MAX_TOKENS = 1500;
const LOSSLESS_KINDS: ReadonlySet<ContentKind> = new Set(['json', 'ndjson']);
// Compressions again, aiming lower, when an output is more than OVER_TOLERANCE over the caller's
// budget: compressors estimate tokens and land within a few percent of it, and a text compressed
// again for a few tokens loses whole sentences (SQuAD answers kept fall by points).
const MAX_TIGHTENING = 2;
const OVER_TOLERANCE = 1.1;
const DEFAULT_TIME_BUDGET_MS = 10_000;
// Conservative throughput of each compressor (MB/s on one loaded core, from bench/ and the
// 100 MB runs of bench/reliability.ts), used to refuse inputs that could not finish in time.
// Code and HTML cap their slow paths by size (a parse up to 2 MB, about 1.3 s; a DOM up to
// 60,000 nodes, about 2 s) and take linear ones beyond, which decide here: the indentation outline
// ran at 3.4 to 14 MB/s on 8 to 18 MB of code, the tag stripper at 5.6 to 6.4 MB/s on 8 to 25 MB
// of HTML (2026-12-02, one core).
const SLOWEST_MB_PER_SECOND: Partial<Record<ContentKind, number>> = {
  json: 10, ndjson: 10, log: 10, build: 10, search: 10, diff: 10, text: 5, code: 3, html: 4,
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

  const detection = options.kind ? undefined : detect(text, options.fileName);
  const documentKind = options.kind ?? detection!.kind;
  // Compressors are synchronous and cannot be interrupted, so the time budget is kept up front:
  // an input larger than its kind's slowest measured rate can handle in time passes through.
  const timeBudgetMs = options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  if (text.length > (SLOWEST_MB_PER_SECOND[documentKind] ?? 5) * 1000 * timeBudgetMs) {
    return passThrough(text, documentKind, 'over-time-budget', counter);
  }
  const before = options.exactCounts
    ? { tokens: counter.count(text), exact: true }
    : sampledTokenCount(text, counter);
  if (before.tokens < (options.minTokens ?? DEFAULT_MIN_TOKENS)) {
    return passThrough(text, documentKind, 'small', counter, before);
  }
  const compressor = compressors[documentKind];
  if (!compressor) return passThrough(text, documentKind, 'not-smaller', counter, before);
  // Small outputs are read whole: folding a few hundred tokens hides what the agent needs next.
  // Only JSON has lossless steps worth taking (minified, uniform rows as a table).
  const lossless = options.budget === undefined && before.tokens <= LOSSLESS_MAX_TOKENS;
  const budget = resolveBudget(options.budget, before.tokens);
  if (lossless && !LOSSLESS_KINDS.has(documentKind)) return passThrough(text, documentKind, 'small', counter, before);

  // A kind the caller named, or a file name implied, is compressed whole; otherwise line-structured
  // output is compressed region by region (regions.ts).
  const byRegion = !options.kind && !detection!.byFileName;
  let kind: ContentKind = documentKind;
  let pieces;
  let regions: Region[] | undefined;
  let rendered: ReturnType<typeof render>;
  let tokensAfter: number;
  try {
    // A compressor may need asynchronous set-up once (code: tree-sitter grammars); it stays synchronous.
    await prepareCompressors[documentKind]?.(text, { fileName: options.fileName });
    // A model that fails leaves the built-in scorer in charge, it does not stop compression.
    const scoreUnits =
      documentKind === 'text' && options.query
        ? await options.relevance?.prepare(text, options.query).catch((error: unknown) => {
            report(options, error, 'compressor', documentKind);
            return undefined;
          })
        : undefined;
    const context: CompressorContext = {
      query: options.query ?? '',
      budget,
      lossless,
      inputTokens: before.tokens,
      countTokens: (part) => counter.count(part),
      estimateTokens,
      fileName: options.fileName,
      ...(scoreUnits ? { scoreUnits } : {}),
    };
    ({ pieces, kind, regions } = compressStructured(text, documentKind, byRegion, context));
    if (!pieces) return passThrough(text, kind, 'not-smaller', counter, before);
    if (lossless && pieces.some((piece) => typeof piece !== 'string')) return passThrough(text, kind, 'small', counter, before);
    rendered = render(pieces);
    tokensAfter = counter.count(rendered.output);
    // A budget the caller gave is a ceiling: over it, compress again aiming lower, since the
    // compressors' estimates run a little under the exact count and evidence they must keep
    // takes its share first. What they cannot fold (evidence, a kind's floor) is said in the result.
    for (let attempt = 0; options.budget !== undefined && tokensAfter > budget * OVER_TOLERANCE && attempt < MAX_TIGHTENING; attempt++) {
      const target = Math.max(1, Math.floor(context.budget * (budget / tokensAfter)));
      context.budget = target;
      const tighter = compressStructured(text, documentKind, byRegion, context);
      if (!tighter.pieces) break;
      const candidate = render(tighter.pieces);
      const candidateTokens = counter.count(candidate.output);
      if (candidateTokens >= tokensAfter) break;
      ({ pieces, kind, regions } = tighter);
      [rendered, tokensAfter] = [candidate, candidateTokens];
    }
  } catch (error) {
    report(options, error, 'compressor', kind);
    return passThrough(text, kind, 'compressor-failed', counter, before);
  }

  const { output, folds, clash } = rendered;
  if (clash) {
    report(options, clash, 'store', kind);
    return passThrough(text, kind, 'store-failed', counter, before);
  }
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
    budget,
    ...(tokensAfter > budget * OVER_TOLERANCE ? { overBudget: true } : {}),
    ...(regions && regions.length > 1 ? { segments: regions.map(({ kind: regionKind, start, end }) => ({ kind: regionKind, firstLine: start + 1, lines: end - start })) } : {}),
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

/**
 * The default budget: a quarter of the input, at least LOSSLESS_MAX_TOKENS (an output just over
 * the lossless limit is not cut to a few hundred tokens) and at most 64,000. Compressors fold what
 * is redundant (repeats, noise, passing tests) whatever the budget; the budget decides how much of
 * the rest stays in view.
 */
export function defaultBudget(inputTokens: number): number {
  return Math.min(MAX_DEFAULT_BUDGET, Math.max(LOSSLESS_MAX_TOKENS, Math.round(inputTokens / 4)));
}

/**
 * A budget for documents chosen for a query (RAG passages, fetched pages): a quarter of the input,
 * at least 256 tokens and at most 64,000. Unlike tool outputs, small documents are compressed
 * too: the query says what in them matters. The document adapters use it by default.
 *
 * @example
 * await compress(passage, { query: question, budget: documentBudget });
 */
export function documentBudget(inputTokens: number): number {
  return Math.min(MAX_DEFAULT_BUDGET, Math.max(256, Math.round(inputTokens / 4)));
}

function resolveBudget(budget: CompressOptions['budget'], inputTokens: number): number {
  if (typeof budget === 'function') {
    const chosen = budget(inputTokens);
    return Number.isFinite(chosen) && chosen > 0 ? chosen : defaultBudget(inputTokens);
  }
  return budget ?? defaultBudget(inputTokens);
}


type RenderedFold = FoldInfo & FoldToWrite;

/**
 * Joins kept text (escaped) and markers; one fold record per distinct id. Two different folds
 * that share an id (a 15-digit hash collision) make the whole output unusable: `clash` says so
 * and the input passes through, since one of the two markers would unfold to the other's text.
 */
function render(pieces: ReadonlyArray<string | FoldRequest>): { output: string; folds: RenderedFold[]; clash?: Error } {
  const folds = new Map<string, RenderedFold>();
  let clash: Error | undefined;
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
    const numbering = foldNumbering(piece);
    const digest = foldDigest(piece.text, numbering);
    const id = idOfDigest(digest);
    const earlier = folds.get(id);
    if (!earlier) {
      folds.set(id, {
        id,
        digest,
        unit: piece.unit,
        count: piece.count,
        summary: piece.summary,
        chars: piece.text.length,
        text: piece.text,
        firstLine: numbering.firstLine,
        ...(numbering.lineNumbers ? { lines: lineRuns(numbering.lineNumbers) } : {}),
      });
    } else if (earlier.digest !== digest) {
      clash ??= new Error(`two different folds of one output share the id ${id}`);
    }
    output += renderMarker(id, piece);
  }
  output += escapeLookAlikes(kept);
  return { output, folds: [...folds.values()], ...(clash ? { clash } : {}) };
}

// Line numbers that are one run are kept as `firstLine` alone.
function foldNumbering(fold: FoldRequest): { firstLine: number; lineNumbers?: number[] } {
  const numbers = fold.lineNumbers;
  if (!numbers || numbers.length === 0) return { firstLine: fold.firstLine ?? 1 };
  const contiguous = numbers.every((line, index) => line === numbers[0]! + index);
  return contiguous ? { firstLine: numbers[0]! } : { firstLine: numbers[0]!, lineNumbers: numbers };
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

