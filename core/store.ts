import Keyv from 'keyv';
import { foldDigest, parseLineRuns } from './folds.ts';

export { createSqliteStore, defaultSqlitePath } from './sqlite-store.ts';

/**
 * What the store keeps per fold. `firstLine` lets `unfold` quote the input's line numbers;
 * `lines` holds them as runs (`33-61,70`) for a fold gathered from many places.
 */
export interface StoredFold {
  text: string;
  firstLine: number;
  lines?: string;
}

/**
 * A Keyv store adapter that can write a key only where none is (Redis `SET NX`, SQLite
 * `INSERT … ON CONFLICT DO NOTHING`): what makes `writeFolds` atomic across processes. `value` is
 * what Keyv would pass to the adapter's `set` (its serialized `{ value, expires }`); resolves to
 * false when the key already held a live value, which is then left as it was.
 */
export interface WriteIfAbsentAdapter {
  setIfAbsent(key: string, value: string, ttl?: number): Promise<boolean>;
}

let processStore: Keyv | undefined;

/**
 * The library's default store: in memory, one per process, so that `unfold` finds what
 * `compress` folded without any set-up. Long-running servers should pass a store with a TTL
 * (`createSqliteStore`, or `createRedisStore`).
 *
 * @example
 * await compress(toolOutput); // folds go here unless `store` says otherwise
 */
export function defaultStore(): Keyv {
  processStore ??= new Keyv({ throwOnErrors: true });
  return processStore;
}

// With a TTL, each fold also leaves a tiny tombstone that outlives it by this long: the model
// hears "expired" (and re-runs the tool) instead of "not found", and the tombstone holds the
// fold's SHA-256, so that no other text can take the id while the old marker may still be read.
const TOMBSTONE_MS = 7 * 24 * 3_600_000;

/**
 * Why `namespace` cannot scope folds, or undefined when it can. `''` is refused rather than taken
 * as the global space (or a space of its own): an empty tenant id is almost always a caller's bug,
 * and folding the outputs of every caller whose id came out empty into one space is what the
 * namespace exists to prevent.
 */
export function namespaceProblem(namespace: unknown): string | undefined {
  if (namespace === undefined) return undefined;
  if (typeof namespace !== 'string') return `namespace must be a string, not ${typeof namespace}`;
  return namespace === '' ? "namespace is '': pass a tenant, user or conversation id, or leave it out for the global space" : undefined;
}

/**
 * The key of a fold: the namespace is part of it, so another tenant's id never resolves.
 * Namespaces are percent-encoded; a lone surrogate, which `encodeURIComponent` refuses, becomes
 * `%uD800`, a form percent-encoding never produces, so no two namespaces share a key.
 *
 * @example
 * foldKey('alice', '000000000000042'); // 'tokenfold:alice:000000000000042'
 */
export function foldKey(namespace: string | undefined, id: string): string {
  return `tokenfold:${namespace === undefined ? '' : encodeNamespace(namespace)}:${id}`;
}

function encodeNamespace(namespace: string): string {
  try {
    return encodeURIComponent(namespace);
  } catch {
    let encoded = '';
    for (const character of namespace) {
      const code = character.codePointAt(0)!;
      encoded += code >= 0xd800 && code <= 0xdfff ? `%u${code.toString(16).toUpperCase()}` : encodeURIComponent(character);
    }
    return encoded;
  }
}

/** One fold to write: its id, the SHA-256 the id was cut from (computed when absent), and the record. */
export type FoldToWrite = { id: string; digest?: string } & StoredFold;

/**
 * Writes folds and resolves to true only when every fold is in the store under its id with
 * exactly this text and numbering. Never throws: the caller must not emit a marker for a fold
 * that was not kept.
 *
 * Each write is write-if-absent, so that two writers can never both believe their different
 * texts sit under one id: atomic on stores that can (`createRedisStore`: `SET NX`;
 * `createSqliteStore`: `INSERT … ON CONFLICT DO NOTHING`), and for any other Keyv, read then
 * write under a lock held in this process (atomic for the default in-memory store; between
 * processes on someone else's Keyv, a best effort). What is stored is then compared: an id that
 * holds, or held until it expired, a different text is a clash, the write fails and the input
 * passes through.
 *
 * @example
 * const written = await writeFolds(store, 'alice', [{ id, text, firstLine: 1 }], 24 * 3600_000);
 * if (!written.ok) console.error(written.error);
 */
