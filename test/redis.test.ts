import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type Keyv from 'keyv';
import { compress, createRedisStore, findMarkers, foldId, runUnfoldTool, unfold } from 'tokenfold';
import type { Compressor } from 'tokenfold';
import { compressors } from '../core/compressors/index.ts';
import { writeFolds } from '../core/store.ts';
import { freePort, redisSkipReason, startRedis, type TestRedis } from './support/redis-server.ts';
import { runWorker, sha256, standInCompressor, workerDocument, type FoldRecord } from './support/store-worker.ts';

/*
 * The Redis store against a real redis-server, started here on a free port of 127.0.0.1: many
 * processes on one store, TTL, namespaces, and outages (killed, frozen, never there). Folds are
 * made by a stand-in compressor, so that what each fold holds is known and these tests check the
 * store and the core, whatever the real compressors choose to keep.
 */

const skip = redisSkipReason();
const realText = compressors.text;
afterEach(() => {
  compressors.text = realText;
});

const WORKERS = 8;
const DOCUMENTS = 60; // 240 folds and about 570 unfolds per worker

describe('the Redis store', { skip, timeout: 60_000 }, () => {
  let redis: TestRedis;
  let store: Keyv;
  before(async () => {
    redis = await startRedis();
    store = await createRedisStore(redis.url);
  });
  after(async () => {
    await store?.disconnect();
    await redis?.stop();
  });

  it('serves eight processes folding and unfolding at once, losing nothing and never mixing up ids', async () => {
    const reports = await Promise.all(
      Array.from({ length: WORKERS }, (_, worker) =>
        runWorker({ store: 'redis', location: redis.url, worker, workers: WORKERS, documents: DOCUMENTS, mode: 'fold', compressor: 'stand-in' }),
      ),
    );
    for (const report of reports) {
      assert.equal(report.compressions, DOCUMENTS);
      assert.equal(report.storeFailures, 0, `worker ${report.worker} saw store failures`);
      assert.equal(report.folds, DOCUMENTS * 4);
      assert.deepEqual(report.mismatches, [], `worker ${report.worker} read back something else`);
      assert.deepEqual(report.leaks, [], `worker ${report.worker} read its folds from another namespace`);
    }
    // Every fold of every worker, read once more from this process after all of them are done.
    const records = new Map<string, FoldRecord>();
    for (const record of reports.flatMap((report) => report.records)) {
      const key = `${record.namespace}/${record.id}`;
      assert.equal(records.get(key)?.sha256 ?? record.sha256, record.sha256, `two texts under ${key}`);
      records.set(key, record);
    }
    const backs = await Promise.all([...records.values()].map((record) => unfold(record.id, { store, namespace: record.namespace })));
    const lost = [...records.values()].filter((record, index) => {
      const back = backs[index]!;
      return back.status !== 'ok' || sha256(back.text) !== record.sha256;
    });
    assert.deepEqual(lost, []);
    // The first paragraph of each document is the same in every worker: one key, written by all.
    assert.ok(records.size < WORKERS * DOCUMENTS * 4);
  });

  it('gives back folds byte-exact: CRLF, tabs, emoji, lone surrogates, line separators', async () => {
    compressors.text = standInCompressor;
    const awkward = ['head', 'a\r\nb\tc  ', '😀 \u2028 \u2029 \ud800 x\udfff', '"quotes" \\ back\\slash {"json": true}', ' trailing spaces  '].join('\n');
    const input = `${awkward}\n\n${workerDocument(99, 1)}`;
    const result = await compress(input, { kind: 'text', budget: 256, store });
    assert.equal(result.passThrough, undefined);
    const back = await unfold(result.folds[0]!.id, { store });
    assert.equal(back.status === 'ok' && back.text, awkward.split('\n').slice(1).join('\n'));
  });

  it('answers expired, with what to do, once the TTL has passed', async () => {
    compressors.text = standInCompressor;
    const result = await compress(workerDocument(98, 1), { kind: 'text', budget: 256, store, ttl: 300 });
    const id = result.folds[0]!.id;
    assert.equal((await unfold(id, { store })).status, 'ok');
    await new Promise((resolve) => setTimeout(resolve, 450));
    const expired = await unfold(id, { store });
    assert.equal(expired.status, 'expired');
    assert.match(await runUnfoldTool({ id }, { store }), /has expired\. Run the tool again/);
  });

  it('answers not-found for another namespace, even with a correct id', async () => {
    compressors.text = standInCompressor;
    const result = await compress(workerDocument(97, 1), { kind: 'text', budget: 256, store, namespace: 'alice' });
    const id = result.folds[1]!.id;
    assert.equal((await unfold(id, { store, namespace: 'alice' })).status, 'ok');
    assert.equal((await unfold(id, { store, namespace: 'bob' })).status, 'not-found');
    assert.equal((await unfold(id, { store, namespace: 'alice:' })).status, 'not-found');
    assert.equal((await unfold(id, { store })).status, 'not-found');
  });

  it('never lets a text replace a different one under the same id (a collision, made by hand)', async () => {
    // 15-digit collisions cannot be found by search here: a text is written under the id of
    // another text, as a colliding writer would, and that other text is then folded.
    const [first, second] = ['worker text 139933', 'worker text 1567691'];
    const foldOnly = (text: string): Compressor => () => [{ text, unit: 'lines', count: 1 }];
    const input = 'filler '.repeat(400);
    const errors: unknown[] = [];
    assert.ok((await writeFolds(store, 'collide', [{ id: foldId(second), text: first, firstLine: 1 }], undefined)).ok);
    compressors.text = foldOnly(second);
    const clash = await compress(input, { kind: 'text', budget: 256, store, namespace: 'collide', onError: (error) => errors.push(error) });
    assert.equal(clash.passThrough, 'store-failed');
    assert.equal(clash.text, input);
    assert.equal(errors.length, 1);
    const back = await unfold(foldId(second), { store, namespace: 'collide' });
    assert.equal(back.status === 'ok' && back.text, first);
  });
});

