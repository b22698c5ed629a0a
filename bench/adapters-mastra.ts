/*
 * The Mastra processor's cost and savings over one 20-step agent loop.
 *
 *   node --conditions=source bench/adapters-mastra.ts
 *
 * A scripted model (no network) calls a `fetch` tool on each of 19 steps and answers on the 20th.
 * The tool returns real outputs from ../shared/corpora, each several times, as an agent that
 * re-reads logs and API payloads would. Overhead per step is the time spent in the processor's
 * hooks between two model calls (compressing the step's tool result, or finding it in the memo,
 * and offering the unfold tool); cold steps are those that compressed an output for the first
 * time. Tokens are o200k, summed over all 20 prompts, with and without the processor.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { LanguageModelV3Prompt } from '@ai-sdk/provider';
import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import Keyv from 'keyv';
import { o200kCounter } from 'tokenfold';
import { tokenfoldProcessor, type TokenfoldProcessor } from 'tokenfold/mastra';
import { z } from 'zod';
import { promptText, scriptedModel, toolResultsIn, type ModelTurn } from '../examples/mastra/scripted-model.ts';

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

interface StepCost {
  milliseconds: number;
  /** Whether an output was compressed for the first time in this step. */
  cold: boolean;
}

interface LoopResult {
  prompts: LanguageModelV3Prompt[];
  steps: StepCost[];
  wallMilliseconds: number;
}

/** Runs the 20-step loop, with the processor when given, timing its hooks per step. */
async function runLoop(processor?: TokenfoldProcessor, compressions?: { count: number }): Promise<LoopResult> {
  const steps: StepCost[] = [];
  let pending = 0;
  let compressionsBefore = compressions?.count ?? 0;
  const decide = (_prompt: LanguageModelV3Prompt, step: number): ModelTurn => {
    // Everything the hooks did since the last model call belongs to this step.
    steps.push({ milliseconds: pending, cold: (compressions?.count ?? 0) > compressionsBefore });
    pending = 0;
    compressionsBefore = compressions?.count ?? 0;
    if (step === STEPS - 1) return { text: 'done' };
    return { toolCalls: [{ toolCallId: `call-${step}`, toolName: 'fetch', input: { source: SOURCES[step % SOURCES.length]! } }] };
  };
  const fetchTool = createTool({
    id: 'fetch',
    description: 'Returns a log or API payload by name.',
    inputSchema: z.object({ source: z.string() }),
    execute: async ({ source }) => outputs.get(source) ?? '',
  });
  const timed = processor && {
    ...processor,
    processToolResult: timedHook(processor.processToolResult),
    processInputStep: timedHook(processor.processInputStep),
  };
  function timedHook<Args extends unknown[], Result>(hook: (...args: Args) => Result | Promise<Result>) {
    return async (...args: Args) => {
      const start = performance.now();
      try {
        return await hook(...args);
      } finally {
        pending += performance.now() - start;
      }
    };
  }
  const scripted = scriptedModel(decide);
  const agent = new Agent({
    id: 'bench',
    name: 'Bench',
    instructions: 'You investigate failures.',
    model: scripted.model,
    tools: { fetch: fetchTool },
    inputProcessors: timed ? [timed] : [],
    outputProcessors: timed ? [timed] : [],
  });
  const start = performance.now();
  await agent.generate(question, { maxSteps: STEPS });
  const wallMilliseconds = performance.now() - start;
  if (scripted.prompts.length !== STEPS) throw new Error(`expected ${STEPS} model calls, got ${scripted.prompts.length}`);
  return { prompts: scripted.prompts, steps, wallMilliseconds };
}

// Counting each distinct text once keeps the token sums cheap: prompts repeat earlier results.
const tokenCounts = new Map<string, number>();
function tokens(text: string): number {
  let count = tokenCounts.get(text);
  if (count === undefined) tokenCounts.set(text, (count = o200kCounter.count(text)));
  return count;
}

function promptTokens(prompts: LanguageModelV3Prompt[]): number {
  return prompts.reduce((sum, prompt) => {
    const withoutResults = promptText(prompt.filter((message) => message.role !== 'tool'));
    return sum + tokens(withoutResults) + toolResultsIn(prompt).reduce((total, result) => total + tokens(result.text), 0);
  }, 0);
}

function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

const milliseconds = (value: number) => (Number.isNaN(value) ? 'n/a' : `${value.toFixed(2)} ms`);

function withProcessor() {
  const compressions = { count: 0 };
  const processor = tokenfoldProcessor({
    store: new Keyv(),
    namespace: 'bench',
    onCompress: () => compressions.count++,
  });
  return { processor, compressions };
}

// Warm up Mastra, the tokenizer and the compressors once, then measure ROUNDS loops each way,
// each with a fresh processor (so a fresh memo and its own first compressions).
const ROUNDS = 5;
await runLoop();
await runLoop(withProcessor().processor);
const baselines: LoopResult[] = [];
const measuredRounds: LoopResult[] = [];
let compressionsPerLoop = 0;
for (let round = 0; round < ROUNDS; round++) {
  baselines.push(await runLoop());
  const { processor, compressions } = withProcessor();
  measuredRounds.push(await runLoop(processor, compressions));
  compressionsPerLoop = compressions.count;
}

const steps = measuredRounds.flatMap((loop) => loop.steps);
const warm = steps.filter((step) => !step.cold).map((step) => step.milliseconds);
const cold = steps.filter((step) => step.cold).map((step) => step.milliseconds);
const all = steps.map((step) => step.milliseconds);
const tokensWithout = promptTokens(baselines[0]!.prompts);
const tokensWith = promptTokens(measuredRounds[0]!.prompts);
const wallWithout = percentile(baselines.map((loop) => loop.wallMilliseconds), 0.5);
const wallWith = percentile(measuredRounds.map((loop) => loop.wallMilliseconds), 0.5);

console.log(`## tokenfold/mastra: ${STEPS}-step agent loop, ${ROUNDS} rounds (Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)})\n`);
console.log('| measure | value |');
console.log('|---|---|');
console.log(`| tool outputs per loop | ${STEPS - 1} calls over ${SOURCES.length} distinct outputs (${SOURCES.map((source) => source.split('/').pop()).join(', ')}) |`);
console.log(`| processor overhead per step, p50 / p95 (${all.length} steps) | ${milliseconds(percentile(all, 0.5))} / ${milliseconds(percentile(all, 0.95))} |`);
console.log(`| after first compression: p50 / p95 (${warm.length} steps) | ${milliseconds(percentile(warm, 0.5))} / ${milliseconds(percentile(warm, 0.95))} |`);
console.log(`| steps that compressed an output first: p50 / max (${cold.length} steps) | ${milliseconds(percentile(cold, 0.5))} / ${milliseconds(Math.max(...cold))} |`);
console.log(`| real compressions per loop (memo misses) | ${compressionsPerLoop} |`);
console.log(`| input tokens over the loop, without / with | ${tokensWithout.toLocaleString('en-US')} / ${tokensWith.toLocaleString('en-US')} |`);
console.log(`| tokens saved | ${(100 * (1 - tokensWith / tokensWithout)).toFixed(1)}% |`);
console.log(`| loop wall time (median), without / with | ${milliseconds(wallWithout)} / ${milliseconds(wallWith)} |`);
console.log(`| wall time added per step, Mastra's processor plumbing included | ${milliseconds((wallWith - wallWithout) / STEPS)} |`);
