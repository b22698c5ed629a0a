import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Keyv from 'keyv';
import { compress, createRedisStore, createSqliteStore, foldId, unfold } from 'tokenfold';
import type { Compressor } from 'tokenfold';
import { compressors } from '../../core/compressors/index.ts';
import { seededRandom } from '../../core/tokens.ts';

/*
 * One worker process of the multi-process store tests and of the reliability bench. It folds
 * documents of its own making into a shared store (Redis or SQLite), unfolds what it folded right
 * away and again at the end, and prints one JSON line: what it did and every way the store let
 * it down. Run: node --conditions=tokenfold-source test/support/store-worker.ts '<config JSON>'.
 */

/** What a worker is told to do. */
export interface WorkerConfig {
  store: 'redis' | 'sqlite';
  /** Redis URL or SQLite file path. */
  location: string;
  worker: number;
  workers: number;
  /** Documents to fold. */
  documents: number;
  /** 'fold' folds and checks; 'check' only reads back the records in `recordsFile`. */
  mode: 'fold' | 'check';
  recordsFile?: string;
  /**
   * 'stand-in' folds every paragraph but its first line, so that each fold's exact text is
   * known in advance and the test checks the store, not a compressor's choices; 'real' lets the
   * router and the log compressor decide, as in production.
   */
  compressor: 'stand-in' | 'real';
  /** Compressions in flight at once within this worker. */
  concurrency?: number;
  /** Redis connect and command timeout, in milliseconds. Default 5,000. */
  timeoutMs?: number;
  /** Pause between batches, in milliseconds, so that a run outlasts an injected outage. */
  paceMs?: number;
}

/** One fold a worker wrote: enough to read it back and check it from any process. */
export interface FoldRecord {
  namespace: string;
  id: string;
  /** SHA-256 of the exact folded text. */
  sha256: string;
}

/** What a worker prints. */
export interface WorkerReport {
  worker: number;
  compressions: number;
  folds: number;
  unfolds: number;
  /** Compressions that passed through because the store failed. */
  storeFailures: number;
  /** Unfolds that failed because the store could not be read (retried at the end). */
  unavailable: number;
  /** Longest compression, in milliseconds. */
  slowestCompressMs: number;
  /** Every read that did not give back exactly what was folded, described. */
  mismatches: string[];
  /** Unfolds of this worker's own ids under another worker's namespace that found something. */
  leaks: string[];
  records: FoldRecord[];
  peakRssBytes: number;
  elapsedMs: number;
}

const PARAGRAPH_LINES = 6;

/** Keeps each paragraph's first line and folds the rest of it. */
export const standInCompressor: Compressor = (text) =>
  text.split('\n\n').flatMap((paragraph, index, all) => {
    const [head, ...rest] = paragraph.split('\n');
    const gap = index < all.length - 1 ? '\n\n' : '';
    if (rest.length === 0) return [head + gap];
    return [`${head}\n`, { text: rest.join('\n'), unit: 'lines' as const, count: rest.length }, gap];
  });

// A deterministic pseudo-random generator (mulberry32), so every run folds the same texts.
const random = seededRandom;

/**
 * Document `index` of `worker`: a first paragraph every worker writes identically (so that
 * workers race to write the same key), then paragraphs only this worker writes.
 */
export function workerDocument(worker: number, index: number): string {
  const next = random(worker * 1_000_003 + index);
  const paragraph = (owner: string, number: number) =>
    Array.from({ length: PARAGRAPH_LINES }, (_, line) => {
      const value = Math.floor(next() * 1e9).toString(36);
      return `${owner} document ${index} paragraph ${number} line ${line}: value ${value} ✓ ünïcode 𝄞`;
    }).join('\n');
  const shared = Array.from({ length: PARAGRAPH_LINES }, (_, line) => `shared document ${index} line ${line}`).join('\n');
  return [shared, paragraph(`worker ${worker}`, 1), paragraph(`worker ${worker}`, 2), paragraph(`worker ${worker}`, 3)].join(
    '\n\n',
  );
}

