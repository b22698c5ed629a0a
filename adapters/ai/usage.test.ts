import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Keyv from 'keyv';
import { findMarkers, o200kCounter, readLedger, settleLedger, usageByPolicy, type CompressResult, type NetSavings, type UnfoldEvent } from 'tokenfold';
import { tokenfoldMiddleware, unfoldTool } from 'tokenfold/ai';
import { aiSdkUsage } from './usage.ts';
import { frameworks, promptSize, type Framework } from './test-support/frameworks.ts';
import { corpus, lastToolResult } from './test-support/prompts.ts';

/*
 * What the middleware reads back from each call: the provider's usage, recorded in the ledger per
 * history policy, and the net savings (compressions minus unfold answers) in `onCompress` and
 * `onUnfold`. Run through `generateText` / `streamText` of AI SDK 7 and 6 with their mock models,
 * which report usage with cache reads and writes.
 */

const log = corpus('logs/loghub/Hadoop_2k.log');
// What the scripted model's usage reports as read from and written to the cache, per call.
const CACHE = [{ read: 0, write: 900 }, { read: 900, write: 300 }, { read: 1200, write: 100 }];

async function run(framework: Framework, mode: 'generate' | 'stream', options: Record<string, unknown>) {
  if (mode === 'generate') return framework.generateText(options);
  const result = framework.streamText(options);
  return { text: await result.text, steps: await result.steps };
}

// Reads the log, unfolds the first marker it sees, answers.
function readThenUnfold(framework: Framework) {
  return framework.mockModel((call, index) => {
    const cache = CACHE[index]!;
    if (index === 0) return { cache, toolCalls: [{ id: 'call-read', name: 'readLog', input: {} }] };
    if (index === 1) {
      const id = findMarkers(lastToolResult(call.prompt).output.value)[0]!.id;
      return { cache, toolCalls: [{ id: 'call-unfold', name: 'unfold', input: { id } }] };
    }
    return { cache, text: 'The job lost its resource manager.' };
  });
}

