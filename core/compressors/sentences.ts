/*
 * Sentence and clause splitting for prose: the units that the text compressor keeps or folds, and
 * that a model scores. Each unit is an offset range into the original text, so whatever is kept is
 * an exact original substring and whatever is folded can be restored byte for byte.
 *
 * Paragraphs are separated by blank lines. Inside a paragraph a unit ends at sentence punctuation
 * (not after abbreviations, initials, decimals or list numbers), or at a line break unless the next
 * line continues wrapped prose. Headings, list items and other lines without punctuation are units
 * of their own. Long sentences can then be cut into clauses. One linear scan each; regular
 * expressions only look at the start of a line or at one short word.
 *
 * Text made of lines rather than prose (code, tracebacks, file views with line numbers, aligned
 * command output) is split by line instead: there a period or a comma ends nothing, and half a
 * line of code is worth less than none.
 */

/** One unit of text: `text.slice(start, end)`, without surrounding whitespace. */
export interface Sentence {
  start: number;
  end: number;
  /** 0-based index of the blank-line separated paragraph the unit belongs to. */
  paragraph: number;
}

export interface SplitOptions {
  /**
   * Longest unit in characters; longer runs (a megabyte line without punctuation) are cut at a
   * space, so that every unit stays small enough to keep or fold on its own. Default 1200.
   */
  maxLength?: number;
  /**
   * Every non-blank line is one unit, indentation included, never cut at punctuation (only past
   * `maxLength`). For text that `looksLineStructured`. Default false.
   */
  byLine?: boolean;
}

/** A part of a sentence: the unit the text compressor keeps or folds. */
export interface Clause extends Sentence {
  /** Index of the sentence (in `splitSentences` order) that the clause belongs to. */
  sentence: number;
}

export interface ClauseOptions {
  /** Sentences up to this many characters stay whole. Default 100. */
  splitAbove?: number;
  /** Clauses shorter than this join the next one (or the previous, at the end). Default 30. */
  minLength?: number;
}

const DEFAULT_MAX_LENGTH = 1200;
// `looksLineStructured` reads this much, and counts a line this long as a paragraph of prose.
const SAMPLE_CHARS = 64 * 1024;
const SAMPLE_LINES = 200;
const PARAGRAPH_LINE = 160;

// Words that end in a period without ending the sentence. Lowercase, without the period.
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'ft', 'vs', 'cf', 'al', 'ca', 'approx',
  'dept', 'est', 'gen', 'col', 'lt', 'sgt', 'capt', 'cmdr', 'adm', 'rev', 'hon', 'gov', 'sen', 'rep',
  'pres', 'supt', 'messrs', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct',
  'nov', 'dec', 'ave', 'blvd', 'univ', 'assn', 'bros', 'viz', 'resp',
]);
// These only abbreviate when a number follows: "No. 5", "Fig. 3", "pp. 12".
const NUMBER_ABBREVIATIONS = new Set(['no', 'nos', 'fig', 'figs', 'vol', 'vols', 'p', 'pp', 'ch', 'sec', 'eq', 'eqs', 'art', 'op', 'nr']);

// A line that starts a block of its own: list item, heading, quote, table row, code fence.
const BLOCK_START = /[ \t]*(?:[-*+•▪◦‣][ \t]|\d{1,3}[.)][ \t]|[A-Za-z][.)][ \t]|#{1,6}[ \t]|>|\||```|~~~)/y;

/**
 * Splits text into sentence-like units with their paragraph, in order. Units never overlap and
 * never include the whitespace between them.
 *
 * @example
 * splitSentences('Dr. Smith paid $3.50. He left.\n\n- milk\n- eggs')
 * // units: 'Dr. Smith paid $3.50.', 'He left.', '- milk', '- eggs' (the list is paragraph 1)
 */
