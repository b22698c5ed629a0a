import { recordLedger, settleLedger } from '../../core/ledger.ts';
import { createRedisStore } from '../../core/redis-store.ts';
import { createSqliteStore } from '../../core/store.ts';

/*
 * One writer process of the ledger's concurrency tests: records `entries` compress entries into a
 * shared store (SQLite file or Redis URL), all at once, then exits.
 * Run: node --conditions=tokenfold-source test/support/ledger-worker.ts sqlite|redis LOCATION WORKER ENTRIES
 */
const [backend, location, worker, entries] = process.argv.slice(2);
const store = backend === 'redis' ? await createRedisStore(location) : await createSqliteStore(location);
await Promise.all(
  Array.from({ length: Number(entries) }, (_, index) =>
    recordLedger(store, { type: 'compress', at: Date.now(), kind: 'log', tokensBefore: 100, tokensAfter: 40, folds: 1, detail: { writer: `${worker}:${index}` } }),
  ),
);
await settleLedger();
await store.disconnect();
