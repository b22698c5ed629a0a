import { estimateOf, type Block } from './prefix.ts';
import type { CacheTtl } from './types.ts';

/*
 * Where to put Anthropic cache breakpoints (`cache_control`), and with which TTL.
 *
 * Anthropic caches a prompt only up to a breakpoint, at most four per request, and on a later
 * request reads the longest cached prefix that ends at a block boundary within 20 blocks before
 * one of that request's breakpoints. Prefixes under the model's minimum (1,024 tokens for Sonnet
 * and Opus 4) are never cached. So, in order of value:
 *
 * 1. The last stable message: the end of what the next call will repeat (everything but the
 *    context note). The next call reads all of it.
 * 2. On a call that changed something before its end (a history rewrite, `history: 'batch'`): the
 *    last block it shares with the call before. The earlier calls' own breakpoints (each at its
 *    last message) lie within the 20-block lookback from there, so this call reads everything up
 *    to the rewrite and writes only from it, which is what the session's rewrite arithmetic
 *    assumes. Without it the read stops at the previous breakpoint, often the system prompt.
 * 3. The end of the system prompt: shared by every conversation of the app, and still readable
 *    when a conversation's history changes.
 * 4. After the latest large folded tool outputs: tokenfold sends those bytes unchanged forever, so
 *    a breakpoint there survives a later history rewrite, and it keeps a cached prefix within the
 *    20-block lookback when one step adds many blocks (parallel tool calls).
 *
 * Breakpoints the app set itself count against the four.
 */

/** Anthropic's prices per input token, relative to the base input price. */
export const ANTHROPIC_PRICES = { read: 0.1, write5m: 1.25, write1h: 2 } as const;

const FIVE_MINUTES = 5 * 60_000;
const ONE_HOUR = 60 * 60_000;
/** A folded tool output this large (estimated tokens) earns a breakpoint after it. */
export const LARGE_OUTPUT_TOKENS = 1024;

/**
 * Block indices (into `blocks`, the request as sent) that get a breakpoint, ascending.
 * `stableEnd` is the index of the last block the next call will repeat; `lastUnchanged`, on a
 * call that differs from the previous one before its end, the last block the two share.
 *
 * @example
 * placeBreakpoints(blocks, { stableEnd: blocks.length - 2, available: 4, minTokens: 1024 }); // [1, 6, 9]
 */
export function placeBreakpoints(
  blocks: readonly Block[],
  options: { stableEnd: number; available: number; minTokens: number; lastUnchanged?: number },
): number[] {
  const { stableEnd, available, minTokens } = options;
  if (available <= 0 || stableEnd < 0) return [];
  // Tokens up to and including each block: a breakpoint before `minTokens` caches nothing.
  const through: number[] = [];
  let total = 0;
  for (const block of blocks) through.push((total += estimateOf(block)));
  const cacheable = (index: number) => index >= 0 && index <= stableEnd && through[index]! >= minTokens;

  const chosen: number[] = [];
  const take = (index: number) => {
    if (chosen.length < available && cacheable(index) && !chosen.includes(index)) chosen.push(index);
  };
  take(stableEnd);
  if (options.lastUnchanged !== undefined) take(options.lastUnchanged);
  take(blocks.findLastIndex((block) => block.section === 'system'));
  for (let index = stableEnd - 1; index >= 0 && chosen.length < available; index--) {
    const block = blocks[index]!;
    if (block.folded && estimateOf(block) >= LARGE_OUTPUT_TOKENS) take(index);
  }
  return chosen.sort((left, right) => left - right);
}

/** The TTL choice and the expected costs it compared, in base-price tokens per call. */
export interface TtlChoice {
  ttl: CacheTtl;
  cost5m: number;
  cost1h: number;
}

/**
 * The cheaper TTL for the next write, from the gaps measured between this conversation's calls.
 *
 * Per call, the tokens of the cached prefix `prefix` are read (0.1×) if the cache is still alive,
 * else written again; the `added` new tokens are always written. With f the share of gaps between
 * 5 minutes and an hour and h the share over an hour:
 *
 *     cost(5m) = 1.25·added + prefix·((1 − f − h)·0.1 + (f + h)·1.25)
 *     cost(1h) = 2·added    + prefix·((1 − h)·0.1 + h·2)
 *
 * so the hour pays when 1.15·f·prefix > 0.75·(added + h·prefix): long pauses (a user reading, a
 * slow tool) over a large prefix. With no gap measured yet, 5 minutes.
 *
 * @example
 * chooseTtl({ gapsMs: [40_000, 420_000, 600_000], prefixTokens: 20_000, addedTokens: 800 }).ttl; // '1h'
 */
export function chooseTtl(input: { gapsMs: readonly number[]; prefixTokens: number; addedTokens: number }): TtlChoice {
  const { gapsMs, prefixTokens, addedTokens } = input;
  const { read, write5m, write1h } = ANTHROPIC_PRICES;
  if (gapsMs.length === 0) return { ttl: '5m', cost5m: write5m * (addedTokens + prefixTokens), cost1h: write1h * (addedTokens + prefixTokens) };
  const overHour = gapsMs.filter((gap) => gap > ONE_HOUR).length / gapsMs.length;
  const overFive = gapsMs.filter((gap) => gap > FIVE_MINUTES).length / gapsMs.length;
  const cost5m = write5m * addedTokens + prefixTokens * ((1 - overFive) * read + overFive * write5m);
  const cost1h = write1h * addedTokens + prefixTokens * ((1 - overHour) * read + overHour * write1h);
  return { ttl: cost1h < cost5m ? '1h' : '5m', cost5m, cost1h };
}
