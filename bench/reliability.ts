/*
 * Reliability bench: `node --conditions=tokenfold-source bench/reliability.ts [--quick]`.
 *
 * Writes bench/reliability-results.md with four sections:
 *
 * - Load: 8 worker processes fold and unfold at once on one redis-server (started here on a free
 *   port of 127.0.0.1), each reading back everything it wrote; counts operations, wrong answers,
 *   reads across namespaces and losses.
 * - Faults: Redis killed mid-run (and restarted, with an append-only file) and frozen mid-run under
 *   the same 8-worker load; Redis never there; an SQLite file made read-only or full; stores whose
 *   writes throw ENOSPC, resolve false or whose reads throw; a compressor that throws. For each:
 *   how many calls passed their input through, how many reports reached `onError`, and how many
 *   errors reached the caller (the agent loop), which must be none.
 * - Fuzz: the property checks of test/support/compress-properties.ts over many more generated
 *   cases than `npm test` runs, and the hostile inputs of test/support/adversarial.ts.
 * - Memory: a 100 MB log and a 100 MB JSON array (generated in /tmp, not in the repo), each
 *   compressed in a child process, reporting time and peak RSS (`process.resourceUsage().maxRSS`)
 *   per input MB.
 * - Attacks: the attacks of issue 11 (bench/attacks.ts), each with whether it was blocked and what
 *   it cost.
 *
 * Timings depend on what else the machine is doing; the report records the load average.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type fc from 'fast-check';
import Keyv from 'keyv';
import { compress, createRedisStore, createSqliteStore, detect, estimateTokens, findMarkers, o200kCounter, runUnfoldTool } from 'tokenfold';
import type { ContentKind } from 'tokenfold';
import { compressors, prepareCompressors } from '../core/compressors/index.ts';
import type { GeneratedInput } from '../test/support/generators.ts';
import type { TestRedis } from '../test/support/redis-server.ts';
import type { WorkerConfig, WorkerReport } from '../test/support/store-worker.ts';
import type { SqliteFoldStore } from '../core/sqlite-store.ts';

// The memory child measures RSS, so the bench's own helpers (fast-check, generators, workers,
// 5 MB of hostile strings) load only in the parent.
const loadHelpers = async () => ({
  fc: (await import('fast-check')).default,
  ...(await import('../test/support/adversarial.ts')),
  ...(await import('../test/support/compress-properties.ts')),
  ...(await import('../test/support/generators.ts')),
  ...(await import('../test/support/redis-server.ts')),
  ...(await import('../test/support/store-worker.ts')),
});
let helpers: Awaited<ReturnType<typeof loadHelpers>>;

const WORKERS = 8;
const HUGE_MB = 100;
const scratch = join(tmpdir(), 'tokenfold-reliability');

const sum = (reports: WorkerReport[], pick: (report: WorkerReport) => number) => reports.reduce((total, report) => total + pick(report), 0);
const seconds = (ms: number) => (ms / 1000).toFixed(1);
const thousands = (value: number) => value.toLocaleString('en-US');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Load: 8 processes on one Redis

interface LoadRow {
  name: string;
  reports: WorkerReport[];
  wallMs: number;
  note: string;
}

async function workersOn(redis: TestRedis, config: Partial<WorkerConfig>, during?: () => Promise<void>): Promise<{ reports: WorkerReport[]; wallMs: number }> {
  const started = performance.now();
  const running = Promise.all(
    Array.from({ length: WORKERS }, (_, worker) =>
      helpers.runWorker({ store: 'redis', location: redis.url, worker, workers: WORKERS, documents: 200, mode: 'fold', compressor: 'real', ...config }),
    ),
  );
  await during?.();
  const reports = await running;
  return { reports, wallMs: performance.now() - started };
}

function loadTable(rows: LoadRow[]): string {
  const lines = [
    '| run | processes | compressions | folds | unfolds | ops/s | passed through (store) | reads the store could not serve, retried | wrong answers | cross-namespace reads | folds lost | slowest compress |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { name, reports, wallMs } of rows) {
    const operations = sum(reports, (report) => report.compressions + report.unfolds);
    const wrong = reports.flatMap((report) => report.mismatches.filter((line) => !line.includes('store unreadable')));
    const lost = reports.flatMap((report) => report.mismatches.filter((line) => line.includes('store unreadable') || line.endsWith('not-found')));
    lines.push(
      `| ${name} | ${reports.length} | ${thousands(sum(reports, (report) => report.compressions))} | ${thousands(sum(reports, (report) => report.folds))} | ${thousands(sum(reports, (report) => report.unfolds))} | ${thousands(Math.round(operations / (wallMs / 1000)))} | ${sum(reports, (report) => report.storeFailures)} | ${sum(reports, (report) => report.unavailable)} | ${wrong.length - lost.length} | ${sum(reports, (report) => report.leaks.length)} | ${lost.length} | ${Math.round(Math.max(...reports.map((report) => report.slowestCompressMs)))} ms |`,
    );
  }
  lines.push('', ...rows.map(({ name, note }) => `- ${name}: ${note}`));
  return lines.join('\n');
}

/** Resolves once the Redis at `url` holds `keys` keys: the fault then hits a run in full swing. */
async function waitForKeys(url: string, keys: number): Promise<void> {
  const { createClient } = await import('@keyv/redis');
  const client = createClient({ url });
  await client.connect();
  try {
    while ((await client.dbSize()) < keys) await sleep(50);
  } finally {
    client.destroy();
  }
}

