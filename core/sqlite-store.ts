import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import Keyv from 'keyv';
import type { WriteIfAbsentAdapter } from './store.ts';

/*
 * A fold store on SQLite through Node's own `node:sqlite` (Node 22.5 and later): no native
 * module to compile in the user's app. Several processes may share one file: WAL lets readers
 * run beside the one writer, and a writer that finds the file locked waits and retries on
 * timers, not in a blocking call, so the event loop never stalls behind another process's write.
 * Stored tool outputs hold secrets: the folder is created 0700 and the file 0600.
 */

/** Longest wait for another process's write lock, in milliseconds, before an operation fails. */
const BUSY_TIMEOUT_MS = 10_000;
// SQLite's own blocking wait inside one call, kept short; the rest of the wait is on timers.
const BLOCKING_WAIT_MS = 20;

/**
 * A Keyv store on SQLite, creating the file's folder (0700) and the file (0600). Defaults to the
 * user cache folder (`$XDG_CACHE_HOME/tokenfold/folds.sqlite`, else
 * `~/.cache/tokenfold/folds.sqlite`). Rejects at once on a path that cannot hold a database.
 *
 * @example
 * const store = await createSqliteStore();
 * await compress(toolOutput, { store, namespace: conversationId, ttl: 7 * 24 * 3600_000 });
 * await store.disconnect();
 */
export async function createSqliteStore(path = defaultSqlitePath()): Promise<Keyv> {
  const adapter = new SqliteFoldStore(path);
  // Keys are already `tokenfold:<namespace>:<id>`: no Keyv prefix.
  const store = new Keyv({ store: adapter, useKeyPrefix: false, throwOnErrors: true });
  store.namespace = undefined;
  return store;
}

/**
 * `$XDG_CACHE_HOME/tokenfold/folds.sqlite`, else `~/.cache/tokenfold/folds.sqlite`.
 *
 * @example
 * defaultSqlitePath(); // '/home/me/.cache/tokenfold/folds.sqlite'
 */
export function defaultSqlitePath(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'tokenfold', 'folds.sqlite');
}

/**
 * The Keyv adapter under `createSqliteStore`: get, set, delete, clear, has, getMany, an iterator,
 * TTL (rows past their expiry read as absent and are swept), and `setIfAbsent` for atomic fold
 * writes. `database` is the open `DatabaseSync`, for maintenance (`PRAGMA …`).
 */
export class SqliteFoldStore implements WriteIfAbsentAdapter {
  readonly database: DatabaseSync;
  readonly opts: { dialect: 'sqlite'; url: string };
  namespace?: string;
  #closed = false;
  readonly #statements: Record<'get' | 'set' | 'setIfAbsent' | 'delete' | 'clear' | 'sweep' | 'iterate', StatementSync>;

