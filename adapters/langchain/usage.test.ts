import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { BaseMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import Keyv from 'keyv';
import { AIMessage, createAgent, HumanMessage, tool, ToolMessage } from 'langchain';
import { findMarkers, o200kCounter, readLedger, settleLedger, type CompressResult, type NetSavings, type UnfoldEvent } from 'tokenfold';
import { tokenfoldMiddleware } from 'tokenfold/langchain';
import { z } from 'zod';
import { copyToolMessage } from './tool-message.ts';
import { langChainUsage } from './usage.ts';

/*
 * What the middleware reads back from a createAgent loop: the provider's `usage_metadata` of
 * each model call, recorded in the ledger per history policy, and the net savings (compressions
 * minus unfold answers) in `onCompress` and `onUnfold`. The model is LangChain's `fakeModel`,
 * answering with AI messages that carry usage as ChatAnthropic reports it.
 */

const log = readFileSync(new URL('../../../shared/corpora/logs/loghub/Hadoop_2k.log', import.meta.url), 'utf8');
const namespace = 'langchain-usage';

const readLog = tool(async () => log, { name: 'read_log', description: 'Reads the job log.', schema: z.object({}) });

function usage(input: number, read: number, created: number) {
  return { input_tokens: input, output_tokens: 12, total_tokens: input + 12, input_token_details: { cache_read: read, cache_creation: created } };
}

function lastTool(messages: BaseMessage[]): ToolMessage {
  return messages.filter((message) => ToolMessage.isInstance(message)).at(-1) as ToolMessage;
}

// Reads the log, unfolds the first marker in it, answers; each reply reports its usage.
function readThenUnfold() {
  return fakeModel()
    .respond(new AIMessage({ content: '', tool_calls: [{ name: 'read_log', args: {}, id: 'call-read', type: 'tool_call' }], usage_metadata: usage(2000, 0, 1800) }))
    .respond((messages: BaseMessage[]) => {
      const marker = findMarkers(String(lastTool(messages).content))[0]!;
      return new AIMessage({ content: '', tool_calls: [{ name: 'unfold', args: { id: marker.id }, id: 'call-unfold', type: 'tool_call' }], usage_metadata: usage(4000, 1800, 2100) });
    })
    .respond(new AIMessage({ content: 'The job lost its resource manager.', usage_metadata: usage(5000, 3900, 1000) }));
}

describe('usage and net savings in a createAgent loop', () => {
  it('records each model call\'s usage_metadata in the ledger, cache reads and creations, under the history policy', async () => {
    const store = new Keyv();
    const agent = createAgent({ model: readThenUnfold(), tools: [readLog], middleware: [tokenfoldMiddleware({ store, namespace, session: { history: 'batch' } })] });
    await agent.invoke({ messages: [new HumanMessage('Why did the job fail?')] });
    await settleLedger();
    const entries = (await readLedger(store, { namespace })).filter((entry) => entry.type === 'usage');
    assert.deepEqual(
      entries.map((entry) => [entry.inputTokens, entry.cacheReadTokens, entry.cacheWriteTokens, entry.source, entry.detail?.policy]),
      [
        [2000, 0, 1800, 'langchain', 'batch'],
        [4000, 1800, 2100, 'langchain', 'batch'],
        [5000, 3900, 1000, 'langchain', 'batch'],
      ],
    );
  });

  it('onCompress and onUnfold carry the net saving: tokens saved minus tokens read back', async () => {
    const compressions: Array<[CompressResult, NetSavings]> = [];
    const unfolds: UnfoldEvent[] = [];
    const middleware = tokenfoldMiddleware({
      store: new Keyv(),
      namespace,
      onCompress: (result, savings) => compressions.push([result, savings]),
      onUnfold: (event) => unfolds.push(event),
    });
    const state = await createAgent({ model: readThenUnfold(), tools: [readLog], middleware: [middleware] }).invoke({ messages: [new HumanMessage('Why did the job fail?')] });

    assert.equal(compressions.length, 1);
    const [result, savings] = compressions[0]!;
    const saved = result.tokensBefore - result.tokensAfter;
    assert.equal(savings.netSaved, saved);
    const answer = state.messages.find((message: BaseMessage) => ToolMessage.isInstance(message) && message.name === 'unfold')!;
    assert.equal(unfolds.length, 1);
    assert.equal(unfolds[0]!.tokensReturned, o200kCounter.count(String(answer.content)));
    assert.equal(unfolds[0]!.id, findMarkers(result.text)[0]!.id);
    assert.equal(unfolds[0]!.savings.netSaved, saved - unfolds[0]!.tokensReturned);
  });

  it('a history fold sent to the model keeps the tool message\'s fields', async () => {
    // The same command three times: with `always`, the first output is superseded, and folded once
    // it is no longer the latest step's (at the fourth call).
    const model = fakeModel()
      .respond(new AIMessage({ content: '', tool_calls: [{ name: 'read_log', args: {}, id: 'read-1', type: 'tool_call' }] }))
      .respond(new AIMessage({ content: '', tool_calls: [{ name: 'read_log', args: {}, id: 'read-2', type: 'tool_call' }] }))
      .respond(new AIMessage({ content: '', tool_calls: [{ name: 'read_log', args: {}, id: 'read-3', type: 'tool_call' }] }))
      .respond(new AIMessage('done'));
    const agent = createAgent({ model, tools: [readLog], middleware: [tokenfoldMiddleware({ store: new Keyv(), namespace, session: { history: 'always' } })] });
    await agent.invoke({ messages: [new HumanMessage('Why did the job fail?')] });
    const first = model.calls.at(-1)!.messages.find((message: BaseMessage) => ToolMessage.isInstance(message) && message.tool_call_id === 'read-1') as ToolMessage;
    assert.match(String(first.content), /superseded by a later run/);
    assert.equal(first.name, 'read_log');
    assert.equal(first.status, 'success');
    assert.ok((first.metadata?.tokenfold as { folds?: unknown[] } | undefined)?.folds, 'metadata.tokenfold of the stored message is kept');
  });
});

describe('langChainUsage', () => {
  it('reads input_tokens and the cache details, and nothing from a response without usage', () => {
    assert.deepEqual(langChainUsage(new AIMessage({ content: 'x', usage_metadata: usage(1200, 1000, 0) })), { inputTokens: 1200, cacheReadTokens: 1000, cacheWriteTokens: 0 });
    assert.deepEqual(langChainUsage({ usage_metadata: { input_tokens: 50, output_tokens: 1, total_tokens: 51 } }), { inputTokens: 50, cacheReadTokens: 0, cacheWriteTokens: 0 });
    for (const junk of [undefined, null, new AIMessage('no usage'), { usage_metadata: 'x' }, { usage_metadata: { input_tokens: 'many' } }]) assert.equal(langChainUsage(junk), undefined);
  });
});

describe('copyToolMessage', () => {
  it('replaces the content and keeps every other field, adding metadata.tokenfold when given', () => {
    const message = new ToolMessage({
      content: 'original',
      tool_call_id: 'call-1',
      name: 'read_log',
      id: 'message-1',
      artifact: { rows: 3 },
      status: 'error',
      additional_kwargs: { extra: 1 },
      response_metadata: { provider: 'x' },
      metadata: { owner: 'app' },
    });
    const copy = copyToolMessage(message, { content: 'sent', tokenfold: { folds: ['482913075561204'] } });
    assert.equal(copy.content, 'sent');
    for (const field of ['tool_call_id', 'name', 'id', 'artifact', 'status', 'additional_kwargs', 'response_metadata'] as const) assert.deepEqual(copy[field], message[field], field);
    assert.deepEqual(copy.metadata, { owner: 'app', tokenfold: { folds: ['482913075561204'] } });
    assert.deepEqual(copyToolMessage(message, { content: 'again' }).metadata, { owner: 'app' });
  });
});
