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
import { performance } from 'node:perf_hooks';
import Keyv from 'keyv';
import { tokenfoldMiddleware } from 'tokenfold/ai';
import { frameworks, type Framework, type SentCall } from '../adapters/ai/test-support/frameworks.ts';
import {
  measures,
  milliseconds,
  percentile,
  question,
  ROUNDS,
  runNote,
  SOURCES,
  sourcesLine,
  sourceTexts,
  STEPS,
  tokens,
  type Measures,
  type TimedLoop,
} from './adapter-loop.ts';

// JSON payloads go to the model as json outputs, logs as text outputs.
const outputs = new Map<string, unknown>(
  [...sourceTexts].map(([source, text]) => [source, source.endsWith('.json') ? JSON.parse(text) : text]),
);

interface LoopResult extends TimedLoop {
  calls: SentCall[];
  compressions: number;
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

interface Column extends Measures {
  name: string;
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
  return {
    name: `${framework.name} ${mode}`,
    ...measures(baselines, measured, {
      compressions: measured[0]!.compressions,
      tokensWithout: inputTokens(baselines[0]!.calls),
      tokensWith: inputTokens(measured[0]!.calls),
    }),
  };
}

const [ai7, ai6] = frameworks as [Framework, Framework];
const columns = [await measure(ai7, 'generateText'), await measure(ai7, 'streamText'), await measure(ai6, 'generateText')];
const row = (label: string, cell: (column: Column) => string) => console.log(`| ${label} | ${columns.map(cell).join(' | ')} |`);

console.log(`## tokenfold/ai: ${STEPS}-step loop, ${ROUNDS} rounds each ${runNote}\n`);
console.log(`Tool outputs per loop: ${sourcesLine}.\n`);
console.log(`| measure | ${columns.map((column) => column.name).join(' | ')} |`);
console.log(`|---|${columns.map(() => '---').join('|')}|`);
row('middleware overhead per step, p50 / p95', (column) => `${milliseconds(percentile(column.all, 0.5))} / ${milliseconds(percentile(column.all, 0.95))}`);
row('after first compression: p50 / p95', (column) => `${milliseconds(percentile(column.warm, 0.5))} / ${milliseconds(percentile(column.warm, 0.95))}`);
row('steps that compressed an output first: p50 / max', (column) => `${milliseconds(percentile(column.cold, 0.5))} / ${milliseconds(Math.max(...column.cold))}`);
row('real compressions per loop (memo misses)', (column) => String(column.compressions));
row('input tokens over the loop, without / with', (column) => `${column.tokensWithout.toLocaleString('en-US')} / ${column.tokensWith.toLocaleString('en-US')}`);
row('tokens saved', (column) => `${(100 * (1 - column.tokensWith / column.tokensWithout)).toFixed(1)}%`);
row('loop wall time (median), without / with', (column) => `${milliseconds(column.wallWithout)} / ${milliseconds(column.wallWith)}`);
