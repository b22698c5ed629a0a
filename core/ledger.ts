import { randomBytes } from 'node:crypto';
import type Keyv from 'keyv';
import { SqliteFoldStore } from './sqlite-store.ts';
import type { CompressResult } from './types.ts';

/*
 * The savings ledger: one small record per event (a compression, an unfold the model asked for,
 * a provider's usage report), kept in the same Keyv store as the folds, so that `tokenfold stats`
 * and the adapters' reports can say what tokenfold saved, net of what the model read back.
 *
 * Storage, chosen so that concurrent writers never lose an entry and the ledger stays bounded:
 * - Any Keyv (memory, SQLite, …): each entry is written once under a key of its own
 *   (`tokenfold-ledger:<time>:<random>`), never read-modified-written, so no writer can overwrite
 *   another's entry, whatever the number of processes. Reading lists those keys: by prefix on
 *   `createSqliteStore`'s store, with the Keyv iterator on others (memory and most Keyv stores
 *   have one).
 * - Redis (`@keyv/redis`, as `createRedisStore` makes): one list per UTC day
 *   (`tokenfold-ledger:<day>`), appended with RPUSH, which Redis runs atomically; reading is one
 *   LRANGE per day instead of a scan over every fold key.
 * - Retention: every entry expires LEDGER_RETENTION_MS after it was written (a TTL on each key,
 *   or on each day's list). That is the bound: the ledger holds at most the last 30 days.
 */

/** One event the ledger records. Adapters, the CLI and the unfold tool write them. */
export interface LedgerEntry {
  type: 'compress' | 'unfold' | 'reference' | 'history-rewrite' | 'usage' | 'cache-report';
  /** Milliseconds since the epoch. */
  at: number;
  namespace?: string;
  /** Who recorded it: 'cli' | 'run' | 'mcp' | 'ai' | 'langchain' | 'mastra' | … */
  source?: string;
  /** Content kind (json, log, …). */
  kind?: string;
  /** Tool name, when known. */
  tool?: string;
  /** compress, reference, history-rewrite. */
  tokensBefore?: number;
  tokensAfter?: number;
  folds?: number;
  /** unfold: tokens the model read back. */
  tokensReturned?: number;
  /** usage reported by a provider. */
  inputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  /** Type-specific extras (a compression's fold ids, an unfold's id and range, …). */
  detail?: Record<string, unknown>;
}

