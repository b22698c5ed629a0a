import { createHash } from 'node:crypto';
// `#gpt-tokenizer/*` is gpt-tokenizer in the sources and its bundled copy in the built package
// (package.json `imports`, scripts/vendor-tokenizer.ts): the whole package would weigh 29 MB.
import * as o200k from '#gpt-tokenizer/o200k_base';
import type { TokenCounter, TokenizerName } from './types.ts';

// Special-token strings such as `<|endoftext|>` appear in real tool output; count them as text
// instead of letting the tokenizer throw.
const asPlainText = { disallowedSpecial: new Set<string>() };

/** o200k_base (GPT-4o, GPT-4.1, o-series), shipped inside gpt-tokenizer: no download. */
export const o200kCounter: TokenCounter = guarded('o200k_base', o200k.countTokens, o200k.isWithinTokenLimit);

let cl100kCounter: TokenCounter | undefined;

/** Resolves a tokenizer option to a counter. cl100k_base loads on first use. */
export async function resolveTokenCounter(
  tokenizer: TokenizerName | TokenCounter | undefined,
): Promise<TokenCounter> {
  if (tokenizer === undefined || tokenizer === 'o200k_base') return o200kCounter;
  if (typeof tokenizer === 'object') return tokenizer;
  if (tokenizer === 'cl100k_base') {
    if (!cl100kCounter) {
      const cl100k = await import('#gpt-tokenizer/cl100k_base');
      cl100kCounter = guarded('cl100k_base', cl100k.countTokens, cl100k.isWithinTokenLimit);
    }
    return cl100kCounter;
  }
  throw new TypeError(`tokenfold: unknown tokenizer ${JSON.stringify(tokenizer)}`);
}

// BPE is quadratic in the length of one pre-token, and a run of letters, of punctuation or of
// white space is one pre-token: gpt-tokenizer takes seconds on 100k `=`, `a` or spaces in a row,
// and minutes on a megabyte (digits are safe: they split in threes). Such runs are counted in chunks of this many characters instead; the
// count can then differ by a token per chunk, on input that has no real tokens anyway.
const LONG_RUN_CHUNK = 1000;

type CountTokens = (text: string, options: typeof asPlainText) => number;
type IsWithinTokenLimit = (text: string, limit: number, options: typeof asPlainText) => number | false;

function guarded(name: string, countTokens: CountTokens, isWithinTokenLimit: IsWithinTokenLimit): TokenCounter {
  const count = (text: string) => {
    const cuts = longRunCuts(text);
    if (cuts.length === 0) return countTokens(text, asPlainText);
    let total = 0;
    let start = 0;
    for (const cut of [...cuts, text.length]) {
      total += countTokens(text.slice(start, cut), asPlainText);
      start = cut;
    }
    return total;
  };
  return {
    name,
    count,
    countUpTo: (text, limit) => {
      if (longRunCuts(text).length === 0) return isWithinTokenLimit(text, limit, asPlainText);
      const tokens = count(text);
      return tokens <= limit ? tokens : false;
    },
  };
}

/** Where to cut `text` so that no run of one character class is longer than LONG_RUN_CHUNK. */
function longRunCuts(text: string): number[] {
  const cuts: number[] = [];
  let runStart = 0;
  let runClass = -1;
  for (let i = 0; i < text.length; i++) {
    const charClass = classOf(text.charCodeAt(i));
    if (charClass !== runClass) {
      runClass = charClass;
      runStart = i;
    } else if (charClass !== DIGIT && i - runStart >= LONG_RUN_CHUNK) {
      cuts.push(i);
      runStart = i;
    }
  }
  return cuts;
}

const SPACE = 0;
const DIGIT = 1;
const LETTER = 2;
const PUNCTUATION = 3;

function classOf(code: number): number {
  if (code <= 32) return SPACE;
  if (code >= 48 && code <= 57) return DIGIT;
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code >= 128) return LETTER;
  return PUNCTUATION;
}

/**
 * A cheap token estimate: one token per run of letters (long runs count per 6 chars), per run of
 * up to 3 digits, and per other non-space character. Within about 15% of o200k on English, JSON
 * and logs, at a fraction of the cost. Used for budgeting, never for reported figures.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  let run = 0; // length of the current letter or digit run
  let runIsDigit = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const isLetter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c > 127;
    const isDigit = c >= 48 && c <= 57;
    if (isLetter || isDigit) {
      if (run > 0 && runIsDigit !== isDigit) {
        tokens += runTokens(run, runIsDigit);
        run = 0;
      }
      runIsDigit = isDigit;
      run++;
      continue;
    }
    if (run > 0) {
      tokens += runTokens(run, runIsDigit);
      run = 0;
    }
    // Spaces mostly merge into the next word; newlines and punctuation mostly stand alone.
    if (c !== 32) tokens++;
  }
  if (run > 0) tokens += runTokens(run, runIsDigit);
  return tokens;
}

function runTokens(length: number, isDigit: boolean): number {
  return isDigit ? Math.ceil(length / 3) : Math.ceil(length / 6);
}

/**
 * Token count of an input without tokenizing all of it: exact up to `exactChars`, above that the
 * exact count of 16 samples (2% of the input, 4 to 32 KiB in all), scaled by length. Within a few
 * percent on real logs, JSON and prose; `compress` proves "smaller than the input" exactly
 * whenever the margin is thin.
 *
 * The estimate is kept honest against text built to fool it (dense CJK exactly where fixed
 * samples would fall, and cheap filler between, inflated it about 30×): each sample sits at a
 * pseudo-random place within its sixteenth of the input, drawn from a hash of the whole text, so
 * the same text always gets the same count but no text can choose where it is sampled; and when
 * the samples disagree by more than DISAGREEMENT in tokens per character, the input is counted
 * exactly.
 *
 * @example
 * sampledTokenCount(bigLog, o200kCounter); // { tokens: 1234567, exact: false }
 */
export function sampledTokenCount(
  text: string,
  counter: TokenCounter,
  exactChars = 4096,
): { tokens: number; exact: boolean } {
  if (text.length <= exactChars) return { tokens: counter.count(text), exact: true };
  const samples = 16;
  const sampledChars = Math.min(32_768, Math.max(exactChars, Math.floor(text.length / 50)));
  const sampleLength = Math.floor(sampledChars / samples);
  const stratum = text.length / samples;
  const random = seededRandom(createHash('sha256').update(text, 'utf16le').digest().readUInt32BE(0));
  // Samples under one token per 16 characters (runs of spaces, repeated filler) count as that.
  const floor = sampleLength / 16;
  let sampledTokens = 0;
  let lowest = Infinity;
  let highest = 0;
  for (let i = 0; i < samples; i++) {
    const start = Math.floor(i * stratum + random() * Math.max(0, stratum - sampleLength));
    const tokens = counter.count(text.slice(start, start + sampleLength));
    sampledTokens += tokens;
    lowest = Math.min(lowest, Math.max(tokens, floor));
    highest = Math.max(highest, tokens);
  }
  if (highest > DISAGREEMENT * lowest) return { tokens: counter.count(text), exact: true };
  return {
    tokens: Math.round((sampledTokens * text.length) / (sampleLength * samples)),
    exact: false,
  };
}

// Prose, code, logs and JSON sample within about 2× of each other; a mix of CJK and ASCII within
// 3.5×. Past this the text is not one kind of thing throughout, and extrapolating misleads.
const DISAGREEMENT = 4;

/**
 * mulberry32: a small deterministic generator of numbers in [0, 1), here seeded from a text's hash.
 *
 * @example
 * const next = seededRandom(42); next(); // the same number on every run
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