export function splitSentences(text: string, options: SplitOptions = {}): Sentence[] {
  const maxLength = Math.max(16, options.maxLength ?? DEFAULT_MAX_LENGTH);
  if (options.byLine) return splitLines(text, maxLength);
  const sentences: Sentence[] = [];
  let paragraph = 0;
  let blankSeen = false;
  let unitStart = -1; // start of the open unit, -1 when none is open
  let lastSpace = -1; // last whitespace inside the open unit, where an overlong unit is cut
  let previousLineStart = -1;
  let previousLineEnd = -1;

  const close = (end: number): void => {
    while (end > unitStart && isSpace(text.charCodeAt(end - 1))) end--;
    if (end > unitStart) sentences.push({ start: unitStart, end, paragraph });
    unitStart = -1;
    lastSpace = -1;
  };

  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const contentStart = skipSpaces(text, lineStart, lineEnd);

    if (contentStart === lineEnd) {
      // A blank line ends the open unit and the paragraph.
      if (unitStart !== -1) close(previousLineEnd);
      if (sentences.length > 0) blankSeen = true;
    } else {
      if (blankSeen) {
        paragraph++;
        blankSeen = false;
      }
      if (unitStart !== -1 && !continuesProse(text, previousLineStart, previousLineEnd, lineStart, contentStart)) {
        close(previousLineEnd);
      }
      if (unitStart === -1) unitStart = contentStart;
      else lastSpace = lineStart - 1; // the line break itself is a place to cut

      for (let i = contentStart; i < lineEnd; i++) {
        const c = text.charCodeAt(i);
        if (isSpace(c)) {
          if (unitStart !== -1) lastSpace = i;
          continue;
        }
        if (unitStart === -1) unitStart = i;
        if (isTerminal(c)) {
          const after = sentenceEnd(text, i, lineEnd, unitStart);
          if (after !== -1) {
            close(after);
            i = after - 1;
            continue;
          }
        }
        if (i - unitStart >= maxLength) {
          // Cut an overlong unit at its last space, or mid-word if it has none worth using.
          let cut = lastSpace > unitStart + maxLength / 2 ? lastSpace : i;
          if (isLowSurrogate(text.charCodeAt(cut))) cut--;
          close(cut);
          unitStart = skipSpaces(text, cut, lineEnd);
          i = unitStart - 1;
        }
      }
      previousLineStart = contentStart;
      previousLineEnd = lineEnd;
    }
    lineStart = lineEnd + 1;
  }
  if (unitStart !== -1) close(previousLineEnd);
  return sentences;
}

/**
 * Whether the text is made of lines rather than prose: most of its lines are numbered (`1475:`),
 * indented, or mostly digits and symbols, and few are paragraph-long. Code, tracebacks, file views,
 * tables and command output are; prose, wrapped or not, and Markdown lists are not. Reads at most
 * the first 200 non-blank lines of the first 64 KiB.
 *
 * @example
 * looksLineStructured('Traceback (most recent call last):\n  File "a.py", line 3, in <module>\n    f()\nKeyError: 1') // true
 */
export function looksLineStructured(text: string): boolean {
  const limit = Math.min(text.length, SAMPLE_CHARS);
  let lines = 0;
  let structured = 0;
  let paragraphs = 0;
  for (let lineStart = 0; lineStart < limit && lines < SAMPLE_LINES; ) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1 || lineEnd > limit) lineEnd = limit;
    const contentStart = skipSpaces(text, lineStart, lineEnd);
    if (contentStart < lineEnd) {
      lines++;
      if (lineEnd - contentStart > PARAGRAPH_LINE) paragraphs++;
      else if (contentStart - lineStart >= 2 || text.charCodeAt(lineStart) === 9 || isNumberedLine(text, contentStart, lineEnd) || isSymbolHeavy(text, contentStart, lineEnd)) {
        structured++;
      }
    }
    lineStart = lineEnd + 1;
  }
  return lines >= 2 && structured * 2 >= lines && paragraphs * 5 < lines;
}

/**
 * Cuts long sentences into clauses at `, ; :`, brackets and dashes, so that the relevant half of a
 * long sentence can stay without the other half. Short pieces join their neighbour, so lists and
 * dates ("Denmark, Iceland and Norway", "June 4, 1990") mostly stay in one piece. Short sentences
 * are one clause.
 *
 * @example
 * splitClauses(text, splitSentences(text)) // [{ start, end, paragraph, sentence }, ...]
 */