async function loadAndRedisFaults(documents: number): Promise<{ load: string; faults: FaultRow[] }> {
  const rows: LoadRow[] = [];
  const faults: FaultRow[] = [];
  const { startRedis } = helpers;
  const redis = await startRedis();
  try {
    const real = await workersOn(redis, { documents });
    rows.push({ name: 'real compressors', ...real, note: `each process compresses ${documents} generated logs (router and log compressor, budget 300), unfolds every fold at once and again at the end; half go to its own namespace, half to one all processes share` });
    const standIn = await workersOn(redis, { documents, compressor: 'stand-in' });
    rows.push({ name: 'stand-in compressor', ...standIn, note: `each process compresses ${documents} documents whose folds are known in advance (every paragraph but its first line; the first paragraph is the same in all processes), checks each unfold byte for byte, and tries each of its own folds from the next process's namespace` });
  } finally {
    await redis.stop();
  }

  // Killed mid-run and restarted 1 s later; the append-only file, synced on every write, keeps
  // what was acknowledged, so nothing may be lost.
  const durable = mkdtempSync(join(tmpdir(), 'tokenfold-aof-'));
  const killed = await startRedis({ persistIn: durable });
  try {
    const run = await workersOn(killed, { documents, timeoutMs: 500, paceMs: 100 }, async () => {
      await waitForKeys(killed.url, WORKERS * documents * 0.3);
      await killed.kill();
      await sleep(1000);
      await killed.restart();
    });
    rows.push({ name: 'Redis killed mid-run', ...run, note: 'SIGKILL once 30% of the folds are written, restarted on the same port 1 s later (appendonly yes, appendfsync always); 500 ms timeouts; each process pauses 100 ms between batches of 4, so that the run outlasts the outage' });
    faults.push(faultFromWorkers('Redis killed (SIGKILL) under 8-process load, restarted 1 s later', run.reports, 'yes: folds written before the kill read back after the restart'));
  } finally {
    await killed.stop();
    rmSync(durable, { recursive: true, force: true });
  }

  const frozen = await startRedis();
  try {
    const run = await workersOn(frozen, { documents, timeoutMs: 500, paceMs: 100 }, async () => {
      await waitForKeys(frozen.url, WORKERS * documents * 0.3);
      frozen.pause();
      await sleep(2000);
      frozen.resume();
    });
    rows.push({ name: 'Redis frozen mid-run', ...run, note: 'SIGSTOP once 30% of the folds are written, for 2 s, then SIGCONT; 500 ms timeouts; paced like the run above' });
    faults.push(faultFromWorkers('Redis frozen (SIGSTOP) for 2 s under 8-process load', run.reports, 'yes'));
  } finally {
    frozen.resume();
    await frozen.stop();
  }
  return { load: loadTable(rows), faults };
}

// ---------------------------------------------------------------------------------------------
// Faults in one process

interface FaultRow {
  fault: string;
  calls: number;
  passedThrough: number;
  reports: number;
  thrown: number;
  markersWithoutOriginal: number;
  wrongAnswers: number;
  slowestMs: number;
  recovered: string;
}

