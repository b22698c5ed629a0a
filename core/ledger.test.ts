import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Keyv from 'keyv';
import { createRedisStore, createSqliteStore, createToolOutputCompressor, readLedger, recordLedger, runUnfoldTool, settleLedger, summarizeLedger } from 'tokenfold';
import type { LedgerEntry } from 'tokenfold';
import { redisSkipReason, startRedis } from '../test/support/redis-server.ts';

const folder = mkdtempSync(join(tmpdir(), 'tokenfold-ledger-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const worker = join(import.meta.dirname, '..', 'test', 'support', 'ledger-worker.ts');

// Several processes write one store at once; every entry of every writer must come back.
async function writeFromProcesses(backend: 'sqlite' | 'redis', location: string, writers: number, entries: number): Promise<void> {
  await Promise.all(
    Array.from({ length: writers }, (_, index) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['--conditions=tokenfold-source', worker, backend, location, String(index), String(entries)], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${index} exited ${code}: ${stderr}`))));
      }),
    ),
  );
}

function writersOf(entries: LedgerEntry[]): Set<unknown> {
  return new Set(entries.map((entry) => entry.detail?.writer));
}

// What 4 writers of 50 entries each left: all 200, none twice, none lost.
async function assertAllWritten(store: Keyv): Promise<void> {
  try {
    const entries = await readLedger(store);
    assert.equal(entries.length, 200);
    assert.equal(writersOf(entries).size, 200);
  } finally {
    await store.disconnect();
  }
}

describe('the ledger', () => {
  it('keeps every entry of concurrent writers in memory, and filters by namespace and time', async () => {
    const store = new Keyv({ throwOnErrors: true });
    const start = Date.now();
    await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        recordLedger(store, { type: 'compress', at: start + index, namespace: index % 2 ? 'odd' : 'even', kind: 'json', tokensBefore: 10, tokensAfter: 4, detail: { writer: index } }),
      ),
    );
    const all = await readLedger(store);
    assert.equal(all.length, 200);
    assert.equal(writersOf(all).size, 200);
    assert.deepEqual(all.map((entry) => entry.at), [...all.map((entry) => entry.at)].sort((left, right) => left - right));
    assert.equal((await readLedger(store, { namespace: 'odd' })).length, 100);
    assert.equal((await readLedger(store, { since: start + 150 })).length, 50);
  });

  it('keeps every entry of 4 processes writing one SQLite file at once', async () => {
    const location = join(folder, 'ledger.sqlite');
    await writeFromProcesses('sqlite', location, 4, 50);
    await assertAllWritten(await createSqliteStore(location));
  });

  it('keeps every entry of 4 processes writing one Redis at once', { skip: redisSkipReason() }, async () => {
    const redis = await startRedis();
    try {
      await writeFromProcesses('redis', redis.url, 4, 50);
      await assertAllWritten(await createRedisStore(redis.url));
    } finally {
      await redis.stop();
    }
  });

  it('records what the adapters compress (once per output) and what the unfold tool returns', async () => {
    const store = new Keyv({ throwOnErrors: true });
    const log = Array.from({ length: 400 }, (_, index) =>
      `2026-12-02 10:${String(Math.floor(index / 60)).padStart(2, '0')}:${String(index % 60).padStart(2, '0')} INFO worker ${index % 7} finished job ${1000 + index} in ${index % 13} ms`,
    ).join('\n');
    const compressOutput = createToolOutputCompressor({ store, namespace: 'thread-1', source: 'test' });
    const first = await compressOutput(log, 'jobs', 'runJobs');
    await compressOutput(log, 'jobs', 'runJobs'); // the memo's repeat is not a new compression
    const id = first!.result.folds[0]!.id;
    const answer = await runUnfoldTool({ id }, { store, namespace: 'thread-1', source: 'test' });
    await settleLedger();
    const entries = await readLedger(store, { namespace: 'thread-1' });
    assert.deepEqual(entries.map((entry) => entry.type), ['compress', 'unfold']);
    const [compressed, unfolded] = entries;
    assert.equal(compressed!.tool, 'runJobs');
    assert.equal(compressed!.tokensBefore, first!.result.tokensBefore);
    assert.equal(compressed!.tokensAfter, first!.result.tokensAfter);
    assert.ok(unfolded!.tokensReturned! > 0 && answer.length > 0);
    const summary = summarizeLedger(entries);
    assert.equal(summary.byKind.log!.unfolds, 1);
    assert.equal(summary.byKind.log!.netSaved, compressed!.tokensBefore! - compressed!.tokensAfter! - unfolded!.tokensReturned!);
  });

  it('never rejects when the store fails, and loses only that entry', async () => {
    const store = new Keyv({ throwOnErrors: true });
    store.set = async () => {
      throw new Error('disk full');
    };
    await recordLedger(store, { type: 'usage', at: Date.now(), inputTokens: 5 });
    await settleLedger();
    assert.deepEqual(await readLedger(store), []);
  });

  it('sums per kind, type and day, and counts unfolds under the kind of the fold they opened', () => {
    const day = Date.UTC(2026, 11, 1, 12);
    const summary = summarizeLedger([
      { type: 'compress', at: day, kind: 'log', tokensBefore: 1000, tokensAfter: 200, folds: 3, detail: { foldIds: ['111111111111'] } },
      { type: 'compress', at: day + 86_400_000, kind: 'json', tokensBefore: 500, tokensAfter: 500, folds: 0 },
      { type: 'unfold', at: day + 86_400_000, tokensReturned: 150, detail: { id: '111111111111' } },
      { type: 'usage', at: day + 86_400_000, inputTokens: 900, cacheReadTokens: 600, cacheWriteTokens: 100 },
    ]);
    assert.equal(summary.byKind.log!.saved, 800);
    assert.equal(summary.byKind.log!.unfolds, 1);
    assert.equal(summary.byKind.log!.netSaved, 650);
    assert.equal(summary.byKind.json!.saved, 0);
    assert.equal(summary.byType.unfold!.tokensReturned, 150);
    assert.equal(summary.total.netSaved, 650);
    assert.equal(summary.total.cacheReadTokens, 600);
    assert.deepEqual(summary.byDay.map(({ day: date, totals }) => [date, totals.calls]), [['2026-12-01', 1], ['2026-12-02', 2]]);
    assert.equal(summary.from, day);
  });
});