export function splitClauses(text: string, sentences: readonly Sentence[], options: ClauseOptions = {}): Clause[] {
  const splitAbove = options.splitAbove ?? 100;
  const minLength = options.minLength ?? 30;
  const clauses: Clause[] = [];
  for (let s = 0; s < sentences.length; s++) {
    const { start, end, paragraph } = sentences[s]!;
    if (end - start <= splitAbove) {
      clauses.push({ start, end, paragraph, sentence: s });
      continue;
    }
    let clauseStart = start;
    for (let i = start + 1; i < end - 1; i++) {
      const c = text.charCodeAt(i);
      if (c !== 44 && c !== 59 && c !== 58 && c !== 41 && c !== 32) continue;
      const cut = clauseCut(text, i);
      if (cut === -1 || cut - clauseStart < minLength || end - cut < minLength) continue;
      let clauseEnd = cut;
      while (clauseEnd > clauseStart && isSpace(text.charCodeAt(clauseEnd - 1))) clauseEnd--;
      clauses.push({ start: clauseStart, end: clauseEnd, paragraph, sentence: s });
      clauseStart = skipSpaces(text, cut, end);
      i = clauseStart;
    }
    clauses.push({ start: clauseStart, end, paragraph, sentence: s });
  }
  return clauses;
}

// One unit per non-blank line, from the line's start (indentation is part of a line of code) to its
// last non-space character; a line over `maxLength` is cut at a space, as `splitSentences` does.
function splitLines(text: string, maxLength: number): Sentence[] {
  const lines: Sentence[] = [];
  let paragraph = 0;
  let blankSeen = false;
  for (let lineStart = 0; lineStart <= text.length; ) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    let end = lineEnd;
    while (end > lineStart && isSpace(text.charCodeAt(end - 1))) end--;
    if (end === lineStart) {
      if (lines.length > 0) blankSeen = true;
    } else {
      if (blankSeen) {
        paragraph++;
        blankSeen = false;
      }
      let start = lineStart;
      while (end - start > maxLength) {
        let cut = start + maxLength;
        while (cut > start + maxLength / 2 && !isSpace(text.charCodeAt(cut))) cut--;
        if (cut <= start + maxLength / 2) cut = start + maxLength;
        if (isLowSurrogate(text.charCodeAt(cut))) cut--;
        let cutEnd = cut;
        while (cutEnd > start && isSpace(text.charCodeAt(cutEnd - 1))) cutEnd--;
        if (cutEnd > start) lines.push({ start, end: cutEnd, paragraph });
        start = skipSpaces(text, cut, end);
      }
      lines.push({ start, end, paragraph });
    }
    lineStart = lineEnd + 1;
  }
  return lines;
}

// `1475:`, `12|` or `  7\t`: a line number the way file viewers, grep -n and cat -n print it.
function isNumberedLine(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && i - start < 8 && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  if (i === start || i === end) return false;
  const c = text.charCodeAt(i);
  return c === 58 || c === 124 || c === 9;
}

// More than a fifth of the line's non-space characters are digits or symbols: code, tables, data.
function isSymbolHeavy(text: string, start: number, end: number): boolean {
  let symbols = 0;
  let characters = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) continue;
    characters++;
    if (c < 128 && !((c >= 97 && c <= 122) || (c >= 65 && c <= 90))) symbols++;
  }
  return symbols * 5 > characters;
}

/**
 * Where the unit ends when the terminal character at `at` ends a sentence (after any repeated
 * punctuation and closing quotes or brackets), or -1 when it does not.
 */
function sentenceEnd(text: string, at: number, lineEnd: number, unitStart: number): number {
  const c = text.charCodeAt(at);
  let after = at + 1;
  while (after < lineEnd && (isTerminal(text.charCodeAt(after)) || isCloser(text.charCodeAt(after)))) after++;
  // CJK full stops need no space after them.
  if (c === 0x3002 || c === 0xff01 || c === 0xff1f) return after;
  if (after < lineEnd && !isSpace(text.charCodeAt(after))) return -1; // 3.14, example.com, a.m.
  const next = skipSpaces(text, after, lineEnd);
  if (next < lineEnd && continuesSentence(text.charCodeAt(next))) return -1;
  if (c === 46 && after === at + 1 && isAbbreviation(text, at, unitStart, next < lineEnd ? text.charCodeAt(next) : 0)) {
    return -1;
  }
  return after;
}