function faultFromWorkers(fault: string, reports: WorkerReport[], recovered: string): FaultRow {
  return {
    fault,
    calls: sum(reports, (report) => report.compressions),
    passedThrough: sum(reports, (report) => report.storeFailures),
    reports: sum(reports, (report) => report.storeFailures),
    thrown: 0, // a worker that threw would have exited without a report, failing the run
    markersWithoutOriginal: 0,
    wrongAnswers: sum(reports, (report) => report.mismatches.length),
    slowestMs: Math.max(...reports.map((report) => report.slowestCompressMs)),
    recovered,
  };
}

/** Compresses `calls` distinct logs into `store` and counts how the failures were survived. */
async function survive(fault: string, store: Keyv, calls: number, recovered: () => Promise<string>): Promise<FaultRow> {
  const row: FaultRow = { fault, calls, passedThrough: 0, reports: 0, thrown: 0, markersWithoutOriginal: 0, wrongAnswers: 0, slowestMs: 0, recovered: '' };
  for (let index = 0; index < calls; index++) {
    const input = helpers.workerLog(90, index);
    const started = performance.now();
    try {
      const result = await compress(input, { store, budget: 300, onError: () => row.reports++ });
      if (result.passThrough) {
        row.passedThrough++;
        if (result.text !== input) row.wrongAnswers++;
      }
      if (result.passThrough && findMarkers(result.text).length > 0) row.markersWithoutOriginal++;
      // The unfold tool answers the model in words, whatever the store does.
      for (const fold of result.folds) await runUnfoldTool({ id: fold.id }, { store });
      await runUnfoldTool({ id: '123456789012' }, { store });
    } catch {
      row.thrown++;
    }
    row.slowestMs = Math.max(row.slowestMs, performance.now() - started);
  }
  row.recovered = await recovered();
  return row;
}

function failingStore(name: string, overrides: { set?: () => Promise<unknown>; get?: () => Promise<unknown> }): Keyv {
  const map = new Map<string, unknown>();
  return new Keyv({
    store: {
      get: overrides.get ?? (async (key: string) => map.get(key)),
      set: overrides.set ?? (async (key: string, value: unknown) => map.set(key, value)),
      delete: async (key: string) => map.delete(key),
      clear: async () => map.clear(),
    },
    throwOnErrors: true,
    namespace: name,
  });
}

async function inProcessFaults(calls: number): Promise<FaultRow[]> {
  const rows: FaultRow[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'tokenfold-faults-'));
  const { workerLog } = helpers;
  const worksAgain = async (store: Keyv) => ((await compress(workerLog(91, 0), { store, budget: 300 })).passThrough === undefined ? 'yes' : 'no');
  try {
    const port = await helpers.freePort();
    const never = await createRedisStore(`redis://127.0.0.1:${port}`, { connectTimeout: 500 });
    rows.push(await survive('Redis never there (connection refused)', never, calls, async () => 'n/a'));
    await never.disconnect();

    // Read-only: file mode 0444, made immutable when running as root (root ignores file modes),
    // or SQLite's own read-only switch where `chattr` cannot.
    const readOnlyPath = join(folder, 'read-only.sqlite');
    const writer = await createSqliteStore(readOnlyPath);
    await compress(workerLog(92, 0), { store: writer, budget: 300 });
    await writer.disconnect();
    chmodSync(readOnlyPath, 0o444);
    const asRoot = process.getuid?.() === 0;
    const immutable = asRoot && spawnSync('chattr', ['+i', readOnlyPath], { stdio: 'ignore' }).status === 0;
    const readOnly = await createSqliteStore(readOnlyPath);
    if (asRoot && !immutable) (readOnly.store as SqliteFoldStore).database.exec('PRAGMA query_only = ON');
    const how = immutable ? 'chmod 444 + chattr +i' : asRoot ? 'PRAGMA query_only' : 'chmod 444';
    rows.push(
      await survive(`SQLite file read-only (${how})`, readOnly, calls, async () => {
        await readOnly.disconnect();
        if (immutable) spawnSync('chattr', ['-i', readOnlyPath], { stdio: 'ignore' });
        chmodSync(readOnlyPath, 0o644);
        const again = await createSqliteStore(readOnlyPath);
        const answer = await worksAgain(again);
        await again.disconnect();
        return `${answer}, once writable again`;
      }),
    );

    const full = await createSqliteStore(join(folder, 'full.sqlite'));
    const { database } = full.store as SqliteFoldStore;
    await compress(workerLog(93, 0), { store: full, budget: 300 });
    const pages = database.prepare('PRAGMA page_count').get() as { page_count: number };
    database.exec(`PRAGMA max_page_count = ${pages.page_count}`);
    rows.push(
      await survive('SQLite disk full (SQLITE_FULL via max_page_count)', full, calls, async () => {
        database.exec('PRAGMA max_page_count = 1073741823');
        return `${await worksAgain(full)}, once there is room`;
      }),
    );
    await full.disconnect();

    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    rows.push(await survive('store write throws ENOSPC', failingStore('enospc', { set: async () => Promise.reject(enospc) }), calls, async () => 'n/a'));
    rows.push(await survive('store write resolves false (refused)', failingStore('refused', { set: async () => false }), calls, async () => 'n/a'));
    rows.push(
      await survive('store read throws (writes work)', failingStore('unreadable', { get: async () => Promise.reject(new Error('read failed')) }), calls, async () => 'n/a'),
    );

    const realLog = compressors.log;
    compressors.log = () => {
      throw new Error('compressor bug');
    };
    try {
      rows.push(await survive('compressor throws', new Keyv(), calls, async () => 'n/a'));
    } finally {
      compressors.log = realLog;
    }
  } finally {
    for (const file of ['read-only.sqlite']) spawnSync('chattr', ['-i', join(folder, file)], { stdio: 'ignore' });
    rmSync(folder, { recursive: true, force: true });
  }
  return rows;
}

