import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { LanguageModelV3Prompt } from '@ai-sdk/provider';
import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import Keyv from 'keyv';
import { findMarkers, o200kCounter, readLedger, settleLedger, type CompressResult, type NetSavings, type UnfoldEvent } from 'tokenfold';
import { tokenfoldProcessor } from 'tokenfold/mastra';
import { z } from 'zod';
import { scriptedModel, toolResultsIn, type ModelTurn } from '../../examples/mastra/scripted-model.ts';

/*
 * What the processor reads back from a Mastra agent: each step's provider usage (Mastra's step
 * `usage`, cache reads and writes), recorded in the ledger per history policy, and the net
 * savings (compressions minus unfold answers) in `onCompress` and `onUnfold`. The model is the
 * AI SDK's MockLanguageModelV3, scripted, reporting usage as Anthropic's provider does.
 */

const log = readFileSync(new URL('../../../shared/corpora/logs/loghub/Hadoop_2k.log', import.meta.url), 'utf8');
const namespace = 'mastra-usage';
const CACHE = [
  { total: 2000, read: 0, write: 1800 },
  { total: 4000, read: 1800, write: 2100 },
  { total: 5000, read: 3900, write: 1000 },
];

const readLog = createTool({ id: 'readLog', description: 'Reads the job log.', inputSchema: z.object({}), execute: async () => log });

function readThenUnfold(prompt: LanguageModelV3Prompt, step: number): ModelTurn {
  if (step === 0) return { toolCalls: [{ toolCallId: 'call-read', toolName: 'readLog', input: {} }] };
  const marker = findMarkers(toolResultsIn(prompt).at(-1)!.text)[0];
  if (step === 1 && marker) return { toolCalls: [{ toolCallId: 'call-unfold', toolName: 'unfold', input: { id: marker.id } }] };
  return { text: 'The job lost its resource manager.' };
}

function agentWith(options: Parameters<typeof tokenfoldProcessor>[0]) {
  const processor = tokenfoldProcessor({ namespace, unfoldMaxChars: 1_000_000, ...options });
  const scripted = scriptedModel(readThenUnfold, {
    usageAt: (step) => {
      const { total, read, write } = CACHE[step]!;
      return { inputTokens: { total, noCache: total - read - write, cacheRead: read, cacheWrite: write }, outputTokens: { total: 9, text: 9, reasoning: 0 } };
    },
  });
  const agent = new Agent({
    id: 'log-reader',
    name: 'Log reader',
    instructions: 'You read logs.',
    model: scripted.model,
    tools: { readLog },
    inputProcessors: [processor],
    outputProcessors: [processor],
  });
  return { agent, ...scripted };
}

describe('usage and net savings in a Mastra agent', () => {
  for (const mode of ['generate', 'stream'] as const) {
    it(`records each step's usage in the ledger, cache reads and writes, under the history policy (${mode})`, async () => {
      const store = new Keyv();
      const { agent, prompts } = agentWith({ store, session: { history: 'batch' } });
      if (mode === 'generate') await agent.generate('Why did the job fail?', { maxSteps: 5 });
      else await (await agent.stream('Why did the job fail?', { maxSteps: 5 })).consumeStream();
      await settleLedger();
      const entries = (await readLedger(store, { namespace })).filter((entry) => entry.type === 'usage');
      assert.equal(prompts.length, 3);
      assert.deepEqual(
        entries.map((entry) => [entry.inputTokens, entry.cacheReadTokens, entry.cacheWriteTokens, entry.source, entry.detail?.policy]),
        CACHE.map(({ total, read, write }) => [total, read, write, 'mastra', 'batch']),
      );
    });
  }

  it('onCompress and onUnfold carry the net saving: tokens saved minus tokens read back', async () => {
    const compressions: Array<[CompressResult, NetSavings]> = [];
    const unfolds: UnfoldEvent[] = [];
    const { agent, prompts } = agentWith({
      store: new Keyv(),
      onCompress: (result, savings) => compressions.push([result, savings]),
      onUnfold: (event) => unfolds.push(event),
    });
    await agent.generate('Why did the job fail?', { maxSteps: 5 });

    assert.equal(compressions.length, 1);
    const [result, savings] = compressions[0]!;
    const saved = result.tokensBefore - result.tokensAfter;
    assert.equal(savings.netSaved, saved);
    const answer = toolResultsIn(prompts.at(-1)!).find((part) => part.toolName === 'unfold')!;
    assert.equal(unfolds.length, 1);
    assert.equal(unfolds[0]!.toolCallId, 'call-unfold');
    assert.equal(unfolds[0]!.tokensReturned, o200kCounter.count(answer.text));
    assert.equal(unfolds[0]!.savings.netSaved, saved - unfolds[0]!.tokensReturned);
  });
});
