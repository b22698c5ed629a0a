import * as o200k from 'gpt-tokenizer/encoding/o200k_base';
import type { TokenCounter, TokenizerName } from './types.ts';

// Special-token strings such as `<|endoftext|>` appear in real tool output; count them as text
// instead of letting the tokenizer throw.
const asPlainText = { disallowedSpecial: new Set<string>() };

/** o200k_base (GPT-4o, GPT-4.1, o-series), shipped inside gpt-tokenizer: no download. */
export const o200kCounter: TokenCounter = {
  name: 'o200k_base',
  count: (text) => o200k.countTokens(text, asPlainText),
  countUpTo: (text, limit) => o200k.isWithinTokenLimit(text, limit, asPlainText),
};

let cl100kCounter: TokenCounter | undefined;

/** Resolves a tokenizer option to a counter. cl100k_base loads on first use. */
export async function resolveTokenCounter(
  tokenizer: TokenizerName | TokenCounter | undefined,
): Promise<TokenCounter> {
  if (tokenizer === undefined || tokenizer === 'o200k_base') return o200kCounter;
  if (typeof tokenizer === 'object') return tokenizer;
  if (tokenizer === 'cl100k_base') {
    if (!cl100kCounter) {
      const cl100k = await import('gpt-tokenizer/encoding/cl100k_base');
      cl100kCounter = {
        name: 'cl100k_base',
        count: (text) => cl100k.countTokens(text, asPlainText),
        countUpTo: (text, limit) => cl100k.isWithinTokenLimit(text, limit, asPlainText),
      };
    }
    return cl100kCounter;
  }
  throw new TypeError(`tokenfold: unknown tokenizer ${JSON.stringify(tokenizer)}`);
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
 * Token count of a possibly large input without tokenizing all of it: exact up to `exactChars`,
 * above that the exact count of evenly spread samples, scaled by length.
 */
export function sampledTokenCount(
  text: string,
  counter: TokenCounter,
  exactChars = 32_768,
): { tokens: number; exact: boolean } {
  if (text.length <= exactChars) return { tokens: counter.count(text), exact: true };
  const samples = 8;
  const sampleLength = Math.floor(exactChars / samples);
  const stride = Math.floor((text.length - sampleLength) / (samples - 1));
  let sampledTokens = 0;
  for (let i = 0; i < samples; i++) {
    sampledTokens += counter.count(text.slice(i * stride, i * stride + sampleLength));
  }
  return {
    tokens: Math.round((sampledTokens * text.length) / (sampleLength * samples)),
    exact: false,
  };
}
