/*
 * The LangChain middleware's cost and savings over one 20-step agent loop.
 *
 *   node --conditions=tokenfold-source bench/adapters-langchain.ts
 *
 * LangChain's fake chat model (no network) calls a `fetch` tool on each of 19 steps and answers on
 * the 20th, in a `createAgent` loop. The tool returns real outputs from ../shared/corpora, each
 * several times, as an agent that re-reads logs and API payloads would. Overhead per tool call is
 * the time spent in the middleware's `wrapToolCall` minus the tool's own time, measured by one
 * timing middleware outside it and one inside it; cold calls are those that compressed an output
 * for the first time. The rewrite is durable, so earlier tool messages cost nothing at later
 * steps. Tokens are o200k, summed over all 20 model calls, with and without the middleware.
 */
import { performance } from 'node:perf_hooks';
import type { BaseMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import Keyv from 'keyv';
import { AIMessage, createAgent, createMiddleware, HumanMessage, tool } from 'langchain';
import { tokenfoldMiddleware } from 'tokenfold/langchain';
import { z } from 'zod';
import { measures, printMeasures, question, ROUNDS, SOURCES, sourceTexts, STEPS, tokens, type TimedLoop } from './adapter-loop.ts';

interface LoopResult extends TimedLoop {
  calls: Array<{ messages: BaseMessage[] }>;
}

const fetchTool = tool(async ({ source }: { source: string }) => sourceTexts.get(source) ?? '', {
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

function inputTokens(calls: Array<{ messages: BaseMessage[] }>): number {
  return calls.reduce((sum, call) => sum + call.messages.reduce((total, message) => total + tokens(message.text), 0), 0);
}

// Warm up LangChain, the tokenizer and the compressors once, then measure ROUNDS loops each way,
// each with a fresh middleware (so a fresh memo and its own first compressions).
await runLoop(false);
await runLoop(true);
const baselines: LoopResult[] = [];
const measured: Array<LoopResult & { compressions: number }> = [];
for (let round = 0; round < ROUNDS; round++) {
  baselines.push(await runLoop(false));
  measured.push(await runLoop(true));
}

const figures = measures(baselines, measured, {
  compressions: measured[0]!.compressions,
  tokensWithout: inputTokens(baselines[0]!.calls),
  tokensWith: inputTokens(measured[0]!.calls),
});
printMeasures(`tokenfold/langchain: ${STEPS}-step createAgent loop, ${ROUNDS} rounds`, figures, {
  overhead: 'middleware overhead per tool call',
  unit: 'calls',
  wallNote: 'timing middleware included',
});