for (const framework of frameworks) {
  for (const mode of ['generate', 'stream'] as const) {
    describe(`usage and net savings with ${framework.name} (${mode})`, () => {
      test('records each call\'s usage in the ledger with its cache reads and writes, under the history policy', async () => {
        const store = new Keyv();
        const namespace = `usage-${framework.name}-${mode}`;
        const { model, calls } = readThenUnfold(framework);
        await run(framework, mode, {
          model: framework.wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store, namespace, session: { history: 'batch' } }) }),
          tools: {
            readLog: framework.tool({ inputSchema: framework.jsonSchema({ type: 'object', properties: {} }), execute: async () => log }),
            unfold: unfoldTool({ store, namespace }),
          },
          stopWhen: framework.stepCountIs(5),
          prompt: 'Why did the job fail?',
        });
        await settleLedger();

        const usage = (await readLedger(store, { namespace })).filter((entry) => entry.type === 'usage');
        assert.equal(usage.length, calls.length);
        // What the mock reported: its prompt's size as the input count, and the cache figures above.
        assert.deepEqual(
          usage.map((entry) => [entry.inputTokens, entry.cacheReadTokens, entry.cacheWriteTokens, entry.source, entry.detail?.policy]),
          calls.map((call, index) => [promptSize(call.prompt), CACHE[index]!.read, CACHE[index]!.write, 'ai', 'batch']),
        );
        const batch = usageByPolicy(usage).batch!;
        assert.equal(batch.calls, calls.length);
        assert.equal(batch.cacheReadTokens, 2100);
      });

      test('onCompress and onUnfold carry the net saving: tokens saved minus tokens read back', async () => {
        const store = new Keyv();
        const namespace = `savings-${framework.name}-${mode}`;
        const compressions: Array<[CompressResult, NetSavings]> = [];
        const unfolds: UnfoldEvent[] = [];
        const { model } = readThenUnfold(framework);
        const result = await run(framework, mode, {
          model: framework.wrapLanguageModel({
            model,
            middleware: tokenfoldMiddleware({ store, namespace, onCompress: (compressed, savings) => compressions.push([compressed, savings]), onUnfold: (event) => unfolds.push(event) }),
          }),
          tools: {
            readLog: framework.tool({ inputSchema: framework.jsonSchema({ type: 'object', properties: {} }), execute: async () => log }),
            unfold: unfoldTool({ store, namespace }),
          },
          stopWhen: framework.stepCountIs(5),
          prompt: 'Why did the job fail?',
        });

        assert.equal(compressions.length, 1);
        const [compressed, afterCompression] = compressions[0]!;
        const saved = compressed.tokensBefore - compressed.tokensAfter;
        assert.deepEqual(afterCompression, { outputs: 1, tokensBefore: compressed.tokensBefore, tokensAfter: compressed.tokensAfter, tokensSaved: saved, unfolds: 0, tokensReturned: 0, netSaved: saved });

        // One unfold, counted once although the two calls after it both carry its answer.
        assert.equal(unfolds.length, 1);
        const [unfolded] = unfolds;
        const answer = result.steps.flatMap((step: any) => step.toolResults).find((part: any) => part.toolName === 'unfold').output;
        assert.equal(unfolded!.tokensReturned, o200kCounter.count(answer));
        assert.equal(unfolded!.toolCallId, 'call-unfold');
        assert.equal(unfolded!.id, findMarkers(compressed.text)[0]!.id);
        assert.deepEqual(unfolded!.savings, { ...afterCompression, unfolds: 1, tokensReturned: unfolded!.tokensReturned, netSaved: saved - unfolded!.tokensReturned });
      });
    });
  }

  test(`auto-unfold tells onUnfold of the unfolds it answers, with ${framework.name}`, async () => {
    const store = new Keyv();
    const unfolds: UnfoldEvent[] = [];
    const { model } = framework.mockModel((call, index) => {
      if (index === 0) return { toolCalls: [{ id: 'call-read', name: 'readLog', input: {} }] };
      const marker = findMarkers(lastToolResult(call.prompt)?.output.value ?? '')[0];
      if (index === 1 && marker) return { toolCalls: [{ id: 'auto-unfold', name: 'unfold', input: { id: marker.id } }] };
      return { text: 'done' };
    });
    await framework.generateText({
      model: framework.wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store, autoUnfold: true, onUnfold: (event) => unfolds.push(event) }) }),
      tools: { readLog: framework.tool({ inputSchema: framework.jsonSchema({ type: 'object', properties: {} }), execute: async () => log }) },
      stopWhen: framework.stepCountIs(4),
      prompt: 'Why did the job fail?',
    });
    assert.equal(unfolds.length, 1);
    assert.equal(unfolds[0]!.toolCallId, 'auto-unfold');
    assert.ok(unfolds[0]!.tokensReturned > 0);
    assert.equal(unfolds[0]!.savings.netSaved, unfolds[0]!.savings.tokensSaved - unfolds[0]!.tokensReturned);
  });
}

describe('aiSdkUsage', () => {
  test('reads the spec shape of AI SDK 6 and 7, and the flat shapes of results and Mastra', () => {
    assert.deepEqual(aiSdkUsage({ inputTokens: { total: 1200, noCache: 100, cacheRead: 1000, cacheWrite: 100 } }), { inputTokens: 1200, cacheReadTokens: 1000, cacheWriteTokens: 100 });
    assert.deepEqual(aiSdkUsage({ inputTokens: 1200, inputTokenDetails: { noCacheTokens: 200, cacheReadTokens: 1000, cacheWriteTokens: undefined } }), { inputTokens: 1200, cacheReadTokens: 1000, cacheWriteTokens: 0 });
    assert.deepEqual(aiSdkUsage({ inputTokens: 1200, cachedInputTokens: 800, cacheCreationInputTokens: 300 }), { inputTokens: 1200, cacheReadTokens: 800, cacheWriteTokens: 300 });
  });

  test('gives nothing for a usage without an input count, and never throws on junk', () => {
    for (const junk of [undefined, null, 7, 'x', {}, { inputTokens: { total: undefined } }, { inputTokens: Number.NaN }, { inputTokens: -3 }]) {
      assert.equal(aiSdkUsage(junk), undefined);
    }
  });
});
