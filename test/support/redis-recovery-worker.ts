import { createRedisStore } from 'tokenfold';

/*
 * One process of the Redis recovery measurement (bench/attacks.ts): writes to the store from 4
 * loops for `durationMs`, printing `ready` once its first write is through, and at the end one
 * JSON line with the start time and outcome of every write. Run:
 * node --conditions=tokenfold-source test/support/redis-recovery-worker.ts URL DURATION_MS
 */

const [url = '', duration = '0'] = process.argv.slice(2);
const store = await createRedisStore(url, { connectTimeout: 3000, commandTimeout: 500 });
for (;;) {
  if (await store.set('warm-up', 1).then(() => true, () => false)) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
process.stdout.write('ready\n');
const end = Date.now() + Number(duration);
const writes: Array<[number, boolean]> = [];
const loop = async (loop: number) => {
  for (let index = 0; Date.now() < end; index++) {
    const startedAt = Date.now();
    const ok = await store.set(`recovery:${process.pid}:${loop}:${index % 100}`, 'v'.repeat(500)).then(() => true, () => false);
    writes.push([startedAt, ok]);
    await new Promise((resolve) => setTimeout(resolve, ok ? 5 : 20));
  }
};
await Promise.all([0, 1, 2, 3].map(loop));
process.stdout.write(`${JSON.stringify({ writes })}\n`);
await store.disconnect().catch(() => {});
