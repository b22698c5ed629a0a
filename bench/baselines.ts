/*
 * What tokenfold is compared against, in the same run:
 * - head+tail truncation to a token budget (the usual "keep the first and last N" of agent
 *   frameworks), given the same number of tokens as tokenfold's output for that document, so the
 *   fidelity rules show what tokenfold keeps that truncation loses;
 * - minified JSON: whitespace outside strings removed, the source bytes of every value kept
 *   (lossless, so it stops where it stops);
 * - TOON (`@toon-format/toon` `encode` of the parsed JSON; lossless for values JSON.parse can
 *   represent: integers above 2^53 come out rounded, which the value rule reports).
 */
import { encode } from '@toon-format/toon';

export const TRUNCATION_SEPARATOR = '\n[... truncated ...]\n';

/**
 * The first and last parts of `text` within `maxTokens` tokens (separator included): half the
 * budget each, cut at line ends when there are lines to cut at, otherwise mid-line.
 * `countUpTo(text, limit)` answers the exact count when it is at most `limit`, else false.
 */
export function headTailTruncate(
  text: string,
  maxTokens: number,
  countUpTo: (text: string, limit: number) => number | false,
): string {
  if (countUpTo(text, maxTokens) !== false) return text;
  const separatorTokens = countUpTo(TRUNCATION_SEPARATOR, 100) || 8;
  const room = maxTokens - separatorTokens;
  if (room <= 0) return '';
  const headEnd = snapHead(text, longestWithin(text.length, Math.floor(room / 2), (length) => countUpTo(text.slice(0, length), Math.floor(room / 2)) !== false));
  const head = text.slice(0, headEnd);
  const headTokens = countUpTo(head, room) || 0;
  const tailRoom = room - headTokens;
  const rest = text.length - headEnd;
  let tailLength = snapTail(text, longestWithin(rest, tailRoom, (length) => countUpTo(text.slice(text.length - length), tailRoom) !== false));
  // Tokens can merge across the joins; shave the tail until the whole fits.
  for (;;) {
    const candidate = head + TRUNCATION_SEPARATOR + text.slice(text.length - tailLength);
    if (tailLength === 0 || countUpTo(candidate, maxTokens) !== false) return candidate;
    tailLength = Math.max(0, tailLength - Math.max(1, Math.ceil(tailLength / 50)));
  }
}

// The largest length in [0, limit] for which `fits` holds (fits is monotone in length). Tokens
// are rarely longer than 32 chars, so the search starts from there instead of the whole text.
function longestWithin(limit: number, tokens: number, fits: (length: number) => boolean): number {
  let high = Math.min(limit, Math.max(64, tokens * 32));
  while (high < limit && fits(high)) high = Math.min(limit, high * 2);
  let low = 0;
  if (fits(high)) return high;
  while (low + 1 < high) {
    const middle = (low + high) >>> 1;
    if (fits(middle)) low = middle;
    else high = middle;
  }
  return low;
}

// Cut after the last newline of the head, unless that would lose more than half of it.
function snapHead(text: string, end: number): number {
  const newline = text.lastIndexOf('\n', end - 1);
  return newline + 1 >= end / 2 && newline !== -1 ? newline + 1 : end;
}

function snapTail(text: string, length: number): number {
  const start = text.length - length;
  const newline = text.indexOf('\n', start);
  return newline !== -1 && text.length - (newline + 1) >= length / 2 ? text.length - (newline + 1) : length;
}

/** JSON (or NDJSON, line by line) without whitespace outside strings; every value's bytes kept. */
export function minifyJson(text: string, format: 'json' | 'ndjson'): string {
  if (format === 'ndjson') {
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => minifyJson(line, 'json'))
      .join('\n');
  }
  let output = '';
  let chunkStart = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 32 || c === 10 || c === 13 || c === 9) {
      output += text.slice(chunkStart, i);
      chunkStart = i + 1;
    }
  }
  return output + text.slice(chunkStart);
}

/** TOON encoding of the parsed JSON (NDJSON: of the array of its lines). */
export function toToon(text: string, format: 'json' | 'ndjson'): string {
  const value =
    format === 'ndjson'
      ? text
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as unknown)
      : (JSON.parse(text) as unknown);
  return encode(value);
}
