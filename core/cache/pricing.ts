import type { CacheTtl } from './types.ts';

/*
 * What a sequence of requests would cost under two providers' published prompt-caching rules,
 * for benchmarks: which input tokens would be cache reads, cache writes and uncached. Prices are
 * relative to the model's base input price.
 *
 * Anthropic (explicit caching, docs "Prompt caching"):
 * - the prefix is tools, then system, then messages; a request caches its prefix up to each
 *   `cache_control` breakpoint (at most four), if that prefix holds at least the model's minimum
 *   (1,024 tokens for Claude Sonnet 4.5 and Opus 4.1, which is what this models);
 * - a later request reads the longest cached prefix ending at a block boundary at most 20 blocks
 *   before one of its breakpoints; reading refreshes the entry's lifetime (5 minutes, or 1 hour);
 * - reads cost 0.1×, writes 1.25× (5-minute TTL) or 2× (1-hour TTL), the rest 1×.
 * OpenAI (automatic prefix caching, docs "Prompt caching"):
 * - prompts of 1,024 tokens or more are cached automatically; a request reads the longest prefix it
 *   shares with an earlier request still cached, counted from 1,024 tokens up in 128-token steps;
 * - cached prefixes stay 5 to 10 minutes after their last use (5 here, the conservative end);
 * - reads cost the model's cached-input price: 0.25× for GPT-4.1 (modelled), 0.5× for GPT-4o,
 *   0.1× for GPT-5; there is no write premium.
 */

/** One block of a request (a tool definition, a system part, a message), in prefix order. */
export interface PricedBlock {
  text: string;
  tokens: number;
  /** Provider content blocks it stands for, for Anthropic's 20-block lookback. Default 1. */
  blocks?: number;
}

/** One request as a provider receives it. */
export interface PricedCall {
  /** When it was sent, in milliseconds. */
  at: number;
  blocks: PricedBlock[];
  /** Anthropic breakpoints: the index of the block that ends each cached prefix, with its TTL. */
  breakpoints?: Array<{ index: number; ttl: CacheTtl }>;
}

/** Where one request's input tokens went. */
export interface CallCost {
  tokens: number;
  read: number;
  write: number;
  uncached: number;
  /** In base-price input tokens. */
  cost: number;
  /**
   * Anthropic: where the parts lie, for pricing one block at a time. Blocks before `readBlocks`
   * were read, those from there to `writtenBlocks` written at `writePrice`, the rest uncached.
   */
  readBlocks?: number;
  writtenBlocks?: number;
  writePrice?: number;
}

export const ANTHROPIC_RULES = { minTokens: 1024, lookbackBlocks: 20, read: 0.1, write: { '5m': 1.25, '1h': 2 } } as const;
export const OPENAI_RULES = { minTokens: 1024, step: 128, retentionMs: 5 * 60_000, read: 0.25 } as const;
const TTL_MS: Record<CacheTtl, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

/**
 * Anthropic's accounting of each call, in order (the cache carries over from call to call).
 *
 * @example
 * const costs = anthropicCosts(calls);
 * costs.reduce((sum, call) => sum + call.cost, 0);
 */
