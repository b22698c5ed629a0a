import type Keyv from 'keyv';
import { recordLedger, type LedgerEntry } from './ledger.ts';

/*
 * What the provider says each model call cost, in the ledger beside what tokenfold did. The
 * frameworks report it after every call (AI SDK `usage.inputTokens`, LangChain `usage_metadata`,
 * Mastra's step `usage`); each adapter translates its shape into `ProviderUsage` and records one
 * `usage` entry per call, tagged with the history policy it ran under, so that `tokenfold stats`
 * can say what each policy really cost in cache reads and writes, not what a model of the cache
 * predicted.
 */

/** One model call's input as the provider billed it. */
export interface ProviderUsage {
  /** All input tokens, cached or not. */
  inputTokens: number;
  /** Of those, read from the provider's prompt cache. */
  cacheReadTokens: number;
  /** Of those, written to it (Anthropic bills writes above the base price; OpenAI has none). */
  cacheWriteTokens: number;
}

/** The history policy a call ran under: `off` without the session features. */
export type UsagePolicy = 'off' | 'keep' | 'batch' | 'always';

/** Usage totals of one policy. */
export interface PolicyUsage {
  calls: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /**
   * Input cost in base-price tokens at Anthropic's published prices: uncached 1×, cache reads
   * 0.1×, cache writes 1.25× (the five-minute cache).
   */
  cost: number;
}

/**
 * The policy an adapter's calls run under, from its `session` option.
 *
 * @example
 * usagePolicy({ history: 'batch' }); // 'batch'
 * usagePolicy(undefined);            // 'off'
 */
export function usagePolicy(session: boolean | { history?: UsagePolicy } | undefined): UsagePolicy {
  if (!session) return 'off';
  return session === true ? 'keep' : (session.history ?? 'keep');
}

const READ_PRICE = 0.1;
const WRITE_PRICE = 1.25;

/**
 * Records one call's usage in the ledger of `store`. Nothing is recorded when the usage holds no
 * input count (a model that reports none). Never rejects, like every ledger write.
 *
 * @example
 * void recordUsage(store, { inputTokens: 12_400, cacheReadTokens: 11_000, cacheWriteTokens: 1_200 },
 *   { namespace, source: 'ai', policy: 'batch' });
 */
export function recordUsage(
  store: Keyv,
  usage: ProviderUsage | undefined,
  context: { namespace?: string; source?: string; policy: UsagePolicy },
): Promise<void> {
  if (!usage || !(usage.inputTokens > 0)) return Promise.resolve();
  const entry: LedgerEntry = {
    type: 'usage',
    at: Date.now(),
    namespace: context.namespace,
    source: context.source,
    inputTokens: usage.inputTokens,
    cacheReadTokens: usage.cacheReadTokens,
    cacheWriteTokens: usage.cacheWriteTokens,
    detail: { policy: context.policy },
  };
  return recordLedger(store, entry);
}

/**
 * Totals of the `usage` entries per history policy, with the cost at Anthropic's prices.
 *
 * @example
 * usageByPolicy(await readLedger(store));
 * // { keep: { calls: 40, inputTokens: 512_000, cacheReadTokens: 470_000, cacheWriteTokens: 38_000, cost: 98_500 } }
 */
export function usageByPolicy(entries: readonly LedgerEntry[]): Partial<Record<UsagePolicy | 'unknown', PolicyUsage>> {
  const totals: Partial<Record<UsagePolicy | 'unknown', PolicyUsage>> = {};
  for (const entry of entries) {
    if (entry.type !== 'usage') continue;
    const policy = entry.detail?.policy;
    const key = policy === 'off' || policy === 'keep' || policy === 'batch' || policy === 'always' ? policy : 'unknown';
    const into = (totals[key] ??= { calls: 0, inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, cost: 0 });
    const input = count(entry.inputTokens);
    // A provider's cached counts are part of its input count; a store entry that says otherwise is capped.
    const read = Math.min(count(entry.cacheReadTokens), input);
    const written = Math.min(count(entry.cacheWriteTokens), input - read);
    into.calls++;
    into.inputTokens += input;
    into.cacheReadTokens += read;
    into.cacheWriteTokens += written;
    into.cost += input - read - written + READ_PRICE * read + WRITE_PRICE * written;
  }
  return totals;
}

/**
 * A framework's usage numbers as `ProviderUsage`, from whichever fields it filled; `undefined`
 * when it gave no input count. Cached counts missing or not numbers count as 0.
 *
 * @example
 * providerUsage(1200, 1000, undefined); // { inputTokens: 1200, cacheReadTokens: 1000, cacheWriteTokens: 0 }
 */
export function providerUsage(inputTokens: unknown, cacheReadTokens: unknown, cacheWriteTokens: unknown): ProviderUsage | undefined {
  const input = count(inputTokens);
  if (input === 0) return undefined;
  return { inputTokens: input, cacheReadTokens: count(cacheReadTokens), cacheWriteTokens: count(cacheWriteTokens) };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
