import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import Keyv from 'keyv';

/** What the store keeps per fold. `firstLine` lets `unfold` quote the input's line numbers. */
export interface StoredFold {
  text: string;
  firstLine: number;
  /** Epoch ms after which the fold counts as expired (set when a TTL was given). */
  expiresAt?: number;
}

let processStore: Keyv | undefined;

/**
 * The library's default store: in memory, one per process, so that `unfold` finds what
 * `compress` folded without any set-up. Long-running servers should pass a store with a TTL
 * (`createSqliteStore`, or Keyv over Redis).
 */
export function defaultStore(): Keyv {
  processStore ??= new Keyv();
  return processStore;
}

/**
 * A Keyv store on SQLite, creating the file's folder. Defaults to the user cache folder
 * (`$XDG_CACHE_HOME/tokenfold/folds.sqlite`, else `~/.cache/tokenfold/folds.sqlite`).
 */
export async function createSqliteStore(path = defaultSqlitePath()): Promise<Keyv> {
  mkdirSync(dirname(path), { recursive: true });
  const { default: KeyvSqlite } = await import('@keyv/sqlite');
  return new Keyv({ store: new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: 10_000 }) });
}

export function defaultSqlitePath(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'tokenfold', 'folds.sqlite');
}

// Expired folds stay readable as tombstones for this long, so the model hears "expired"
// rather than "not found" (and knows to re-run the tool instead of doubting the id).
const TOMBSTONE_FACTOR = 2;

/** The key of a fold: the namespace is part of it, so another tenant's id never resolves. */
export function foldKey(namespace: string | undefined, id: string): string {
  return `tokenfold:${encodeURIComponent(namespace ?? '')}:${id}`;
}

/**
 * Writes folds and resolves to true only when every write succeeded. Never throws: the caller
 * must not emit a marker for a fold that was not kept.
 */
export async function writeFolds(
  store: Keyv,
  namespace: string | undefined,
  folds: ReadonlyArray<{ id: string } & StoredFold>,
  ttl: number | undefined,
  now = Date.now(),
): Promise<{ ok: true } | { ok: false; error: unknown }> {
  try {
    const results = await Promise.all(
      folds.map(({ id, text, firstLine }) => {
        const record: StoredFold = ttl ? { text, firstLine, expiresAt: now + ttl } : { text, firstLine };
        return store.set(foldKey(namespace, id), record, ttl ? ttl * TOMBSTONE_FACTOR : undefined);
      }),
    );
    const failed = results.indexOf(false);
    return failed === -1 ? { ok: true } : { ok: false, error: new Error(`store refused fold ${folds[failed]!.id}`) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Reads a fold; `undefined` when absent, `'expired'` past its TTL. Throws only if the store does. */
export async function readFold(
  store: Keyv,
  namespace: string | undefined,
  id: string,
  now = Date.now(),
): Promise<StoredFold | 'expired' | undefined> {
  const record = (await store.get(foldKey(namespace, id))) as StoredFold | undefined;
  if (!record || typeof record.text !== 'string') return undefined;
  if (record.expiresAt !== undefined && record.expiresAt <= now) return 'expired';
  return record;
}