/** A log of a few hundred lines that the real log compressor folds by template. */
export function workerLog(worker: number, index: number): string {
  const next = random(worker * 7919 + index);
  return Array.from({ length: 240 }, (_, line) => {
    const second = String(line % 60).padStart(2, '0');
    const level = next() < 0.03 ? 'ERROR' : 'INFO';
    const latency = Math.floor(next() * 900);
    return `2024-03-0${1 + (index % 9)} 10:${String(worker).padStart(2, '0')}:${second} ${level} worker-${worker} served request ${index}-${line} in ${latency}ms`;
  }).join('\n');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The texts the stand-in compressor folds out of a document, in order. */
function standInFolds(document: string): string[] {
  return document.split('\n\n').map((paragraph) => paragraph.split('\n').slice(1).join('\n'));
}

async function openStore(config: WorkerConfig): Promise<Keyv> {
  return config.store === 'redis'
    ? createRedisStore(config.location, { connectTimeout: config.timeoutMs ?? 5000, commandTimeout: config.timeoutMs ?? 5000 })
    : createSqliteStore(config.location);
}

async function run(config: WorkerConfig): Promise<WorkerReport> {
  const started = performance.now();
  if (config.compressor === 'stand-in') compressors.text = standInCompressor;
  const store = await openStore(config);
  const report: WorkerReport = {
    worker: config.worker,
    compressions: 0,
    folds: 0,
    unfolds: 0,
    storeFailures: 0,
    unavailable: 0,
    slowestCompressMs: 0,
    mismatches: [],
    leaks: [],
    records: [],
    peakRssBytes: 0,
    elapsedMs: 0,
  };
  // A store that cannot be read (an outage the bench injects) is not a wrong answer: the read is
  // retried at the end, when the store is back.
  const retry: Array<[FoldRecord, string | undefined]> = [];
  const check = async (record: FoldRecord, expected?: string, final = false) => {
    report.unfolds++;
    let back;
    try {
      back = await unfold(record.id, { store, namespace: record.namespace });
    } catch (error) {
      report.unavailable++;
      if (final) report.mismatches.push(`${record.namespace}/${record.id}: store unreadable (${String(error)})`);
      else retry.push([record, expected]);
      return;
    }
    if (back.status === 'ok' && !record.sha256 && foldId(back.text, back) === record.id) record.sha256 = sha256(back.text);
    if (back.status !== 'ok') {
      report.mismatches.push(`${record.namespace}/${record.id}: ${back.status}`);
    } else if ((record.sha256 && sha256(back.text) !== record.sha256) || foldId(back.text, back) !== record.id) {
      report.mismatches.push(`${record.namespace}/${record.id}: another text came back`);
    } else if (expected !== undefined && back.text !== expected) {
      report.mismatches.push(`${record.namespace}/${record.id}: not byte-exact`);
    }
  };

  if (config.mode === 'check') {
    const records = JSON.parse(readFileSync(config.recordsFile!, 'utf8')) as FoldRecord[];
    for (const record of records) await check(record);
  } else {
    const foldOne = async (index: number) => {
      // Even documents go to this worker's own namespace, odd ones to one all workers share.
      const namespace = index % 2 === 0 ? `tenant-${config.worker}` : 'shared';
      const input = config.compressor === 'stand-in' ? workerDocument(config.worker, index) : workerLog(config.worker, index);
      const started = performance.now();
      const result = await compress(input, {
        store,
        namespace,
        ...(config.compressor === 'stand-in' ? { kind: 'text' as const, budget: 256 } : { budget: 300 }),
      });
      report.slowestCompressMs = Math.max(report.slowestCompressMs, performance.now() - started);
      report.compressions++;
      if (result.passThrough === 'store-failed') report.storeFailures++;
      const expectedTexts = config.compressor === 'stand-in' && !result.passThrough ? standInFolds(input) : undefined;
      if (expectedTexts && result.folds.length !== expectedTexts.length) {
        report.mismatches.push(`document ${index}: ${result.folds.length} folds, expected ${expectedTexts.length}`);
      }
      for (const [position, fold] of result.folds.entries()) {
        report.folds++;
        // The fold's hash is its id's source: what comes back must hash to the same id.
        const record = { namespace, id: fold.id, sha256: '' };
        try {
          const back = await unfold(fold.id, { store, namespace });
          record.sha256 = sha256(back.status === 'ok' ? back.text : '');
        } catch {
          // Unreadable right now: checked once the store is back, by id alone.
        }
        await check(record, expectedTexts?.[position]);
        report.records.push(record);
        // A fold only this worker wrote must not be readable under another worker's namespace.
        if (position > 0 && config.compressor === 'stand-in' && namespace !== 'shared') {
          const other = `tenant-${(config.worker + 1) % config.workers}`;
          const leaked = await unfold(fold.id, { store, namespace: other }).catch(() => undefined);
          report.unfolds++;
          if (leaked && leaked.status !== 'not-found') report.leaks.push(`${fold.id} read as ${other}: ${leaked.status}`);
        }
      }
    };
    const concurrency = config.concurrency ?? 4;
    for (let start = 0; start < config.documents; start += concurrency) {
      const batch = Array.from({ length: Math.min(concurrency, config.documents - start) }, (_, offset) => start + offset);
      await Promise.all(batch.map(foldOne));
      if (config.paceMs) await new Promise((resolve) => setTimeout(resolve, config.paceMs));
    }
    // Read everything back once more, now that every document of this worker is written, and
    // what could not be read during an outage, waiting up to 20 s for the store to come back.
    retry.length = 0;
    for (const record of report.records) await check(record);
    for (let attempt = 0; retry.length > 0; attempt++) {
      const pending = retry.splice(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const [record, expected] of pending) await check(record, expected, attempt >= 100);
    }
  }
  await store.disconnect();
  report.peakRssBytes = process.resourceUsage().maxRSS * 1024;
  report.elapsedMs = performance.now() - started;
  return report;
}

if (import.meta.main) {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
  const report = await run(config);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** Runs one worker in its own Node process and resolves to its report. */
export function runWorker(config: WorkerConfig): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=tokenfold-source', fileURLToPath(import.meta.url), JSON.stringify(config)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`worker ${config.worker} exited with ${code}: ${stderr.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(line) as WorkerReport);
    });
  });
}
