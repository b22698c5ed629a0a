import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import Keyv from 'keyv';

/** What the store keeps per fold. `firstLine` lets `unfold` quote the input's line numbers. */
export interface StoredFold {
  text: string;
  firstLine: number;
}

let processStore: Keyv | undefined;

/**
 * The library's default store: in memory, one per process, so that `unfold` finds what
 * `compress` folded without any set-up. Long-running servers should pass a store with a TTL
 * (`createSqliteStore`, or Keyv over Redis).
 */
export function defaultStore(): Keyv {
  processStore ??= new Keyv({ throwOnErrors: true });
  return processStore;
}

/**
 * A Keyv store on SQLite, creating the file's folder. Defaults to the user cache folder
 * (`$XDG_CACHE_HOME/tokenfold/folds.sqlite`, else `~/.cache/tokenfold/folds.sqlite`).
 */
export async function createSqliteStore(path = defaultSqlitePath()): Promise<Keyv> {
  mkdirSync(dirname(path), { recursive: true });
  const { default: KeyvSqlite } = await import('@keyv/sqlite');
  return new Keyv({ store: new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: 10_000 }), throwOnErrors: true });
}

export function defaultSqlitePath(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'tokenfold', 'folds.sqlite');
}

// With a TTL, each fold also leaves a tiny tombstone that outlives it by this long, so that the
// model hears "expired" (and re-runs the tool) instead of "not found". The text itself is gone
// when the TTL ends.
const TOMBSTONE_MS = 7 * 24 * 3_600_000;

/** The key of a fold: the namespace is part of it, so another tenant's id never resolves. */
export function foldKey(namespace: string | undefined, id: string): string {
  return `tokenfold:${encodeURIComponent(namespace ?? '')}:${id}`;
}

/**
 * Writes folds and resolves to true only when every write succeeded. Never throws: the caller
 * must not emit a marker for a fold that was not kept.
 *
 * Ids are 40-bit content hashes, so two different texts can share one: even odds once a namespace
 * holds about a million folds. A write never replaces a different text under its id; it fails
 * instead (the input then passes through), so that no marker ever resolves to another original.
 */
export async function writeFolds(
  store: Keyv,
  namespace: string | undefined,
  folds: ReadonlyArray<{ id: string } & StoredFold>,
  ttl: number | undefined,
): Promise<{ ok: true } | { ok: false; error: unknown }> {
  try {
    const existing = (await Promise.all(folds.map(({ id }) => store.get(foldKey(namespace, id))))) as unknown[];
    const clash = folds.find((fold, index) => {
      const record = existing[index] as StoredFold | undefined;
      return typeof record?.text === 'string' && record.text !== fold.text;
    });
    if (clash) return { ok: false, error: new Error(`fold id ${clash.id} already holds a different text in this namespace`) };
    const results = await Promise.all(
      folds.flatMap(({ id, text, firstLine }) => {
        const key = foldKey(namespace, id);
        const record: StoredFold = { text, firstLine };
        if (!ttl) return [store.set(key, record)];
        return [store.set(key, record, ttl), store.set(`${key}:expired`, true, ttl + TOMBSTONE_MS)];
      }),
    );
    return results.includes(false) ? { ok: false, error: new Error('the store refused a write') } : { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Reads a fold; `undefined` when absent, `'expired'` past its TTL. Throws only if the store does,
 * which Keyv reports only when created with `throwOnErrors: true` (the stores made here are);
 * otherwise a failed read looks like a missing fold.
 */
export async function readFold(
  store: Keyv,
  namespace: string | undefined,
  id: string,
): Promise<StoredFold | 'expired' | undefined> {
  const key = foldKey(namespace, id);
  const record = (await store.get(key)) as StoredFold | undefined;
  if (record && typeof record.text === 'string') return record;
  return (await store.get(`${key}:expired`)) ? 'expired' : undefined;
}