/** Totals over a set of ledger entries. */
export interface LedgerTotals {
  /** Entries other than unfolds: compressions, rewrites, usage reports. */
  calls: number;
  tokensBefore: number;
  tokensAfter: number;
  /** tokensBefore − tokensAfter. */
  saved: number;
  folds: number;
  /** Unfold entries, and the tokens they returned to the model. */
  unfolds: number;
  tokensReturned: number;
  /** saved − tokensReturned: what the model really did not read. */
  netSaved: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** What `summarizeLedger` returns. */
export interface LedgerSummary {
  total: LedgerTotals;
  /**
   * Per content kind. Unfolds count under the kind of the compression that made the fold (found
   * through the fold ids compress entries carry), else under their own `kind`, else `unknown`.
   */
  byKind: Record<string, LedgerTotals>;
  byType: Partial<Record<LedgerEntry['type'], LedgerTotals>>;
  /** Per UTC day (`2026-12-02`), oldest first: for a chart over time. */
  byDay: Array<{ day: string; totals: LedgerTotals }>;
  /** Time of the first and the last entry; undefined when there are none. */
  from?: number;
  to?: number;
}

/**
 * The ledger entry of one compression: its kind, tokens before and after, and its fold ids (so
 * that unfolds can be counted under the kind of what they opened).
 *
 * @example
 * void recordLedger(store, compressEntry(result, { namespace, source: 'ai', tool: 'readLog' }));
 */
export function compressEntry(
  result: Pick<CompressResult, 'kind' | 'tokensBefore' | 'tokensAfter' | 'folds' | 'passThrough'>,
  context: { namespace?: string; source?: string; tool?: string },
): LedgerEntry {
  return {
    type: 'compress',
    at: Date.now(),
    ...context,
    kind: result.kind,
    tokensBefore: result.tokensBefore,
    tokensAfter: result.tokensAfter,
    folds: result.folds.length,
    detail: { foldIds: result.folds.map((fold) => fold.id), ...(result.passThrough ? { passThrough: result.passThrough } : {}) },
  };
}

/** How long an entry is kept: 30 days. */
export const LEDGER_RETENTION_MS = 30 * 86_400_000;

const KEY_PREFIX = 'tokenfold-ledger:';
// A write to a store that hangs (Redis frozen) must not keep a promise, and the process, alive.
const WRITE_TIMEOUT_MS = 2000;

const inFlight = new Set<Promise<void>>();

/**
 * Records one entry. Never throws and never rejects: a ledger that cannot be written loses that
 * entry, never the agent loop. Hot paths call it without awaiting; `settleLedger()` waits for
 * every write still in flight (before closing a store, or in a test).
 *
 * @example
 * void recordLedger(store, { type: 'compress', at: Date.now(), kind: result.kind,
 *   tokensBefore: result.tokensBefore, tokensAfter: result.tokensAfter, folds: result.folds.length });
 */
export function recordLedger(store: Keyv, entry: LedgerEntry): Promise<void> {
  const write = withTimeout(writeEntry(store, entry), WRITE_TIMEOUT_MS).catch(() => {
    // Losing a statistic is better than failing the call that produced it.
  });
  inFlight.add(write);
  void write.finally(() => inFlight.delete(write));
  return write;
}

/**
 * Resolves once every `recordLedger` write started so far has finished (or failed).
 *
 * @example
 * await settleLedger();
 * await store.disconnect();
 */
export async function settleLedger(): Promise<void> {
  while (inFlight.size > 0) await Promise.all(inFlight);
}

/**
 * Reads the entries of the last 30 days, oldest first, optionally only those of one namespace
 * (exactly that namespace; undefined means all) or from a time on. Rejects when the store cannot
 * be read or cannot list its keys.
 *
 * @example
 * const entries = await readLedger(store, { since: Date.now() - 7 * 86_400_000 });
 * console.log(summarizeLedger(entries).total.netSaved);
 */
export async function readLedger(
  store: Keyv,
  options: { namespace?: string; since?: number } = {},
): Promise<LedgerEntry[]> {
  const since = Math.max(options.since ?? 0, Date.now() - LEDGER_RETENTION_MS);
  const redis = await redisClient(store);
  const entries = redis ? await readRedis(redis, since) : await readKeyv(store, since);
  return entries
    .filter((entry) => entry.at >= since && (options.namespace === undefined || entry.namespace === options.namespace))
    .sort((left, right) => left.at - right.at);
}

/**
 * Totals per kind, per type and per day.
 *
 * @example
 * const { byKind, total } = summarizeLedger(await readLedger(store));
 * console.log(byKind.log?.netSaved, total.unfolds);
 */
export function summarizeLedger(entries: readonly LedgerEntry[]): LedgerSummary {
  const kindOfFold = new Map<string, string>();
  for (const entry of entries) {
    const foldIds = entry.detail?.foldIds;
    if (entry.type === 'compress' && entry.kind && Array.isArray(foldIds)) {
      for (const id of foldIds) if (typeof id === 'string') kindOfFold.set(id, entry.kind);
    }
  }
  const total = emptyTotals();
  const byKind: Record<string, LedgerTotals> = {};
  const byType: LedgerSummary['byType'] = {};
  const byDay = new Map<string, LedgerTotals>();
  for (const entry of entries) {
    const foldId = entry.detail?.id;
    const kind = entry.type === 'unfold' && typeof foldId === 'string' ? (kindOfFold.get(foldId) ?? entry.kind) : entry.kind;
    const day = new Date(entry.at).toISOString().slice(0, 10);
    byDay.set(day, byDay.get(day) ?? emptyTotals());
    const buckets = [total, (byKind[kind ?? 'unknown'] ??= emptyTotals()), (byType[entry.type] ??= emptyTotals()), byDay.get(day)!];
    for (const totals of buckets) add(totals, entry);
  }
  const days = [...byDay].sort(([left], [right]) => left.localeCompare(right)).map(([day, totals]) => ({ day, totals }));
  const times = entries.map((entry) => entry.at);
  return {
    total,
    byKind,
    byType,
    byDay: days,
    from: times.length > 0 ? Math.min(...times) : undefined,
    to: times.length > 0 ? Math.max(...times) : undefined,
  };
}

function emptyTotals(): LedgerTotals {
  return {
    calls: 0,
    tokensBefore: 0,
    tokensAfter: 0,
    saved: 0,
    folds: 0,
    unfolds: 0,
    tokensReturned: 0,
    netSaved: 0,
    inputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  };
}

function add(totals: LedgerTotals, entry: LedgerEntry): void {
  const before = count(entry.tokensBefore);
  const after = entry.tokensAfter === undefined ? before : count(entry.tokensAfter);
  const returned = count(entry.tokensReturned);
  totals.calls += entry.type === 'unfold' ? 0 : 1;
  totals.tokensBefore += before;
  totals.tokensAfter += after;
  totals.saved += before - after;
  totals.folds += count(entry.folds);
  totals.unfolds += entry.type === 'unfold' ? 1 : 0;
  totals.tokensReturned += returned;
  totals.netSaved += before - after - returned;
  totals.inputTokens += count(entry.inputTokens);
  totals.cacheReadTokens += count(entry.cacheReadTokens);
  totals.cacheWriteTokens += count(entry.cacheWriteTokens);
}

// Entries come back from a store that anyone may have written: count only real numbers.
function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

async function writeEntry(store: Keyv, entry: LedgerEntry): Promise<void> {
  const redis = await redisClient(store);
  if (redis) {
    const key = `${KEY_PREFIX}${dayOf(entry.at)}`;
    // The list lives one retention period past its day's last write, so every entry is kept
    // for at least LEDGER_RETENTION_MS.
    await redis.multi().rPush(key, JSON.stringify(entry)).pExpire(key, LEDGER_RETENTION_MS + 86_400_000).exec();
    return;
  }
  // Time first, so that keys sort by time; random bits so that two writers never share a key.
  const key = `${KEY_PREFIX}${entry.at.toString(36).padStart(9, '0')}:${randomBytes(8).toString('hex')}`;
  await store.set(key, entry, LEDGER_RETENTION_MS);
}

async function readKeyv(store: Keyv, since: number): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  const keep = (value: unknown) => {
    if (isEntry(value) && value.at >= since) entries.push(value);
  };
  if (store.store instanceof SqliteFoldStore) {
    // The SQLite store lists keys by prefix, so the ledger reads its own rows, not every fold.
    for await (const [, raw] of store.store.iterator(KEY_PREFIX)) {
      const data = await store.deserializeData<unknown>(raw);
      if (data && !(typeof data.expires === 'number' && data.expires < Date.now())) keep(data.value);
    }
    return entries;
  }
  if (typeof store.iterator !== 'function') {
    throw new Error('this store cannot list its keys (Keyv iterator), so its ledger cannot be read');
  }
  for await (const [key, value] of store.iterator(undefined)) {
    if (typeof key === 'string' && key.includes(KEY_PREFIX)) keep(value);
  }
  return entries;
}

