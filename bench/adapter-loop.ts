/*
 * What the three adapter benchmarks (adapters-ai.ts, adapters-langchain.ts, adapters-mastra.ts)
 * share, so that their figures compare: the same 20-step loop over the same real tool outputs and
 * question, the same o200k token sums, and the same reading of the timings (overhead per step,
 * split into cold steps that compressed an output for the first time and warm ones, loop wall time
 * as a median). Each benchmark keeps its own framework wiring and the way it times the adapter.
 */
import { readFileSync } from 'node:fs';
import { o200kCounter } from 'tokenfold';
import { percentile as sortedPercentile } from './speed.ts';

/** Model calls per loop: a `fetch` tool call on each step but the last, which answers. */
export const STEPS = 20;
/** Measured loops each way (without and with tokenfold), after one warm-up loop each way. */
export const ROUNDS = 5;

const corpora = new URL('../../shared/corpora/', import.meta.url);
/** The outputs the `fetch` tool returns, in turn, as an agent that re-reads logs and payloads would. */
export const SOURCES = [
  'logs/loghub/Hadoop_2k.log',
  'json/simdjson/apache_builds.json',
  'logs/loghub/OpenSSH_2k.log',
  'json/simdjson/github_events.json',
];
/** The text of each of `SOURCES`, read from ../shared/corpora. */
export const sourceTexts = new Map(SOURCES.map((source) => [source, readFileSync(new URL(source, corpora), 'utf8')]));
export const question = 'Which jobs and services failed today, and why?';

/** "19 calls over 4 distinct outputs (Hadoop_2k.log, ...)", for the report. */
export const sourcesLine = `${STEPS - 1} calls over ${SOURCES.length} distinct outputs (${SOURCES.map((source) => source.split('/').pop()).join(', ')})`;

/** "(Node 24.x, YYYY-MM-DD)", for the report's title. */
export const runNote = `(Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)})`;

/** The adapter's own time in one step (or tool call). */
export interface StepCost {
  milliseconds: number;
  /** Whether an output was compressed for the first time in this step. */
  cold: boolean;
}

// Counting each distinct text once keeps the token sums cheap: calls repeat earlier messages.
const tokenCounts = new Map<string, number>();
/** o200k tokens of `text`, remembered per distinct text. */
export function tokens(text: string): number {
  let count = tokenCounts.get(text);
  if (count === undefined) tokenCounts.set(text, (count = o200kCounter.count(text)));
  return count;
}

/** Nearest-rank percentile of unsorted values (NaN for none, which the report prints as n/a). */
export function percentile(values: number[], fraction: number): number {
  return values.length === 0 ? Number.NaN : sortedPercentile([...values].sort((a, b) => a - b), fraction);
}

/** A duration for the report ('n/a' where there was nothing to measure). */
export const milliseconds = (value: number) => (Number.isNaN(value) ? 'n/a' : `${value.toFixed(2)} ms`);

/** One timed loop, as each benchmark's `runLoop` reports it. */
export interface TimedLoop {
  costs: StepCost[];
  wallMilliseconds: number;
}

/** The figures of one configuration over its measured rounds. */
export interface Measures {
  /** Overhead of every measured step, then of the warm and the cold ones. */
  all: number[];
  warm: number[];
  cold: number[];
  /** Real compressions (memo misses) in one loop. */
  compressions: number;
  /** Input tokens over one loop, without and with tokenfold. */
  tokensWithout: number;
  tokensWith: number;
  /** Median loop wall time, without and with tokenfold. */
  wallWithout: number;
  wallWith: number;
}

/** Reads the rounds measured without (`baselines`) and with tokenfold (`measured`) into figures. */
export function measures(
  baselines: TimedLoop[],
  measured: TimedLoop[],
  counts: { compressions: number; tokensWithout: number; tokensWith: number },
): Measures {
  const costs = measured.flatMap((loop) => loop.costs);
  return {
    all: costs.map((cost) => cost.milliseconds),
    warm: costs.filter((cost) => !cost.cold).map((cost) => cost.milliseconds),
    cold: costs.filter((cost) => cost.cold).map((cost) => cost.milliseconds),
    ...counts,
    wallWithout: percentile(baselines.map((loop) => loop.wallMilliseconds), 0.5),
    wallWith: percentile(measured.map((loop) => loop.wallMilliseconds), 0.5),
  };
}

/**
 * Prints one configuration's figures as a two-column markdown table. `overhead` names what is
 * timed ("middleware overhead per tool call"), `unit` what it is timed per, in the plural
 * ("calls"), and `wallNote` what the added wall time includes besides tokenfold.
 */
export function printMeasures(title: string, figures: Measures, labels: { overhead: string; unit: string; wallNote: string }): void {
  const { all, warm, cold, tokensWithout, tokensWith, wallWithout, wallWith } = figures;
  const { overhead, unit, wallNote } = labels;
  console.log(`## ${title} ${runNote}\n`);
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| tool outputs per loop | ${sourcesLine} |`);
  console.log(`| ${overhead}, p50 / p95 (${all.length} ${unit}) | ${milliseconds(percentile(all, 0.5))} / ${milliseconds(percentile(all, 0.95))} |`);
  console.log(`| after first compression: p50 / p95 (${warm.length} ${unit}) | ${milliseconds(percentile(warm, 0.5))} / ${milliseconds(percentile(warm, 0.95))} |`);
  console.log(`| ${unit} that compressed an output first: p50 / max (${cold.length} ${unit}) | ${milliseconds(percentile(cold, 0.5))} / ${milliseconds(Math.max(...cold))} |`);
  console.log(`| real compressions per loop (memo misses) | ${figures.compressions} |`);
  console.log(`| input tokens over the loop, without / with | ${tokensWithout.toLocaleString('en-US')} / ${tokensWith.toLocaleString('en-US')} |`);
  console.log(`| tokens saved | ${(100 * (1 - tokensWith / tokensWithout)).toFixed(1)}% |`);
  console.log(`| loop wall time (median), without / with | ${milliseconds(wallWithout)} / ${milliseconds(wallWith)} |`);
  console.log(`| wall time added per step, ${wallNote} | ${milliseconds((wallWith - wallWithout) / STEPS)} |`);
}