// The word before the period at `at`: an abbreviation ("Dr", "approx"), an initial ("J"), a dotted
// form with short parts ("U.S", "e.g", "Ph.D", but not "example.com"), or a list number ("1",
// "b", "iv") that is all the unit holds so far.
function isAbbreviation(text: string, at: number, unitStart: number, nextChar: number): boolean {
  let wordStart = at;
  while (wordStart > unitStart && at - wordStart < 12 && isWordChar(text.charCodeAt(wordStart - 1))) wordStart--;
  if (wordStart === at) return false;
  const word = text.slice(wordStart, at);
  if (wordStart === unitStart && /^(\d{1,3}|[a-z]|[ivxlc]{1,4})$/i.test(word)) return true;
  if (word.length === 1 && isUpper(word.charCodeAt(0))) return true;
  if (word.includes('.')) return word.split('.').every((part) => part.length <= 2 && !/\d/.test(part));
  const lower = word.toLowerCase();
  if (ABBREVIATIONS.has(lower)) return true;
  return NUMBER_ABBREVIATIONS.has(lower) && nextChar >= 48 && nextChar <= 57;
}

// Wrapped prose: the previous line did not end a unit and is long (a short one is a heading, a
// label or a line of a list), and this line does not start a block (list item, heading, table).
// An indented line under a list item continues the item.
function continuesProse(text: string, previousStart: number, previousEnd: number, lineStart: number, contentStart: number): boolean {
  if (startsBlock(text, lineStart)) return false;
  if (startsBlock(text, previousStart)) return contentStart > lineStart;
  let end = previousEnd;
  while (end > previousStart && isSpace(text.charCodeAt(end - 1))) end--;
  return end - previousStart >= 40 && text.charCodeAt(end - 1) !== 58; // not after a colon
}

function startsBlock(text: string, at: number): boolean {
  BLOCK_START.lastIndex = at;
  return BLOCK_START.test(text);
}

// Where a new clause starts when one can start after position `at`, else -1: after ", " "; "
// ": " and ") ", and before " (" and spaced dashes. Not before a number after a comma, which is
// how dates ("June 4, 1420") and figures are written.
function clauseCut(text: string, at: number): number {
  const c = text.charCodeAt(at);
  const next = text.charCodeAt(at + 1);
  if ((c === 44 || c === 59 || c === 58 || c === 41) && isSpace(next)) {
    const after = text.charCodeAt(at + 2);
    return c === 44 && after >= 48 && after <= 57 ? -1 : at + 1;
  }
  if (c === 32 && (next === 40 || ((next === 0x2014 || next === 0x2013 || next === 45) && text.charCodeAt(at + 2) === 32))) return at + 1;
  return -1;
}

function skipSpaces(text: string, from: number, to: number): number {
  while (from < to && isSpace(text.charCodeAt(from))) from++;
  return from;
}

// Space, tab, line feed, carriage return, form feed, no-break space.
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10 || c === 12 || c === 0xa0;
}

// . ! ? … and their CJK full-width forms.
function isTerminal(c: number): boolean {
  return c === 46 || c === 33 || c === 63 || c === 0x2026 || c === 0x3002 || c === 0xff01 || c === 0xff1f;
}

// Closing quotes and brackets that belong to the sentence before them.
function isCloser(c: number): boolean {
  return (
    c === 34 || c === 39 || c === 41 || c === 93 || c === 125 || c === 42 || c === 95 ||
    c === 0x2019 || c === 0x201d || c === 0xbb || c === 0x300d || c === 0x300f || c === 0xff09
  );
}

// What follows a period inside a sentence: a lowercase word or more punctuation of the clause.
function continuesSentence(c: number): boolean {
  return isLower(c) || c === 44 || c === 59 || c === 58;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isLower(c: number): boolean {
  if (c >= 97 && c <= 122) return true;
  if (c < 0xc0) return false;
  const char = String.fromCharCode(c);
  return char !== char.toUpperCase() && char === char.toLowerCase();
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
