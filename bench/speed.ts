/*
 * Speed, measured per document as the median of several repetitions after a warm-up, and always
 * as a ratio against something measured in the same process on the same document:
 * - count: o200k token count of the input once (gpt-tokenizer), the yardstick;
 * - compress: `compress()` end to end (router, compressor, rendering, token checks, store writes);
 * - structural: what compress() runs besides counting and storing: `detect` (unless the kind is
 *   given) and `compressors[kind]` called directly with the real token counter in its context.
 * One core: the repetitions run one after another on the main thread. A small document is timed
 * in batches (the same batch size for all three) so that each sample lasts at least a millisecond.
 */
import { compress, defaultBudget, detect, estimateTokens, o200kCounter } from 'tokenfold';
import type { CompressOptions } from 'tokenfold';
import { compressStructured } from '../core/regions.ts';

/** One document to time, with the options compress() gets for it. */
export interface SpeedItem {
  text: string;
  options: CompressOptions;
  /** Exact o200k tokens of `text`, for the budget compress() would derive. */
  tokens: number;
}

/** Median milliseconds of each measurement for one document. */
export interface DocSpeed {
  bytes: number;
  countMs: number;
  compressMs: number;
  structuralMs: number;
}

/** Totals over a set of documents (sums of per-document medians). */
export interface SpeedSummary {
  docs: number;
  bytes: number;
  countMs: number;
  compressMs: number;
  structuralMs: number;
  /** compress time / count time (target: at most 1). */
  compressToCount: number;
  compressMBps: number;
  structuralMBps: number;
  countMBps: number;
  /** compress() milliseconds per document. */
  p50Ms: number;
  p95Ms: number;
}

const DEFAULT_MIN_TOKENS = 200;

// Small documents take microseconds; each timed sample repeats them until it lasts about this long,
// so that timer resolution and a stray pause do not decide the median.
const MIN_SAMPLE_MS = 1;
const MAX_BATCH = 256;

/** Median timings per item; `reps` repetitions after one warm-up of each. */
export async function measureSpeed(items: SpeedItem[], reps: number): Promise<DocSpeed[]> {
  const results: DocSpeed[] = [];
  for (const item of items) {
    const count = () => o200kCounter.count(item.text);
    const run = () => compress(item.text, item.options);
    const structural = () => structuralPass(item);
    let start = performance.now();
    count();
    const once = performance.now() - start;
    await run();
    structural();
    const batch = Math.min(MAX_BATCH, Math.max(1, Math.ceil(MIN_SAMPLE_MS / Math.max(once, 0.001))));
    const countTimes: number[] = [];
    const compressTimes: number[] = [];
    const structuralTimes: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      start = performance.now();
      for (let i = 0; i < batch; i++) count();
      countTimes.push((performance.now() - start) / batch);
      start = performance.now();
      for (let i = 0; i < batch; i++) await run();
      compressTimes.push((performance.now() - start) / batch);
      start = performance.now();
      for (let i = 0; i < batch; i++) structural();
      structuralTimes.push((performance.now() - start) / batch);
    }
    results.push({
      bytes: Buffer.byteLength(item.text),
      countMs: median(countTimes),
      compressMs: median(compressTimes),
      structuralMs: median(structuralTimes),
    });
  }
  return results;
}

/** What compress() does besides counting tokens and writing the store. */
function structuralPass(item: SpeedItem): unknown {
  const kind = item.options.kind ?? detect(item.text).kind;
  if (item.tokens < (item.options.minTokens ?? DEFAULT_MIN_TOKENS)) return kind;
  const budget = item.options.budget;
  try {
    return compressStructured(item.text, kind, item.options.kind === undefined, {
      query: item.options.query ?? '',
      budget: typeof budget === 'function' ? budget(item.tokens) : (budget ?? defaultBudget(item.tokens)),
      inputTokens: item.tokens,
      countTokens: (text) => o200kCounter.count(text),
      estimateTokens,
    });
  } catch {
    return undefined; // compress() would pass through; the throw is reported by the fidelity run
  }
}

/** Sums, ratios, MB/s and per-document percentiles. */
export function summarizeSpeed(docs: DocSpeed[]): SpeedSummary {
  const sum = (pick: (doc: DocSpeed) => number) => docs.reduce((total, doc) => total + pick(doc), 0);
  const bytes = sum((doc) => doc.bytes);
  const countMs = sum((doc) => doc.countMs);
  const compressMs = sum((doc) => doc.compressMs);
  const structuralMs = sum((doc) => doc.structuralMs);
  const perDoc = docs.map((doc) => doc.compressMs).sort((a, b) => a - b);
  return {
    docs: docs.length,
    bytes,
    countMs,
    compressMs,
    structuralMs,
    compressToCount: countMs > 0 ? compressMs / countMs : 0,
    compressMBps: megabytesPerSecond(bytes, compressMs),
    structuralMBps: megabytesPerSecond(bytes, structuralMs),
    countMBps: megabytesPerSecond(bytes, countMs),
    p50Ms: percentile(perDoc, 0.5),
    p95Ms: percentile(perDoc, 0.95),
  };
}

function megabytesPerSecond(bytes: number, milliseconds: number): number {
  return milliseconds > 0 ? bytes / 1e6 / (milliseconds / 1000) : 0;
}

/** The median (mean of the middle two for an even count). */
export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}

/** Nearest-rank percentile of sorted values (0 for none). */
export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  if (fraction === 0.5 && sorted.length % 2 === 0) {
    return (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  }
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}
