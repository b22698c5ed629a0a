/*
 * The AI SDK middleware's cost and savings over one 20-step agent loop.
 *
 *   node --conditions=tokenfold-source bench/adapters-ai.ts
 *
 * A mock model (no network) calls a `fetch` tool on each of 19 steps and answers on the 20th, in a
 * `generateText` / `streamText` loop with `stopWhen: stepCountIs(20)`. The tool returns real
 * outputs from ../shared/corpora, each several times, as an agent that re-reads logs and API
 * payloads would (logs as text outputs, JSON payloads as json outputs). The AI SDK rebuilds the
 * prompt each step and `transformParams` runs again on all of it, so the memo is what keeps later
 * steps cheap. Overhead per step is the time between a timing middleware outside tokenfold and
 * one inside it, minus the model's own time; cold steps are those that compressed an output for
 * the first time. Tokens are o200k, summed over all 20 model calls, with and without the middleware.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import Keyv from 'keyv';
import { o200kCounter } from 'tokenfold';
import { tokenfoldMiddleware } from 'tokenfold/ai';
import { frameworks, type Framework, type SentCall } from '../adapters/ai/test-support/frameworks.ts';

const STEPS = 20;
const ROUNDS = 5;
const corpora = new URL('../../shared/corpora/', import.meta.url);
const SOURCES = [
  'logs/loghub/Hadoop_2k.log',
  'json/simdjson/apache_builds.json',
  'logs/loghub/OpenSSH_2k.log',
  'json/simdjson/github_events.json',
];
const outputs = new Map<string, unknown>(
  SOURCES.map((source) => {
    const text = readFileSync(new URL(source, corpora), 'utf8');
    return [source, source.endsWith('.json') ? JSON.parse(text) : text];
  }),
);
const question = 'Which jobs and services failed today, and why?';

interface StepCost {
  milliseconds: number;
  /** Whether an output was compressed for the first time in this step. */
  cold: boolean;
}

interface LoopResult {
  calls: SentCall[];
  costs: StepCost[];
  compressions: number;
  wallMilliseconds: number;
}

type Mode = 'generateText' | 'streamText';

/** Runs the 20-step loop, with the middleware when `withTokenfold`, timing it per step. */
async function runLoop(framework: Framework, mode: Mode, withTokenfold: boolean): Promise<LoopResult> {
  const { model, calls } = framework.mockModel((_call, index) =>
    index < STEPS - 1
      ? { toolCalls: [{ id: `call-${index}`, name: 'fetch', input: { source: SOURCES[index % SOURCES.length] } }] }
      : { text: 'done' },
  );
  let compressions = 0;
  const outer: number[] = [];
  const inner: number[] = [];
  const compressedBefore: number[] = [];
  // A stream's step ends when its last part is read, so stream timing covers draining the stream.
  const timer = (into: number[]) => ({
    specificationVersion: 'v3',
    wrapGenerate: async ({ doGenerate }: { doGenerate: () => PromiseLike<unknown> }) => {
      if (into === outer) compressedBefore.push(compressions);
      const start = performance.now();
      try {
        return await doGenerate();
      } finally {
        into.push(performance.now() - start);
      }
    },
    wrapStream: async ({ doStream }: { doStream: () => PromiseLike<{ stream: ReadableStream<unknown> }> }) => {
      if (into === outer) compressedBefore.push(compressions);
      const start = performance.now();
      const result = await doStream();
      into.push(performance.now() - start);
      return result;
    },
  });
  const middleware = withTokenfold
    ? [timer(outer), tokenfoldMiddleware({ store: new Keyv(), namespace: 'bench', onCompress: () => compressions++ }), timer(inner)]
    : [];
  const options = {
    model: framework.wrapLanguageModel({ model, middleware }),
    tools: {
      fetch: framework.tool({
        description: 'Returns a log or API payload by name.',
        inputSchema: framework.jsonSchema({ type: 'object', properties: { source: { type: 'string' } }, required: ['source'] }),
        execute: async ({ source }: { source: string }) => outputs.get(source) ?? '',
      }),
    },
    system: 'You investigate failures.',
    prompt: question,
    stopWhen: framework.stepCountIs(STEPS),
  };

  const start = performance.now();
  if (mode === 'generateText') await framework.generateText(options);
  else await framework.streamText(options).consumeStream();
  const wallMilliseconds = performance.now() - start;
  if (calls.length !== STEPS) throw new Error(`expected ${STEPS} model calls, got ${calls.length}`);
  const costs = outer.map((milliseconds, index) => ({
    milliseconds: milliseconds - inner[index]!,
    cold: (compressedBefore[index + 1] ?? compressions) > compressedBefore[index]!,
  }));
  return { calls, costs, compressions, wallMilliseconds };
}

