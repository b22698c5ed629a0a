import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import type Keyv from 'keyv';
import { compress, createSqliteStore, findMarkers, foldId, unfold } from 'tokenfold';
import { compressors } from '../core/compressors/index.ts';
import type { SqliteFoldStore } from '../core/sqlite-store.ts';
import { writeFolds } from '../core/store.ts';
import { runWorker, standInCompressor, workerDocument, type WorkerReport } from './support/store-worker.ts';

/*
 * The SQLite store across processes: what one process folds, the next one reads back; several
 * processes write one file at once; and a file that cannot be written (read-only, full) costs
 * one uncompressed output and one report, never an error in the agent loop. Folds are made by a
 * stand-in compressor, so that what each fold holds is known in advance.
 */

const realText = compressors.text;
afterEach(() => {
  compressors.text = realText;
});

const folder = mkdtempSync(join(tmpdir(), 'tokenfold-sqlite-'));
const undo: Array<() => void> = [];
after(() => {
  for (const step of undo) step();
  rmSync(folder, { recursive: true, force: true });
});

let files = 0;
const newFile = () => join(folder, `folds-${++files}.sqlite`);

function assertClean(report: WorkerReport, documents: number): void {
  assert.equal(report.compressions, documents);
  assert.equal(report.storeFailures, 0, `worker ${report.worker} saw store failures`);
  assert.deepEqual(report.mismatches, [], `worker ${report.worker} read back something else`);
  assert.deepEqual(report.leaks, [], `worker ${report.worker} read its folds from another namespace`);
}

async function checkInNewProcess(location: string, reports: WorkerReport[]): Promise<WorkerReport> {
  const recordsFile = join(folder, `records-${++files}.json`);
  writeFileSync(recordsFile, JSON.stringify(reports.flatMap((report) => report.records)));
  return runWorker({ store: 'sqlite', location, worker: 99, workers: 1, documents: 0, mode: 'check', recordsFile, compressor: 'stand-in' });
}

describe('the SQLite store', () => {
  it('keeps folds across processes: folded in one, read back byte-exact in the next', async () => {
    const location = newFile();
    const written = await runWorker({ store: 'sqlite', location, worker: 0, workers: 2, documents: 30, mode: 'fold', compressor: 'stand-in' });
    assertClean(written, 30);
    const read = await checkInNewProcess(location, [written]);
    assert.equal(read.unfolds, written.records.length);
    assert.deepEqual(read.mismatches, []);
  });

  it('takes four processes writing one file at once, and loses nothing', async () => {
    const location = newFile();
    const reports = await Promise.all(
      Array.from({ length: 4 }, (_, worker) =>
        runWorker({ store: 'sqlite', location, worker, workers: 4, documents: 25, mode: 'fold', compressor: 'stand-in', concurrency: 8 }),
      ),
    );
    for (const report of reports) assertClean(report, 25);
    const read = await checkInNewProcess(location, reports);
    assert.equal(read.unfolds, 4 * 25 * 4);
    assert.deepEqual(read.mismatches, []);
  });

  it('never lets a writer replace another writer\'s text under the same id (a collision, made by hand)', async () => {
    // 15-digit collisions cannot be found by search here: one process writes a text under the id
    // of another text, as a colliding writer would, and the other then folds that other text.
    const [first, second] = ['worker text 139933', 'worker text 1567691'];
    const location = newFile();
    const [one, two] = [await createSqliteStore(location), await createSqliteStore(location)];
    const input = 'filler '.repeat(400);
    try {
      assert.ok((await writeFolds(one, undefined, [{ id: foldId(second), text: first, firstLine: 1 }], undefined)).ok);
      compressors.text = () => [{ text: second, unit: 'lines', count: 1 }];
      const clash = await compress(input, { kind: 'text', budget: 256, store: two });
      assert.equal(clash.passThrough, 'store-failed');
      const back = await unfold(foldId(second), { store: two });
      assert.equal(back.status === 'ok' && back.text, first);
    } finally {
      await one.disconnect();
      await two.disconnect();
    }
  });

  it('answers expired after the TTL, also to a store opened later on the same file', async () => {
    compressors.text = standInCompressor;
    const location = newFile();
    const writer = await createSqliteStore(location);
    const result = await compress(workerDocument(1, 1), { kind: 'text', budget: 256, store: writer, ttl: 200 });
    await writer.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const reader = await createSqliteStore(location);
    const back = await unfold(result.folds[0]!.id, { store: reader });
    await reader.disconnect();
    assert.equal(back.status, 'expired');
    assert.match(back.status === 'expired' ? back.message : '', /Run the tool again/);
  });
});

describe('the SQLite store when it cannot write', () => {
  async function compressReporting(store: Keyv, input = workerDocument(2, 2)) {
    const reports: string[] = [];
    const result = await compress(input, { kind: 'text', budget: 256, store, onError: (_error, { stage }) => reports.push(stage) });
    return { input, result, reports };
  }
  function assertFailedOpen({ input, result, reports }: Awaited<ReturnType<typeof compressReporting>>): void {
    assert.equal(result.passThrough, 'store-failed');
    assert.equal(result.text, input);
    assert.deepEqual(findMarkers(result.text), []);
    assert.deepEqual(reports, ['store']);
  }

  it('passes the input through and reports once when the file is read-only, and still reads old folds', async () => {
    compressors.text = standInCompressor;
    const location = newFile();
    const writer = await createSqliteStore(location);
    const before = await compress(workerDocument(2, 1), { kind: 'text', budget: 256, store: writer });
    await writer.disconnect();

    chmodSync(location, 0o444);
    // Root writes through file modes; an immutable file stops it, where the file system allows.
    const asRoot = process.getuid?.() === 0;
    const immutable = asRoot && spawnSync('chattr', ['+i', location], { stdio: 'ignore' }).status === 0;
    if (immutable) undo.push(() => spawnSync('chattr', ['-i', location], { stdio: 'ignore' }));
    const store = await createSqliteStore(location);
    try {
      // Last resort, for root where `chattr` cannot: SQLite's own read-only switch, same error.
      if (asRoot && !immutable) (store.store as SqliteFoldStore).database.exec('PRAGMA query_only = ON');
      assertFailedOpen(await compressReporting(store));
      const old = await unfold(before.folds[1]!.id, { store });
      assert.equal(old.status, 'ok');
    } finally {
      await store.disconnect();
    }
  });

  it('passes the input through and reports once when the disk is full', async () => {
    compressors.text = standInCompressor;
    const store = await createSqliteStore(newFile());
    try {
      // SQLite's page limit fails writes with SQLITE_FULL, the code a full disk gives.
      const { database } = store.store as SqliteFoldStore;
      assert.equal((await compress(workerDocument(2, 3), { kind: 'text', budget: 256, store })).passThrough, undefined);
      const row = database.prepare('PRAGMA page_count').get() as { page_count: number };
      database.exec(`PRAGMA max_page_count = ${row.page_count}`);
      // Writes go on while the last page has room; the first that needs a new page fails.
      let full: Awaited<ReturnType<typeof compressReporting>> | undefined;
      for (let index = 0; index < 50 && !full; index++) {
        const attempt = await compressReporting(store, workerDocument(3, index));
        if (attempt.result.passThrough !== undefined) full = attempt;
      }
      assert.ok(full, 'the file never filled up');
      assertFailedOpen(full);
    } finally {
      await store.disconnect();
    }
  });
});