describe('the Redis store in an outage', { skip, timeout: 30_000 }, () => {
  const input = workerDocument(7, 7);
  const compressReporting = async (store: Keyv) => {
    const reports: string[] = [];
    const started = performance.now();
    const result = await compress(input, { kind: 'text', budget: 256, store, onError: (_error, { stage }) => reports.push(stage) });
    return { result, reports, elapsedMs: performance.now() - started };
  };
  const assertFailedOpen = ({ result, reports }: Awaited<ReturnType<typeof compressReporting>>) => {
    assert.equal(result.passThrough, 'store-failed');
    assert.equal(result.text, input);
    assert.deepEqual(findMarkers(result.text), []);
    assert.deepEqual(reports, ['store']);
  };

  it('passes the input through, reporting once, when Redis dies, and recovers when it is back', async () => {
    compressors.text = standInCompressor;
    const redis = await startRedis();
    const store = await createRedisStore(redis.url, { connectTimeout: 500, commandTimeout: 500 });
    try {
      const up = await compressReporting(store);
      assert.equal(up.result.passThrough, undefined);
      await redis.kill();
      for (let attempt = 0; attempt < 3; attempt++) {
        const down = await compressReporting(store);
        assertFailedOpen(down);
        assert.ok(down.elapsedMs < 1500, `took ${down.elapsedMs} ms`);
      }
      assert.match(await runUnfoldTool({ id: up.result.folds[0]!.id }, { store }), /could not be read/);

      await redis.restart();
      let recovered = false;
      for (let waited = 0; waited < 10_000 && !recovered; waited += 100) {
        recovered = (await compressReporting(store)).result.passThrough === undefined;
        if (!recovered) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(recovered, 'the store did not come back within 10 s of Redis');
    } finally {
      await store.disconnect();
      await redis.stop();
    }
  });

  it('passes the input through after the command timeout when Redis hangs', async () => {
    compressors.text = standInCompressor;
    const redis = await startRedis();
    const store = await createRedisStore(redis.url, { connectTimeout: 300, commandTimeout: 300 });
    try {
      assert.equal((await compressReporting(store)).result.passThrough, undefined);
      redis.pause();
      const frozen = await compressReporting(store);
      assertFailedOpen(frozen);
      assert.ok(frozen.elapsedMs < 2000, `took ${frozen.elapsedMs} ms`);
      redis.resume();
    } finally {
      redis.resume();
      await store.disconnect();
      await redis.stop();
    }
  });

  it('passes the input through at once when no Redis ever listened', async () => {
    compressors.text = standInCompressor;
    const store = await createRedisStore(`redis://127.0.0.1:${await freePort()}`, { connectTimeout: 500 });
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const never = await compressReporting(store);
        assertFailedOpen(never);
        assert.ok(never.elapsedMs < 1000, `took ${never.elapsedMs} ms`);
      }
    } finally {
      await store.disconnect();
    }
  });
});