function faultTable(rows: FaultRow[]): string {
  const lines = [
    '| fault | compress calls | passed through uncompressed | reports to onError | errors thrown into the caller | markers without a stored original | wrong answers | slowest call | works again after |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.fault} | ${thousands(row.calls)} | ${thousands(row.passedThrough)} | ${thousands(row.reports)} | ${row.thrown} | ${row.markersWithoutOriginal} | ${row.wrongAnswers} | ${Math.round(row.slowestMs)} ms | ${row.recovered} |`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Fuzz

interface FuzzRow {
  what: string;
  cases: number;
  failures: string;
}

async function fuzz(runs: number): Promise<{ rows: FuzzRow[]; adversarial: string }> {
  const { fc, anyInput, inputsByFamily, caseOf, checkCase, adversarialInputs, hostileDocuments } = helpers;
  const rows: FuzzRow[] = [];
  const record = async <T>(what: string, details: fc.RunDetails<T>) => {
    rows.push({
      what,
      cases: details.numRuns,
      failures: details.failed ? `FAILED: ${String(details.errorInstance ?? '').slice(0, 300)} on ${JSON.stringify(details.counterexample).slice(0, 300)}` : '0',
    });
  };
  const settings = { seed: 20_261_125 };
  const router = fc.property(anyInput, ({ text }) => detect(text).kind === detect(text).kind);
  await record('router: detect() never throws, same kind twice', fc.check(router, { ...settings, numRuns: runs * 4 }));
  const chosen = fc.asyncProperty(caseOf(anyInput), (testCase) => checkCase(testCase));
  await record('router, then the compressor it chose, on any input', await fc.check(chosen, { ...settings, numRuns: runs * 2 }));
  for (const kind of Object.keys(compressors) as ContentKind[]) {
    const family = kind === 'ndjson' ? 'json' : (kind as GeneratedInput['family']);
    if (family in inputsByFamily) {
      const own = fc.asyncProperty(caseOf(inputsByFamily[family]), (testCase) => checkCase(testCase, kind));
      await record(`${kind}, forced, on generated ${family}`, await fc.check(own, { ...settings, numRuns: runs }));
    }
    const any = fc.asyncProperty(caseOf(anyInput), (testCase) => checkCase(testCase, kind));
    await record(`${kind}, forced, on any input`, await fc.check(any, { ...settings, numRuns: runs }));
  }

  // Hostile inputs: every registered compressor directly, and compress() end to end (which also
  // counts the tokens of whatever hostile line stays in view).
  const context = { query: 'error timeout', budget: 500, countTokens: (text: string) => o200kCounter.count(text), estimateTokens };
  const timings: Array<{ name: string; kind: string; compressorMs: number; endToEndMs: number }> = [];
  let runsDone = 0;
  for (const [name, text] of Object.entries({ ...adversarialInputs, ...hostileDocuments })) {
    let slowest = { kind: '', ms: 0 };
    for (const kind of Object.keys(compressors) as ContentKind[]) {
      await prepareCompressors[kind]?.(text, {});
      const started = performance.now();
      try {
        compressors[kind]!(text, context);
      } catch {
        slowest = { kind: `${kind} (threw)`, ms: Infinity };
      }
      const ms = performance.now() - started;
      runsDone++;
      if (ms > slowest.ms) slowest = { kind, ms };
    }
    const started = performance.now();
    await compress(text, { store: new Keyv(), minTokens: 0 });
    runsDone++;
    timings.push({ name, kind: slowest.kind, compressorMs: slowest.ms, endToEndMs: performance.now() - started });
  }
  const over = timings.filter((timing) => timing.compressorMs > 2000 || timing.endToEndMs > 2000).length;
  rows.push({ what: `${timings.length} hostile inputs of 100-150 KB × (${Object.keys(compressors).length} compressors + compress())`, cases: runsDone, failures: `${over} over 2 s` });
  const slowestFirst = timings.sort((a, b) => Math.max(b.compressorMs, b.endToEndMs) - Math.max(a.compressorMs, a.endToEndMs));
  const lines = [
    `The ${Math.min(8, timings.length)} slowest of the ${timings.length} hostile inputs (test/support/adversarial.ts); linear work on them takes milliseconds, quadratic work seconds:`,
    '',
    '| hostile input | slowest compressor | its time | compress() end to end |',
    '|---|---|---|---|',
    ...slowestFirst.slice(0, 8).map((timing) => `| ${timing.name} | ${timing.kind} | ${Math.round(timing.compressorMs)} ms | ${Math.round(timing.endToEndMs)} ms |`),
  ];
  return { rows, adversarial: lines.join('\n') };
}

// ---------------------------------------------------------------------------------------------
// Memory on 100 MB inputs

function generateHugeInputs(): { log: string; json: string } {
  mkdirSync(scratch, { recursive: true });
  const log = join(scratch, `log-${HUGE_MB}mb.log`);
  const json = join(scratch, `array-${HUGE_MB}mb.json`);
  const target = HUGE_MB * 1024 * 1024;
  let state = 12_345;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const number = (below: number) => Math.floor(random() * below);
  if (!existsSync(log)) {
    const templates = [
      (a: number, b: number) => `INFO [api] handled request ${a} in ${b}ms`,
      (a: number, b: number) => `INFO [db] query took ${b}ms rows=${a}`,
      (a: number, b: number) => `DEBUG [cache] miss for key user:${a} shard ${b}`,
      (a: number, b: number) => `INFO [auth] session ${a} refreshed after ${b}s`,
      (a: number, b: number) => `WARN [api] slow response ${b}ms for request ${a}`,
      (a: number, b: number) => `ERROR [payments] charge ${a} failed: card declined code ${b}\n\tat com.example.Payments.charge(Payments.java:120)\n\tat com.example.Api.handle(Api.java:88)`,
    ];
    writeChunked(log, target, (index) => {
      const roll = random();
      const template = roll < 0.002 ? 5 : roll < 0.01 ? 4 : number(4);
      const time = `${String(Math.floor(index / 3600) % 24).padStart(2, '0')}:${String(Math.floor(index / 60) % 60).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}.${String(index % 1000).padStart(3, '0')}`;
      return `2024-03-01 ${time} ${templates[template]!(number(100_000), number(1000))}\n`;
    });
  }
  if (!existsSync(json)) {
    const statuses = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'error'];
    writeChunked(json, target, (index) => {
      const row = {
        id: 1_000_000 + index,
        status: statuses[number(10)],
        name: `item-${number(1e6)}`,
        url: `https://api.example.com/v1/items/${1_000_000 + index}`,
        price: number(100_000) / 100,
        tags: ['a', 'b', 'c'].slice(0, number(4)),
        owner: { id: number(1000), login: `user${number(1000)}` },
      };
      return `${index === 0 ? '[' : ','}${JSON.stringify(row)}`;
    }, ']');
  }
  return { log, json };
}

function writeChunked(path: string, bytes: number, piece: (index: number) => string, end = ''): void {
  const descriptor = openSync(path, 'w');
  let written = 0;
  let chunk: string[] = [];
  for (let index = 0; written < bytes; index++) {
    const text = piece(index);
    chunk.push(text);
    written += text.length;
    if (chunk.length === 10_000) {
      writeSync(descriptor, chunk.join(''));
      chunk = [];
    }
  }
  writeSync(descriptor, chunk.join('') + end);
  closeSync(descriptor);
}

interface MemoryReport {
  megabytes: number;
  kind: string;
  passThrough?: string;
  tokensBefore: number;
  tokensAfter: number;
  folds: number;
  structuralMs: number;
  compressMs: number;
  baselineRssMb: number;
  afterReadRssMb: number;
  peakRssMb: number;
}

/** Child process: reads one file and compresses it; prints a MemoryReport. */
async function memoryChild(path: string, storeKind: string): Promise<MemoryReport> {
  const baseline = process.memoryUsage.rss() / 1024 / 1024;
  const text = readFileSync(path, 'utf8');
  const afterRead = process.memoryUsage.rss() / 1024 / 1024;
  const sqlitePath = join(scratch, `folds-${process.pid}.sqlite`);
  const store = storeKind === 'sqlite' ? await createSqliteStore(sqlitePath) : storeKind === 'memory' ? new Keyv() : failingStore('discard', { set: async () => true });
  let started = performance.now();
  const result = await compress(text, { maxBytes: Infinity, timeBudgetMs: Infinity, store, budget: 8000 });
  const compressMs = performance.now() - started;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  if (storeKind === 'sqlite') {
    await store.disconnect();
    rmSync(sqlitePath, { force: true });
  }
  // The structural pass alone (router and compressor, no token counting, rendering or store),
  // timed after the peak was read.
  started = performance.now();
  const kind = detect(text).kind;
  compressors[kind]?.(text, { query: '', budget: 8000, countTokens: (part) => o200kCounter.count(part), estimateTokens });
  const structuralMs = performance.now() - started;
  return {
    megabytes: text.length / 1024 / 1024,
    kind: result.kind,
    passThrough: result.passThrough,
    tokensBefore: result.tokensBefore,
    tokensAfter: result.tokensAfter,
    folds: result.folds.length,
    structuralMs,
    compressMs,
    baselineRssMb: baseline,
    afterReadRssMb: afterRead,
    peakRssMb,
  };
}

function runMemoryChild(path: string, storeKind: string): Promise<MemoryReport> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--conditions=tokenfold-source', fileURLToPath(import.meta.url), '--memory-child', path, '--store', storeKind], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.once('close', (code) => {
      const line = output.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`memory child for ${path} exited with ${code}`));
      else resolvePromise(JSON.parse(line) as MemoryReport);
    });
  });
}