export async function writeFolds(
  store: Keyv,
  namespace: string | undefined,
  folds: readonly FoldToWrite[],
  ttl: number | undefined,
): Promise<{ ok: true } | { ok: false; error: unknown }> {
  const problem = namespaceProblem(namespace);
  if (problem) return { ok: false, error: new TypeError(`tokenfold: ${problem}`) };
  try {
    const clashes = await Promise.all(folds.map((fold) => writeFold(store, namespace, fold, ttl)));
    const index = clashes.findIndex((clash) => clash !== undefined);
    if (index < 0) return { ok: true };
    return { ok: false, error: new Error(`fold id ${folds[index]!.id} ${clashes[index]} in this namespace`) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Writes one fold; resolves to undefined when it is stored, or to what clashed. */
async function writeFold(store: Keyv, namespace: string | undefined, fold: FoldToWrite, ttl: number | undefined): Promise<string | undefined> {
  const key = foldKey(namespace, fold.id);
  const record: StoredFold = { text: fold.text, firstLine: fold.firstLine, ...(fold.lines ? { lines: fold.lines } : {}) };
  const digest = fold.digest ?? foldDigest(fold.text, { firstLine: fold.firstLine, lineNumbers: fold.lines ? parseLineRuns(fold.lines) : undefined });
  const tombstone = `${key}:expired`;
  // The tombstone first: an id that held another text until it expired stays refused.
  const held = ttl ? await putIfAbsent(store, tombstone, digest, ttl + TOMBSTONE_MS) : await store.get(tombstone);
  if (held !== WRITTEN && held !== undefined && held !== digest) return 'held a different text, now expired,';
  const existing = await putIfAbsent(store, key, record, ttl);
  if (existing === WRITTEN) return undefined;
  if (!sameFold(existing, record)) return 'already holds a different text';
  // The same fold written again: its TTL starts over, as the caller expects of a fresh marker.
  if (ttl) await Promise.all([setOrThrow(store, key, record, ttl), setOrThrow(store, tombstone, digest, ttl + TOMBSTONE_MS)]);
  return undefined;
}

const WRITTEN = Symbol('written');

/** Writes `value` under `key` unless a live value is there; resolves to WRITTEN or to that value. */
async function putIfAbsent(store: Keyv, key: string, value: unknown, ttl: number | undefined): Promise<unknown> {
  const adapter = store.store as Partial<WriteIfAbsentAdapter> | undefined;
  // Keyv prefixes keys unless told not to; the raw adapter call must use the key Keyv would.
  if (typeof adapter?.setIfAbsent === 'function' && (!store.useKeyPrefix || !store.namespace)) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const raw = await store.serializeData({ value, expires: ttl ? Date.now() + ttl : undefined });
      if (typeof raw !== 'string') break;
      if (await adapter.setIfAbsent(key, raw, ttl)) return WRITTEN;
      const existing = await store.get(key);
      // Gone between the two calls (it expired): try again.
      if (existing !== undefined) return existing;
    }
  }
  return withKeyLock(store, key, async () => {
    const existing = await store.get(key);
    if (existing !== undefined) return existing;
    await setOrThrow(store, key, value, ttl);
    return WRITTEN;
  });
}

async function setOrThrow(store: Keyv, key: string, value: unknown, ttl: number | undefined): Promise<void> {
  if ((await store.set(key, value, ttl)) === false) throw new Error('the store refused a write');
}

function sameFold(stored: unknown, record: StoredFold): boolean {
  const fold = stored as Partial<StoredFold> | undefined;
  return fold?.text === record.text && (fold.firstLine ?? 1) === record.firstLine && (fold.lines ?? undefined) === record.lines;
}

// One read-then-write at a time per store and key within this process.
const locks = new WeakMap<Keyv, Map<string, Promise<unknown>>>();

function withKeyLock<T>(store: Keyv, key: string, task: () => Promise<T>): Promise<T> {
  let held = locks.get(store);
  if (!held) locks.set(store, (held = new Map()));
  const queue = held;
  const result = (queue.get(key) ?? Promise.resolve()).then(task);
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  queue.set(key, settled);
  void settled.then(() => {
    if (queue.get(key) === settled) queue.delete(key);
  });
  return result;
}

/**
 * Reads a fold; `undefined` when absent, `'expired'` past its TTL. Throws only if the store does,
 * which Keyv reports only when created with `throwOnErrors: true` (the stores made here are);
 * otherwise a failed read looks like a missing fold.
 *
 * @example
 * const fold = await readFold(store, 'alice', '000000000000042');
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
