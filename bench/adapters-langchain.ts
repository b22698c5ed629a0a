/*
 * The LangChain middleware's cost and savings over one 20-step agent loop.
 *
 *   node --conditions=source bench/adapters-langchain.ts
 *
 * LangChain's fake chat model (no network) calls a `fetch` tool on each of 19 steps and answers on
 * the 20th, in a `createAgent` loop. The tool returns real outputs from ../shared/corpora, each
 * several times, as an agent that re-reads logs and API payloads would. Overhead per tool call is
 * the time spent in the middleware's `wrapToolCall` minus the tool's own time, measured by one
 * timing middleware outside it and one inside it; cold calls are those that compressed an output
 * for the first time. The rewrite is durable, so earlier tool messages cost nothing at later
 * steps. Tokens are o200k, summed over all 20 model calls, with and without the middleware.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { BaseMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import Keyv from 'keyv';
import { AIMessage, createAgent, createMiddleware, HumanMessage, tool } from 'langchain';
import { o200kCounter } from 'tokenfold';
import { tokenfoldMiddleware } from 'tokenfold/langchain';
import { z } from 'zod';

const STEPS = 20;
const corpora = new URL('../../shared/corpora/', import.meta.url);
const SOURCES = [
  'logs/loghub/Hadoop_2k.log',
  'json/simdjson/apache_builds.json',
  'logs/loghub/OpenSSH_2k.log',
  'json/simdjson/github_events.json',
];
const outputs = new Map(SOURCES.map((source) => [source, readFileSync(new URL(source, corpora), 'utf8')]));
const question = 'Which jobs and services failed today, and why?';

interface CallCost {
  milliseconds: number;
  /** Whether the output was compressed for the first time in this call. */
  cold: boolean;
}

interface LoopResult {
  calls: Array<{ messages: BaseMessage[] }>;
  costs: CallCost[];
  wallMilliseconds: number;
}

const fetchTool = tool(async ({ source }: { source: string }) => outputs.get(source) ?? '', {
  name: 'fetch',
  description: 'Returns a log or API payload by name.',
  schema: z.object({ source: z.string() }),
});

/** Runs the 20-step loop, with the middleware when `withTokenfold`, timing it per tool call. */
async function runLoop(withTokenfold: boolean): Promise<LoopResult & { compressions: number }> {
  const model = fakeModel();
  for (let step = 0; step < STEPS - 1; step++) {
    // An explicit message: respondWithTools would fill its content with every earlier message.
    const call = { name: 'fetch', args: { source: SOURCES[step % SOURCES.length]! }, id: `call-${step}`, type: 'tool_call' as const };
    model.respond(new AIMessage({ content: '', tool_calls: [call] }));
  }
  model.respond(new AIMessage('done'));

  let compressions = 0;
  const outer: number[] = [];
  const inner: number[] = [];
  const compressedBefore: number[] = [];
  const timer = (name: string, into: number[]) =>
    createMiddleware({
      name,
      wrapToolCall: async (request, handler) => {
        if (into === outer) compressedBefore.push(compressions);
        const start = performance.now();
        try {
          return await handler(request);
        } finally {
          into.push(performance.now() - start);
        }
      },
    });
  const middleware = withTokenfold
    ? [
        timer('OuterTimer', outer),
        tokenfoldMiddleware({ store: new Keyv(), namespace: 'bench', onCompress: () => compressions++ }),
        timer('InnerTimer', inner),
      ]
    : [];
  const agent = createAgent({ model, tools: [fetchTool], systemPrompt: 'You investigate failures.', middleware });

  const start = performance.now();
  await agent.invoke({ messages: [new HumanMessage(question)] }, { recursionLimit: 4 * STEPS });
  const wallMilliseconds = performance.now() - start;
  if (model.callCount !== STEPS) throw new Error(`expected ${STEPS} model calls, got ${model.callCount}`);
  if (inner.some((milliseconds, index) => milliseconds > outer[index]!)) throw new Error('timing middleware out of order');
  const costs = outer.map((milliseconds, index) => ({
    milliseconds: milliseconds - inner[index]!,
    cold: (compressedBefore[index + 1] ?? compressions) > compressedBefore[index]!,
  }));
  return { calls: model.calls, costs, wallMilliseconds, compressions };
}

// Counting each distinct text once keeps the token sums cheap: calls repeat earlier messages.
const tokenCounts = new Map<string, number>();
function tokens(text: string): number {
  let count = tokenCounts.get(text);
  if (count === undefined) tokenCounts.set(text, (count = o200kCounter.count(text)));
  return count;
}

function inputTokens(calls: Array<{ messages: BaseMessage[] }>): number {
  return calls.reduce((sum, call) => sum + call.messages.reduce((total, message) => total + tokens(message.text), 0), 0);
}

function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

const milliseconds = (value: number) => (Number.isNaN(value) ? 'n/a' : `${value.toFixed(2)} ms`);

// Warm up LangChain, the tokenizer and the compressors once, then measure ROUNDS loops each way,
// each with a fresh middleware (so a fresh memo and its own first compressions).
const ROUNDS = 5;
await runLoop(false);
await runLoop(true);
const baselines: LoopResult[] = [];
const measured: Array<LoopResult & { compressions: number }> = [];
for (let round = 0; round < ROUNDS; round++) {
  baselines.push(await runLoop(false));
  measured.push(await runLoop(true));
}

const costs = measured.flatMap((loop) => loop.costs);
const all = costs.map((cost) => cost.milliseconds);
const warm = costs.filter((cost) => !cost.cold).map((cost) => cost.milliseconds);
const cold = costs.filter((cost) => cost.cold).map((cost) => cost.milliseconds);
const tokensWithout = inputTokens(baselines[0]!.calls);
const tokensWith = inputTokens(measured[0]!.calls);
const wallWithout = percentile(baselines.map((loop) => loop.wallMilliseconds), 0.5);
const wallWith = percentile(measured.map((loop) => loop.wallMilliseconds), 0.5);

console.log(`## tokenfold/langchain: ${STEPS}-step createAgent loop, ${ROUNDS} rounds (Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)})\n`);
console.log('| measure | value |');
console.log('|---|---|');
console.log(`| tool outputs per loop | ${STEPS - 1} calls over ${SOURCES.length} distinct outputs (${SOURCES.map((source) => source.split('/').pop()).join(', ')}) |`);
console.log(`| middleware overhead per tool call, p50 / p95 (${all.length} calls) | ${milliseconds(percentile(all, 0.5))} / ${milliseconds(percentile(all, 0.95))} |`);
console.log(`| after first compression: p50 / p95 (${warm.length} calls) | ${milliseconds(percentile(warm, 0.5))} / ${milliseconds(percentile(warm, 0.95))} |`);
console.log(`| calls that compressed an output first: p50 / max (${cold.length} calls) | ${milliseconds(percentile(cold, 0.5))} / ${milliseconds(Math.max(...cold))} |`);
console.log(`| real compressions per loop (memo misses) | ${measured[0]!.compressions} |`);
console.log(`| input tokens over the loop, without / with | ${tokensWithout.toLocaleString('en-US')} / ${tokensWith.toLocaleString('en-US')} |`);
console.log(`| tokens saved | ${(100 * (1 - tokensWith / tokensWithout)).toFixed(1)}% |`);
console.log(`| loop wall time (median), without / with | ${milliseconds(wallWithout)} / ${milliseconds(wallWith)} |`);
console.log(`| wall time added per step, timing middleware included | ${milliseconds((wallWith - wallWithout) / STEPS)} |`);