async function memory(): Promise<string> {
  const { log, json } = generateHugeInputs();
  const lines = [
    '| input | store | kind | tokens before → after | structural pass (detect + compressor) | compress() | RSS: loaded → file read → peak | peak over loaded, per input MB |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, path] of [[`${HUGE_MB} MB log`, log], [`${HUGE_MB} MB JSON array`, json]] as const) {
    for (const storeKind of ['discard', 'memory', 'sqlite']) {
      const report = await runMemoryChild(path, storeKind);
      const perMb = (report.peakRssMb - report.baselineRssMb) / report.megabytes;
      lines.push(
        `| ${name} | ${storeKind} | ${report.kind}${report.passThrough ? ` (${report.passThrough})` : ''} | ${thousands(report.tokensBefore)} → ${thousands(report.tokensAfter)} | ${seconds(report.structuralMs)} s (${(report.megabytes / (report.structuralMs / 1000)).toFixed(0)} MB/s) | ${seconds(report.compressMs)} s (${(report.megabytes / (report.compressMs / 1000)).toFixed(0)} MB/s) | ${Math.round(report.baselineRssMb)} → ${Math.round(report.afterReadRssMb)} → ${Math.round(report.peakRssMb)} MB | ${perMb.toFixed(1)} MB |`,
      );
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      'memory-child': { type: 'string' },
      store: { type: 'string', default: 'memory' },
      skip: { type: 'string', default: '' },
    },
  });
  if (values['memory-child']) {
    process.stdout.write(`${JSON.stringify(await memoryChild(values['memory-child'], values.store))}\n`);
    return;
  }
  helpers = await loadHelpers();
  const skip = new Set(values.skip.split(','));
  const started = performance.now();
  const loadAverage = loadavg()[0] ?? 0;
  const documents = values.quick ? 60 : 200;
  const calls = values.quick ? 30 : 100;
  const runs = values.quick ? 60 : 300;
  const redisVersion = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ').find((part) => part.startsWith('v='))?.slice(2);

  const progress = (what: string) => process.stderr.write(`[${seconds(performance.now() - started)} s] ${what}\n`);
  progress('load and Redis faults');
  const { load, faults } = skip.has('load') ? { load: '(skipped)', faults: [] } : await loadAndRedisFaults(documents);
  progress('in-process faults');
  const localFaults = await inProcessFaults(calls);
  progress('fuzz');
  const fuzzed = skip.has('fuzz') ? { rows: [], adversarial: '(skipped)' } : await fuzz(runs);
  progress('memory');
  const memoryTable = skip.has('memory') ? '(skipped)' : await memory();
  progress('attacks');
  // Loaded here, not at the top: the memory child must not carry the attack helpers.
  const { attacks, attackTable } = await import('./attacks.ts');
  const attackRows = skip.has('attacks') ? '(skipped)' : attackTable(await attacks(!values.quick));

  const date = new Date().toISOString().replace('T', ' ').slice(0, 19);
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const fuzzTotal = fuzzed.rows.reduce((total, row) => total + row.cases, 0);
  const report = `# tokenfold reliability

Run ${date} UTC on ${cpu} (${cpus().length} cores, load average ${loadAverage.toFixed(2)} at start), Node ${process.version}, redis-server ${redisVersion ?? 'not installed'}, in ${seconds(performance.now() - started)} s. Produced by \`node --conditions=tokenfold-source bench/reliability.ts${values.quick ? ' --quick' : ''}\`.

## Load: ${WORKERS} processes on one Redis

${load}

## Faults injected

Every call below returned: a fault costs an uncompressed output (the input passed through, byte for byte, with no marker) and one report to \`onError\`, never an error in the agent loop. The unfold tool, called for every fold and for an unknown id after each call, answered in words every time.

${faultTable([...faults, ...localFaults])}

## Fuzzing

${thousands(fuzzTotal)} generated cases (fast-check, seed 20261125), each compressed twice and checked for: no throw, no compressor failure, never more tokens than the input, same bytes twice, every marker a stored fold whose text hashes to its id, nothing lost (test/support/compress-properties.ts).

| property run | cases | failures |
|---|---|---|
${fuzzed.rows.map((row) => `| ${row.what} | ${thousands(row.cases)} | ${row.failures} |`).join('\n')}

${fuzzed.adversarial}

## Memory and time on ${HUGE_MB} MB inputs

Each input compressed once in a fresh process with \`maxBytes: Infinity\`, \`timeBudgetMs: Infinity\` and \`budget: 8000\`; "discard" is a store that accepts writes and keeps nothing (the cost of compressing alone), "memory" the default in-memory Keyv (the originals stay in the process), "sqlite" \`createSqliteStore\` in /tmp. RSS "loaded" is the process after loading tokenfold, before reading the file; "file read" after \`readFileSync(path, 'utf8')\` (the buffer and the string); the peak is \`process.resourceUsage().maxRSS\` after \`compress()\`. The structural pass (router and compressor alone, no token counting, rendering or store writes) is timed separately, after the peak was taken.

${memoryTable}

## Attacks

Each attack of issue 11, replayed as a hostile model, tool output or tenant would (bench/attacks.ts; each also has a test that failed before the fix, in test/hardening.test.ts and beside the adapters). Stalls are the longest gap seen by a 1 ms timer while the attack ran.

${attackRows}
`;
  const out = resolve(import.meta.dirname, 'reliability-results.md');
  writeFileSync(out, report);
  progress(`wrote ${out}`);
}

await main();