// Counting each distinct text once keeps the token sums cheap: calls repeat earlier messages.
const tokenCounts = new Map<string, number>();
function tokens(text: string): number {
  let count = tokenCounts.get(text);
  if (count === undefined) tokenCounts.set(text, (count = o200kCounter.count(text)));
  return count;
}

/** What the model reads of one message: its texts, tool inputs and tool outputs as sent. */
function messageText(message: any): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((part: any) => {
      if (part.type === 'text' || part.type === 'reasoning') return part.text;
      if (part.type === 'tool-call') return JSON.stringify(part.input);
      if (part.type === 'tool-result') return typeof part.output.value === 'string' ? part.output.value : JSON.stringify(part.output.value);
      return '';
    })
    .join('\n');
}

function inputTokens(calls: SentCall[]): number {
  return calls.reduce((sum, call) => sum + call.prompt.reduce((total, message) => total + tokens(messageText(message)), 0), 0);
}

function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

const milliseconds = (value: number) => (Number.isNaN(value) ? 'n/a' : `${value.toFixed(2)} ms`);

interface Column {
  name: string;
  warm: number[];
  cold: number[];
  all: number[];
  compressions: number;
  tokensWithout: number;
  tokensWith: number;
  wallWithout: number;
  wallWith: number;
}

// Per configuration: warm up once each way, then measure ROUNDS loops each way, each with a
// fresh middleware (so a fresh memo and its own first compressions).
async function measure(framework: Framework, mode: Mode): Promise<Column> {
  await runLoop(framework, mode, false);
  await runLoop(framework, mode, true);
  const baselines: LoopResult[] = [];
  const measured: LoopResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    baselines.push(await runLoop(framework, mode, false));
    measured.push(await runLoop(framework, mode, true));
  }
  const costs = measured.flatMap((loop) => loop.costs);
  return {
    name: `${framework.name} ${mode}`,
    all: costs.map((cost) => cost.milliseconds),
    warm: costs.filter((cost) => !cost.cold).map((cost) => cost.milliseconds),
    cold: costs.filter((cost) => cost.cold).map((cost) => cost.milliseconds),
    compressions: measured[0]!.compressions,
    tokensWithout: inputTokens(baselines[0]!.calls),
    tokensWith: inputTokens(measured[0]!.calls),
    wallWithout: percentile(baselines.map((loop) => loop.wallMilliseconds), 0.5),
    wallWith: percentile(measured.map((loop) => loop.wallMilliseconds), 0.5),
  };
}

const [ai7, ai6] = frameworks as [Framework, Framework];
const columns = [await measure(ai7, 'generateText'), await measure(ai7, 'streamText'), await measure(ai6, 'generateText')];
const row = (label: string, cell: (column: Column) => string) => console.log(`| ${label} | ${columns.map(cell).join(' | ')} |`);

console.log(`## tokenfold/ai: ${STEPS}-step loop, ${ROUNDS} rounds each (Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)})\n`);
console.log(`Tool outputs per loop: ${STEPS - 1} calls over ${SOURCES.length} distinct outputs (${SOURCES.map((source) => source.split('/').pop()).join(', ')}).\n`);
console.log(`| measure | ${columns.map((column) => column.name).join(' | ')} |`);
console.log(`|---|${columns.map(() => '---').join('|')}|`);
row('middleware overhead per step, p50 / p95', (column) => `${milliseconds(percentile(column.all, 0.5))} / ${milliseconds(percentile(column.all, 0.95))}`);
row('after first compression: p50 / p95', (column) => `${milliseconds(percentile(column.warm, 0.5))} / ${milliseconds(percentile(column.warm, 0.95))}`);
row('steps that compressed an output first: p50 / max', (column) => `${milliseconds(percentile(column.cold, 0.5))} / ${milliseconds(Math.max(...column.cold))}`);
row('real compressions per loop (memo misses)', (column) => String(column.compressions));
row('input tokens over the loop, without / with', (column) => `${column.tokensWithout.toLocaleString('en-US')} / ${column.tokensWith.toLocaleString('en-US')}`);
row('tokens saved', (column) => `${(100 * (1 - column.tokensWith / column.tokensWithout)).toFixed(1)}%`);
row('loop wall time (median), without / with', (column) => `${milliseconds(column.wallWithout)} / ${milliseconds(column.wallWith)}`);