async function readRedis(redis: RedisLike, since: number): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  for (let day = startOfDay(since); day <= Date.now(); day += 86_400_000) {
    for (const raw of await redis.lRange(`${KEY_PREFIX}${dayOf(day)}`, 0, -1)) {
      const value = parseJson(raw);
      if (isEntry(value)) entries.push(value);
    }
  }
  return entries;
}

/** The part of a node-redis client the ledger uses. */
interface RedisLike {
  multi(): { rPush(key: string, value: string): { pExpire(key: string, ms: number): { exec(): Promise<unknown> } } };
  lRange(key: string, start: number, stop: number): Promise<string[]>;
}

// `@keyv/redis` adapters expose their connected node-redis client through `getClient()`.
async function redisClient(store: Keyv): Promise<RedisLike | undefined> {
  const adapter = store.store as { getClient?: () => Promise<unknown>; client?: { rPush?: unknown } } | undefined;
  if (typeof adapter?.getClient !== 'function' || typeof adapter.client?.rPush !== 'function') return undefined;
  return (await adapter.getClient()) as RedisLike;
}

function isEntry(value: unknown): value is LedgerEntry {
  return typeof value === 'object' && value !== null && typeof (value as LedgerEntry).type === 'string' && typeof (value as LedgerEntry).at === 'number';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

function startOfDay(at: number): number {
  return at - (at % 86_400_000);
}

function withTimeout<T>(promise: Promise<T>, milliseconds: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`ledger write timed out after ${milliseconds} ms`)), milliseconds);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