export function anthropicCosts(calls: readonly PricedCall[]): CallCost[] {
  const prefixes = new PrefixIds();
  const cache = new Map<number, { expires: number; ttl: CacheTtl }>();
  return calls.map((call) => {
    const ids = prefixes.of(call.blocks);
    const through = cumulative(call.blocks);
    const tokens = through.at(-1) ?? 0;
    const breakpoints = [...(call.breakpoints ?? [])].sort((left, right) => left.index - right.index).slice(-4);
    // The longest live cached prefix within the lookback of some breakpoint.
    let readEnd = -1;
    for (const { index } of breakpoints) {
      let seen = 0;
      for (let end = index; end >= 0 && seen <= ANTHROPIC_RULES.lookbackBlocks; end--) {
        const entry = cache.get(ids[end]!);
        if (entry && entry.expires >= call.at) {
          readEnd = Math.max(readEnd, end);
          break;
        }
        seen += Math.max(1, call.blocks[end]!.blocks ?? 1);
      }
    }
    if (readEnd >= 0) {
      const entry = cache.get(ids[readEnd]!)!;
      entry.expires = call.at + TTL_MS[entry.ttl];
    }
    const read = readEnd >= 0 ? through[readEnd]! : 0;
    // Each breakpoint whose prefix is long enough caches it; tokens up to the last such are written.
    let writeEnd = -1;
    let writeTtl: CacheTtl = '5m';
    for (const { index, ttl } of breakpoints) {
      if (through[index]! < ANTHROPIC_RULES.minTokens) continue;
      cache.set(ids[index]!, { expires: call.at + TTL_MS[ttl], ttl });
      if (index > writeEnd) {
        writeEnd = index;
        writeTtl = ttl;
      }
    }
    const write = writeEnd > readEnd ? through[writeEnd]! - read : 0;
    const uncached = tokens - read - write;
    const writePrice = ANTHROPIC_RULES.write[writeTtl];
    const parts = { readBlocks: readEnd + 1, writtenBlocks: Math.max(readEnd, writeEnd) + 1, writePrice };
    return { tokens, read, write, uncached, cost: uncached + read * ANTHROPIC_RULES.read + write * writePrice, ...parts };
  });
}

/**
 * OpenAI's accounting of each call, in order. `countPrefix` counts the tokens of the start of a
 * block's text, for a prefix that ends inside a block.
 *
 * @example
 * const costs = openAiCosts(calls, (text) => o200kCounter.count(text));
 */
export function openAiCosts(calls: readonly PricedCall[], countPrefix: (text: string) => number): CallCost[] {
  const live: Array<{ call: PricedCall; lastUsed: number }> = [];
  return calls.map((call) => {
    const tokens = cumulative(call.blocks).at(-1) ?? 0;
    let shared = 0;
    for (const entry of live) {
      if (entry.lastUsed + OPENAI_RULES.retentionMs < call.at) continue;
      const common = sharedTokens(entry.call.blocks, call.blocks, countPrefix);
      if (common > shared) shared = common;
      if (common >= OPENAI_RULES.minTokens) entry.lastUsed = call.at;
    }
    const read = shared < OPENAI_RULES.minTokens ? 0 : OPENAI_RULES.minTokens + Math.floor((shared - OPENAI_RULES.minTokens) / OPENAI_RULES.step) * OPENAI_RULES.step;
    if (tokens >= OPENAI_RULES.minTokens) live.unshift({ call, lastUsed: call.at });
    if (live.length > 8) live.pop();
    return { tokens, read, write: 0, uncached: tokens - read, cost: tokens - read + read * OPENAI_RULES.read };
  });
}

/** Tokens at the start of `current` identical to the start of `previous`. */
export function sharedTokens(previous: readonly PricedBlock[], current: readonly PricedBlock[], countPrefix: (text: string) => number): number {
  let tokens = 0;
  let index = 0;
  while (index < previous.length && index < current.length && previous[index]!.text === current[index]!.text) tokens += current[index++]!.tokens;
  const before = previous[index]?.text;
  const after = current[index]?.text;
  if (before === undefined || after === undefined) return tokens;
  let chars = 0;
  while (chars < before.length && chars < after.length && before.charCodeAt(chars) === after.charCodeAt(chars)) chars++;
  return tokens + (chars > 0 ? Math.min(current[index]!.tokens, countPrefix(after.slice(0, chars))) : 0);
}

function cumulative(blocks: readonly PricedBlock[]): number[] {
  let total = 0;
  return blocks.map((block) => (total += block.tokens));
}

// Numbers for prefixes: equal prefixes (of equal block texts) get the same number, in any call.
class PrefixIds {
  readonly #texts = new Map<string, number>();
  readonly #children = new Map<string, number>();

  of(blocks: readonly PricedBlock[]): number[] {
    let parent = 0;
    return blocks.map((block) => {
      let text = this.#texts.get(block.text);
      if (text === undefined) this.#texts.set(block.text, (text = this.#texts.size + 1));
      const key = `${parent}:${text}`;
      let child = this.#children.get(key);
      if (child === undefined) this.#children.set(key, (child = this.#children.size + 1));
      return (parent = child);
    });
  }
}
