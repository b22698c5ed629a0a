import type { CompressorContext, FoldRequest, Piece } from '../types.ts';

/*
 * Helpers shared by the line-based compressors (build output, search results, diffs).
 *
 * They all work the same way: split the input into lines once, decide per line what stays in
 * view, and fold the rest with the exact original lines and the line number they had in the
 * input. Keeping that bookkeeping here means each compressor only decides *what* to fold.
 */

/** An input cut into lines, so that `lines.join('\n') + (trailingNewline ? '\n' : '')` is the input. */
export interface SplitText {
  /** The lines without their `\n` (a `\r` of CRLF input stays on its line). */
  lines: string[];
  /** Whether the input ended with `\n`; the empty string after it is not a line. */
  trailingNewline: boolean;
}

/** Splits text on `\n`, byte-exact: joining the lines back gives the input. */
export function splitLines(text: string): SplitText {
  const lines = text.split('\n');
  const trailingNewline = lines.length > 1 && lines[lines.length - 1] === '';
  if (trailingNewline) lines.pop();
  return { lines, trailingNewline };
}

/** One item of a compressor's output: a kept line (its index) or a fold. */
export type LineItem = number | FoldRequest;

/** Folds lines `start` to `end` (exclusive, 0-based) with their input numbering. */
export function foldLines(lines: readonly string[], start: number, end: number, summary?: string): FoldRequest {
  return {
    text: lines.slice(start, end).join('\n'),
    unit: 'lines',
    count: end - start,
    firstLine: start + 1,
    ...(summary ? { summary } : {}),
  };
}

/**
 * Folds lines given by index, in the order given, with their input numbering: `firstLine` when
 * they are one contiguous run, else each line's number in `lineNumbers`.
 */
export function foldLineList(lines: readonly string[], indices: readonly number[], summary?: string): FoldRequest {
  let contiguous = true;
  for (let i = 1; i < indices.length; i++) {
    if (indices[i] !== indices[i - 1]! + 1) {
      contiguous = false;
      break;
    }
  }
  if (contiguous && indices.length > 0) return foldLines(lines, indices[0]!, indices[indices.length - 1]! + 1, summary);
  return {
    text: indices.map((index) => lines[index]).join('\n'),
    unit: 'lines',
    count: indices.length,
    lineNumbers: indices.map((index) => index + 1),
    ...(summary ? { summary } : {}),
  };
}

/**
 * Renders items as pieces: one item per output line, kept lines merged into one string between
 * folds so that the core escapes and joins as little as possible.
 */
export function renderItems(lines: readonly string[], items: readonly LineItem[], trailingNewline: boolean): Piece[] {
  const pieces: Piece[] = [];
  let kept: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const last = i === items.length - 1;
    if (typeof item === 'number') {
      kept.push(lines[item]!);
      continue;
    }
    if (kept.length > 0) {
      pieces.push(kept.join('\n') + '\n');
      kept = [];
    }
    pieces.push(item);
    if (!last || trailingNewline) pieces.push('\n');
  }
  if (kept.length > 0) pieces.push(kept.join('\n') + (trailingNewline ? '\n' : ''));
  return pieces;
}

/** A contiguous span to fold, `start` to `end` exclusive, 0-based. */
export interface LineSpan {
  start: number;
  end: number;
  summary?: string;
}

/** Items for an in-order compressor: every line kept except the given spans (sorted, disjoint). */
export function itemsFromSpans(lines: readonly string[], spans: readonly LineSpan[]): LineItem[] {
  const items: LineItem[] = [];
  let next = 0;
  for (const span of spans) {
    for (let index = next; index < span.start; index++) items.push(index);
    items.push(foldLines(lines, span.start, span.end, span.summary));
    next = span.end;
  }
  for (let index = next; index < lines.length; index++) items.push(index);
  return items;
}

// A rendered marker (`[[fold 482913075561417: 184 lines; 412 passing]]`) costs about 17 tokens. A
// span folds only when that saves at least as much again: hiding a line to save three tokens
// costs the agent an unfold for nothing.
export const MARKER_TOKENS = 17;
// Runs shorter than this must hide twice the usual tokens to fold (see worthFolding).
const MIN_FOLD_LINES = 3;

/**
 * Whether lines `start` to `end` are worth a marker: their estimated tokens exceed `threshold`,
 * and, for a run of one or two lines, twice that: a fold of a line or two makes the reader unfold
 * for what it could have read in place (the issue measured many folds of about 70 characters).
 * Stops reading as soon as the answer is known, so long runs cost no more than short ones.
 */
export function worthFolding(
  lines: readonly string[],
  start: number,
  end: number,
  estimateTokens: (text: string) => number,
  threshold = 2 * MARKER_TOKENS,
): boolean {
  const needed = end - start < MIN_FOLD_LINES ? 2 * threshold : threshold;
  let tokens = 0;
  for (let index = start; index < end; index++) {
    const line = lines[index]!;
    // A long line is surely over the threshold; no need to estimate all of it.
    tokens += line.length > 8 * needed ? needed + 1 : estimateTokens(line) + 1;
    if (tokens > needed) return true;
  }
  return false;
}

