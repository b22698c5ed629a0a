import { createRedisStore, createSqliteStore } from 'tokenfold';
import { writeFolds } from '../../core/store.ts';

/*
 * One writer of the write-if-absent race tests (test/hardening.test.ts): opens the store, waits
 * for a shared start time, writes one fold under an id that every writer shares but with a text
 * of its own, and prints whether its write was taken. Run:
 * node --conditions=tokenfold-source test/support/race-writer.ts '<config JSON>'.
 */

interface RaceConfig {
  store: 'redis' | 'sqlite';
  location: string;
  id: string;
  text: string;
  startAt: number;
  ttl?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as RaceConfig;
const store = config.store === 'redis' ? await createRedisStore(config.location) : await createSqliteStore(config.location);
await store.get('warm-up');
await new Promise((resolve) => setTimeout(resolve, Math.max(0, config.startAt - Date.now())));
const result = await writeFolds(store, 'race', [{ id: config.id, text: config.text, firstLine: 1 }], config.ttl);
process.stdout.write(`${JSON.stringify({ ok: result.ok, text: config.text })}\n`);
await store.disconnect();
