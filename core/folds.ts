import { createHash } from 'node:crypto';
import type { FoldRequest } from './types.ts';

/*
 * The fold marker: `[[fold 482913075561204: 184 rows; status "passed" 180, "failed" 4]]`.
 *
 * Ids are 15 decimal digits taken from the SHA-256 of the folded text's exact UTF-16 code units
 * (and of its input line numbers, when they are not 1, 2, 3…). Why 15 digits: o200k reads digits
 * three to a token, so 15 digits cost one token more than 12 and 18 would cost two; the odds of
 * two folds sharing an id in one namespace are 5·10⁻⁸ at 10⁴ folds, 5·10⁻⁴ at 10⁶ and 1 at 10⁸
 * (a shared id costs one pass-through, never a wrong answer: see `writeFolds`); and every
 * 15-digit number is exact as a JavaScript number, so a model that sends the id as a JSON number
 * still reaches the right fold (18 digits would not survive `JSON.parse`).
 */

/** Digits in a fold id. */
export const FOLD_ID_DIGITS = 15;
const ID_MODULUS = 10n ** BigInt(FOLD_ID_DIGITS);

const MARKER = /\[\[fold (\d{15})(?:: ([^\]\n]*))?\]\]/g;
// Anything in the input that could read as our marker: `[[fold `, `[[\fold `, `[[\\fold ` ...
const LOOK_ALIKE = /\[\[(\\*)fold /g;

/** Where a fold's lines were in the input; absent fields mean lines 1, 2, 3… */
export interface FoldNumbering {
  /** Input line number of the fold's first line, when its lines are one run. */
  firstLine?: number;
  /** Input line number of each line of the fold, when they were gathered from many places. */
  lineNumbers?: readonly number[];
}

/**
 * The SHA-256 a fold id is cut from, in hex. It covers the exact UTF-16 code units of the text
 * (so `'x\uD800'` and `'x\uFFFD'` differ, which UTF-8 would merge) and the fold's input line
 * numbers, length-prefixed so that no text can pass for another text plus numbering.
 *
 * @example
 * foldDigest('a\nb', { firstLine: 33 }); // 64 hex digits
 */
export function foldDigest(text: string, numbering: FoldNumbering = {}): string {
  const hash = createHash('sha256').update(`${text.length}:`, 'latin1').update(text, 'utf16le');
  const lines = numberingKey(numbering);
  if (lines) hash.update(`\n${lines}`, 'latin1');
  return hash.digest('hex');
}

/**
 * The content-hash id of a folded text: 15 digits, the same for the same text and numbering.
 *
 * @example
 * foldId('some folded lines\n'); // '0391…' (15 digits)
 * foldId('x', { firstLine: 40 }) !== foldId('x'); // the same lines elsewhere are another fold
 */
export function foldId(text: string, numbering: FoldNumbering = {}): string {
  return idOfDigest(foldDigest(text, numbering));
}

/** The fold id cut from a `foldDigest`. */
export function idOfDigest(digest: string): string {
  return (BigInt(`0x${digest.slice(0, 16)}`) % ID_MODULUS).toString().padStart(FOLD_ID_DIGITS, '0');
}

/**
 * True when `id` has the shape of a fold id.
 *
 * @example
 * isFoldId('000000000000042'); // true
 */
export function isFoldId(id: string): boolean {
  return /^\d{15}$/.test(id);
}

/**
 * The fold id in what a model passed: a bare id, a whole marker, or a JSON number that lost its
 * leading zeros (`42` is `000000000000042`). `undefined` when there is none: a string must hold
 * exactly 15 digits in a row, so a longer number, a 12-digit id of an older tokenfold or a number
 * that JSON rounded never reaches a fold it was not meant for.
 *
 * @example
 * parseFoldId('[[fold 000000000000042: 3 lines]]'); // '000000000000042'
 * parseFoldId(42); // '000000000000042'
 */
export function parseFoldId(input: unknown): string | undefined {
  if (typeof input === 'number') {
    return Number.isSafeInteger(input) && input >= 0 && input < 10 ** FOLD_ID_DIGITS
      ? String(input).padStart(FOLD_ID_DIGITS, '0')
      : undefined;
  }
  if (typeof input !== 'string') return undefined;
  return input.match(/(?<!\d)\d{15}(?!\d)/)?.[0];
}

/** Renders one marker. */
export function renderMarker(id: string, fold: Pick<FoldRequest, 'unit' | 'count' | 'summary'>): string {
  const what = `${fold.count} ${fold.count === 1 ? fold.unit.replace(/s$/, '') : fold.unit}`;
  const summary = fold.summary ? cleanSummary(fold.summary) : '';
  return `[[fold ${id}: ${what}${summary ? `; ${summary}` : ''}]]`;
}

/** The ids of all markers in a text, in order of appearance. */
export function findMarkers(text: string): Array<{ id: string; index: number; length: number }> {
  return [...text.matchAll(MARKER)].map((match) => ({
    id: match[1]!,
    index: match.index,
    length: match[0].length,
  }));
}

/**
 * Escapes marker look-alikes in text that came from the input, so that only markers the core
 * rendered parse as markers: `[[fold ` becomes `[[\fold `. Reversed by `unescapeLookAlikes`.
 * One backslash per look-alike: at most 2 o200k tokens each (the worst case measured in
 * core/folds.test.ts), the one way a pass-through can be larger than its input.
 */
export function escapeLookAlikes(text: string): string {
  return text.includes('[[') ? text.replace(LOOK_ALIKE, '[[\\$1fold ') : text;
}

export function unescapeLookAlikes(text: string): string {
  return text.includes('[[') ? text.replace(/\[\[\\(\\*)fold /g, '[[$1fold ') : text;
}

// Characters that must never reach the model from a summary: C0 and C1 controls (ESC, U+0085),
// bidirectional overrides and isolates (which reorder what the model and a human see), zero-width
// and other format characters, line and paragraph separators, and lone surrogates.
const SPACING = /[\p{Cc}\p{Zl}\p{Zp}]/gu;
const INVISIBLE = /[\p{Cf}\p{Cs}]/gu;
/** A marker's summary is cut to this many characters (`cleanSummary`). */
export const MAX_SUMMARY_CHARS = 160;
const MAX_VALUE_CHARS = 40;

/**
 * Quotes a value taken from the input for use in a fold summary: in double quotes, with inner
 * quotes and backslashes escaped, unsafe characters dropped, square brackets turned round and at
 * most `maxChars` characters, so that nothing in it reads as part of tokenfold's own words or
 * closes the marker.
 *
 * @example
 * quoteValue('passed 800, failed 0]] IGNORE'); // '"passed 800, failed 0)) IGNORE"'
 */
export function quoteValue(value: string, maxChars = MAX_VALUE_CHARS): string {
  const clean = safeText(value);
  const capped = clean.length > maxChars ? `${sliceWhole(clean, maxChars - 1)}…` : clean;
  return `"${capped.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * A summary as it goes into a marker: one line, without control, bidi or format characters,
 * square brackets turned round (so it cannot close the marker or open another), at most 160
 * characters.
 *
 * @example
 * cleanSummary('a\nb [x]]\u202E c'); // 'a b (x)) c'
 */
export function cleanSummary(summary: string): string {
  const oneLine = safeText(summary).trim();
  return oneLine.length > MAX_SUMMARY_CHARS ? `${sliceWhole(oneLine, MAX_SUMMARY_CHARS - 3)}...` : oneLine;
}

// Controls and separators become spaces (they separated words); format characters and lone
// surrogates go.
function safeText(text: string): string {
  return text
    .replace(SPACING, ' ')
    .replace(INVISIBLE, '')
    .replace(/\s+/g, ' ')
    .replaceAll('[', '(')
    .replaceAll(']', ')');
}

// A prefix that does not end in half a surrogate pair.
function sliceWhole(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

/**
 * Line numbers as runs, `33-61,70,80-82`: how a gathered fold's numbering is stored and hashed.
 *
 * @example
 * lineRuns([3, 4, 5, 9]); // '3-5,9'
 */
export function lineRuns(lineNumbers: readonly number[]): string {
  const runs: string[] = [];
  for (let index = 0; index < lineNumbers.length; ) {
    const start = lineNumbers[index]!;
    let end = index;
    while (end + 1 < lineNumbers.length && lineNumbers[end + 1] === lineNumbers[end]! + 1) end++;
    runs.push(end === index ? String(start) : `${start}-${lineNumbers[end]}`);
    index = end + 1;
  }
  return runs.join(',');
}

/** The line numbers written by `lineRuns`; `undefined` when the text is not of that form. */
export function parseLineRuns(runs: string): number[] | undefined {
  const numbers: number[] = [];
  for (const run of runs.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(run);
    if (!match) return undefined;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from || to - from > 50_000_000) return undefined;
    for (let line = from; line <= to; line++) numbers.push(line);
  }
  return numbers;
}

// '' for the default numbering (lines 1, 2, 3…), so that `foldId(text)` is the id of a plain fold.
function numberingKey({ firstLine, lineNumbers }: FoldNumbering): string {
  if (lineNumbers && lineNumbers.length > 0) {
    const contiguous = lineNumbers.every((line, index) => line === lineNumbers[0]! + index);
    if (!contiguous) return lineRuns(lineNumbers);
    firstLine = lineNumbers[0];
  }
  return firstLine === undefined || firstLine === 1 ? '' : String(firstLine);
}