// A line longer than this is not kept whole: a docker pull's progress redraws or a minified
// bundle in a stack trace make lines of 100,000 characters. Its head and tail stay visible (where
// a message and its end are) and its middle folds. The one fold that starts inside a line.
export const LONG_LINE_CHARS = 2000;
export const LONG_LINE_SHOWN = 400;

// An evidence line (an error message listing 300 versions) stays whole up to this length.
export const LONG_EVIDENCE_CHARS = 10_000;

/**
 * The pieces with the middle of every kept line over LONG_LINE_CHARS folded; lines in `evidence`
 * only past LONG_EVIDENCE_CHARS.
 */
export function foldLongLines(pieces: readonly Piece[], evidence: ReadonlySet<string> = new Set()): Piece[] {
  const result: Piece[] = [];
  for (const piece of pieces) {
    if (typeof piece !== 'string' || piece.length <= LONG_LINE_CHARS) {
      result.push(piece);
      continue;
    }
    let start = 0;
    let kept = '';
    while (start < piece.length) {
      let end = piece.indexOf('\n', start);
      if (end === -1) end = piece.length;
      const length = end - start;
      if (length > LONG_LINE_CHARS && (length > LONG_EVIDENCE_CHARS || !evidence.has(piece.slice(start, end)))) {
        const middleStart = start + LONG_LINE_SHOWN;
        const middleEnd = end - LONG_LINE_SHOWN;
        result.push(kept + piece.slice(start, middleStart));
        result.push({ text: piece.slice(middleStart, middleEnd), unit: 'chars', count: middleEnd - middleStart, summary: 'the middle of this line' });
        kept = piece.slice(middleEnd, end);
      } else {
        kept += piece.slice(start, end);
      }
      if (end < piece.length) kept += '\n';
      start = end + 1;
    }
    result.push(kept);
  }
  return result;
}

// Words that say nothing about which file or line the agent is after.
const STOP_WORDS = new Set(
  [
    'the and for with this that from into what why how does did not are was were can could should would',
    'have has had its use using when where which who will fix bug issue please make find show file files',
    'line lines code',
  ]
    .join(' ')
    .split(' '),
);

/**
 * The query's search terms, lowercased: words of 3+ characters that are not stop words, plus
 * whole path-like tokens (`src/a.ts`, `fields.py`). At most 16, in order of first appearance.
 */
export function queryTerms(query: string): string[] {
  const terms = new Set<string>();
  const bounded = query.length > 2000 ? query.slice(0, 2000) : query;
  for (const token of bounded.toLowerCase().split(/\s+/)) {
    const trimmed = trimPunctuation(token);
    if (/[./]/.test(trimmed) && /\w/.test(trimmed) && trimmed.length >= 3) terms.add(trimmed);
    for (const word of trimmed.split(/[^a-z0-9_]+/)) {
      if (word.length >= 3 && !STOP_WORDS.has(word)) terms.add(word);
    }
  }
  return [...terms].slice(0, 16);
}

// Strips quotes, brackets and the like around a token; a loop, so no regex can backtrack.
function trimPunctuation(token: string): string {
  const keeps = (c: number) => /[\w./-]/.test(String.fromCharCode(c));
  let start = 0;
  let end = token.length;
  while (start < end && !keeps(token.charCodeAt(start))) start++;
  while (end > start && !keeps(token.charCodeAt(end - 1))) end--;
  return token.slice(start, end);
}

/** How many of `terms` occur in `text` (already lowercased). */
export function countTerms(text: string, terms: readonly string[]): number {
  let hits = 0;
  for (const term of terms) if (text.includes(term)) hits++;
  return hits;
}

/**
 * Exact tokens per estimated token of `text`, from one exact count of three windows of it (about
 * a sixteenth, between 512 characters and 6 KB), or of all of it up to `wholeUpTo` characters,
 * clamped to 0.5-3: what scales a compressor's estimates to the caller's tokenizer at little cost
 * next to counting the text.
 *
 * @example
 * const ratio = tokenRatio(diffText, context); // 0.8 on punctuation-dense code
 */
export function tokenRatio(text: string, context: Pick<CompressorContext, 'countTokens' | 'estimateTokens'>, wholeUpTo = 0): number {
  const window = Math.round(Math.min(2048, Math.max(171, text.length / 48)));
  const middle = Math.floor(text.length / 2);
  const sample = text.length <= Math.max(3 * window, wholeUpTo) ? text : text.slice(0, window) + text.slice(middle, middle + window) + text.slice(-window);
  const estimate = context.estimateTokens(sample);
  if (estimate === 0) return 1;
  return Math.min(3, Math.max(0.5, context.countTokens(sample) / estimate));
}

/**
 * The query terms that pick some of `texts` (lower-cased) out: a term in more than half of them
 * (`core` in `git log -p -- core`, the command line as the query) says nothing about which one the
 * agent is after, and keeping every text it is in would keep them all.
 *
 * @example
 * selectiveTerms(['core/a.ts', 'core/b.ts', 'cli/c.ts'], ['core', 'cli']); // ['cli']
 */
export function selectiveTerms(texts: readonly string[], terms: readonly string[]): string[] {
  return terms.filter((term) => texts.filter((text) => text.includes(term)).length <= Math.max(1, texts.length / 2));
}
