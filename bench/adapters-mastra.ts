/*
 * The Mastra processor's cost and savings over one 20-step agent loop.
 *
 *   node --conditions=tokenfold-source bench/adapters-mastra.ts
 *
 * A scripted model (no network) calls a `fetch` tool on each of 19 steps and answers on the 20th.
 * The tool returns real outputs from ../shared/corpora, each several times, as an agent that
 * re-reads logs and API payloads would. Overhead per step is the time spent in the processor's
 * hooks between two model calls (compressing the step's tool result, or finding it in the memo,
 * and offering the unfold tool); cold steps are those that compressed an output for the first
 * time. Tokens are o200k, summed over all 20 prompts, with and without the processor.
 */
import { performance } from 'node:perf_hooks';
import type { LanguageModelV3Prompt } from '@ai-sdk/provider';
import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import Keyv from 'keyv';
import { tokenfoldProcessor, type TokenfoldProcessor } from 'tokenfold/mastra';
import { z } from 'zod';
import { promptText, scriptedModel, toolResultsIn, type ModelTurn } from '../examples/mastra/scripted-model.ts';
import { measures, printMeasures, question, ROUNDS, SOURCES, sourceTexts, STEPS, tokens, type StepCost, type TimedLoop } from './adapter-loop.ts';

interface LoopResult extends TimedLoop {
  prompts: LanguageModelV3Prompt[];
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
    execute: async ({ source }) => sourceTexts.get(source) ?? '',
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
  return { prompts: scripted.prompts, costs: steps, wallMilliseconds };
}

function promptTokens(prompts: LanguageModelV3Prompt[]): number {
  return prompts.reduce((sum, prompt) => {
    const withoutResults = promptText(prompt.filter((message) => message.role !== 'tool'));
    return sum + tokens(withoutResults) + toolResultsIn(prompt).reduce((total, result) => total + tokens(result.text), 0);
  }, 0);
}

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

const figures = measures(baselines, measuredRounds, {
  compressions: compressionsPerLoop,
  tokensWithout: promptTokens(baselines[0]!.prompts),
  tokensWith: promptTokens(measuredRounds[0]!.prompts),
});
printMeasures(`tokenfold/mastra: ${STEPS}-step agent loop, ${ROUNDS} rounds`, figures, {
  overhead: 'processor overhead per step',
  unit: 'steps',
  wallNote: "Mastra's processor plumbing included",
});