  constructor(path: string) {
    const file = resolve(path);
    makePrivateFolder(dirname(file));
    // Created here, 0600, before SQLite opens it; its -wal and -shm files take the same mode. A
    // file that exists is left as it is.
    createPrivateFile(file);
    this.database = openDatabase(file);
    this.opts = { dialect: 'sqlite', url: `sqlite://${file}` };
    this.database.exec(`PRAGMA busy_timeout = ${BLOCKING_WAIT_MS}`);
    retryBusySync(() => {
      this.database.exec('PRAGMA journal_mode = WAL');
      this.database.exec('CREATE TABLE IF NOT EXISTS tokenfold_folds (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER)');
    });
    const live = '(expires IS NULL OR expires > ?)';
    this.#statements = {
      get: this.database.prepare(`SELECT value FROM tokenfold_folds WHERE key = ? AND ${live}`),
      set: this.database.prepare('INSERT OR REPLACE INTO tokenfold_folds (key, value, expires) VALUES (?, ?, ?)'),
      // Inserts, or takes the place of an expired row; leaves a live row as it is.
      setIfAbsent: this.database.prepare(
        'INSERT INTO tokenfold_folds (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires WHERE tokenfold_folds.expires IS NOT NULL AND tokenfold_folds.expires <= ?',
      ),
      delete: this.database.prepare('DELETE FROM tokenfold_folds WHERE key = ?'),
      clear: this.database.prepare('DELETE FROM tokenfold_folds WHERE key LIKE ? ESCAPE \'\\\''),
      sweep: this.database.prepare('DELETE FROM tokenfold_folds WHERE expires IS NOT NULL AND expires <= ?'),
      iterate: this.database.prepare(`SELECT key, value FROM tokenfold_folds WHERE key LIKE ? ESCAPE '\\' AND ${live}`),
    };
  }

  async get(key: string): Promise<string | undefined> {
    const row = await whenFree(() => this.#statements.get.get(key, Date.now()));
    return row ? String(row.value) : undefined;
  }

  async getMany(keys: string[]): Promise<Array<string | undefined>> {
    return Promise.all(keys.map((key) => this.get(key)));
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async set(key: string, value: string, ttl?: number): Promise<boolean> {
    await whenFree(() => this.#statements.set.run(key, value, ttl ? Date.now() + ttl : null));
    return true;
  }

  async setIfAbsent(key: string, value: string, ttl?: number): Promise<boolean> {
    const now = Date.now();
    const { changes } = await whenFree(() => this.#statements.setIfAbsent.run(key, value, ttl ? now + ttl : null, now));
    return Number(changes) > 0;
  }

  async delete(key: string): Promise<boolean> {
    const { changes } = await whenFree(() => this.#statements.delete.run(key));
    return Number(changes) > 0;
  }

  /** Deletes every key of this Keyv namespace (all keys when it has none); `sweep` deletes expired rows. */
  async clear(): Promise<void> {
    await whenFree(() => this.#statements.clear.run(`${likePrefix(this.namespace)}%`));
  }

  /** Deletes expired rows; `createSqliteStore` files otherwise keep them until read or cleared. */
  async sweep(): Promise<number> {
    const { changes } = await whenFree(() => this.#statements.sweep.run(Date.now()));
    return Number(changes);
  }

  async *iterator(namespace?: string): AsyncGenerator<[string, string]> {
    const rows = await whenFree(() => this.#statements.iterate.all(`${likePrefix(namespace)}%`, Date.now()));
    for (const row of rows) yield [String(row.key), String(row.value)];
  }

  async disconnect(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.database.close();
  }

  // Keyv subscribes to its adapter's errors when it can; this one reports by rejecting.
  on(): this {
    return this;
  }
}

// `mkdirSync(…, { recursive: true })` spins forever on some paths (`/proc/nope`): the folders are
// made one at a time, so that an unusable path fails at once.
function makePrivateFolder(folder: string): void {
  const missing: string[] = [];
  for (let current = folder; ; current = dirname(current)) {
    try {
      if (!statSync(current).isDirectory()) throw new Error(`tokenfold: ${current} is not a folder, so it cannot hold the fold store`);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(current) === current) throw error;
      missing.push(current);
    }
  }
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function createPrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

let sqlite: typeof import('node:sqlite') | undefined;

// Node 22 prints an ExperimentalWarning when `node:sqlite` loads. It is dropped while the module
// loads, and only it: every other warning still goes out.
function openDatabase(file: string): DatabaseSync {
  if (!sqlite) {
    const emitWarning = process.emitWarning;
    process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
      const text = typeof warning === 'string' ? warning : warning.message;
      const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
      if ((type === 'ExperimentalWarning' || (warning as Error).name === 'ExperimentalWarning') && /SQLite/i.test(text)) return;
      (emitWarning as (...values: unknown[]) => void).call(process, warning, ...rest);
    }) as typeof process.emitWarning;
    try {
      sqlite = process.getBuiltinModule('node:sqlite');
    } finally {
      process.emitWarning = emitWarning;
    }
  }
  return new sqlite.DatabaseSync(file);
}

function isBusy(error: unknown): boolean {
  const code = (error as { errcode?: number }).errcode;
  // SQLITE_BUSY and SQLITE_LOCKED, with their extended codes (older Node: by message only).
  if (code !== undefined) return (code & 0xff) === 5 || (code & 0xff) === 6;
  return /database (table )?is locked|database is busy/i.test(String((error as Error)?.message));
}

/** Runs `operation`, retrying on timers while another process holds the write lock. */
async function whenFree<T>(operation: () => T): Promise<T> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      return operation();
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

// Opening happens once per store; its few statements may wait in SQLite's own busy handler.
function retryBusySync(operation: () => void): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      return operation();
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
    }
  }
}

function likePrefix(namespace: string | undefined): string {
  return (namespace ?? '').replace(/[\\%_]/g, '\\$&');
}
