import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { generateText, jsonSchema, stepCountIs, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import type Keyv from 'keyv';
import { createAgent, tool as langchainTool } from 'langchain';
import { createRedisStore, findMarkers } from 'tokenfold';
import { foldKey } from '../core/store.ts';
import { tokenfoldMiddleware, unfoldTool } from 'tokenfold/ai';
import { tokenfoldMiddleware as langchainMiddleware } from 'tokenfold/langchain';
import { z } from 'zod';
import { redisSkipReason, startRedis, type TestRedis } from './support/redis-server.ts';

/*
 * A supervisor and its sub-agent on one Redis store and namespace: the sub-agent's folds are
 * unfolded by the supervisor, and the output both read is folded once. AI SDK: the sub-agent is a
 * tool of the supervisor; LangChain: two createAgent agents, the sub-agent called from a tool.
 */

// A service log of our own making: repeated INFO lines, two errors.
const serviceLog = Array.from({ length: 400 }, (_, index) =>
  index === 137 || index === 311
    ? `2026-12-02 10:${String(index % 60).padStart(2, '0')}:00 ERROR payment-service: charge ${index} declined by gateway (code 51)`
    : `2026-12-02 10:${String(index % 60).padStart(2, '0')}:00 INFO payment-service: charge ${index} settled in ${20 + (index % 7)} ms`,
).join('\n');

const skip = redisSkipReason();

describe('a supervisor and a sub-agent sharing one Redis store', { skip }, () => {
  let redis: TestRedis;
  let store: Keyv;
  const namespace = 'team-42';

  before(async () => {
    redis = await startRedis();
    store = await createRedisStore(redis.url);
  });
  after(async () => {
    await (store as unknown as { disconnect(): Promise<void> }).disconnect();
    await redis.stop();
  });

  it('AI SDK: the supervisor unfolds a fold the sub-agent made, and the log both read is folded once', async () => {
    // The sub-agent reads the log and reports what it saw: its last tool result, as sent.
    const subAgent = async () => {
      let seen = '';
      const model = new MockLanguageModelV4({
        doGenerate: async ({ prompt }: { prompt: any[] }) => {
          const results = prompt.filter((message) => message.role === 'tool');
          seen = results.at(-1)?.content[0]?.output.value ?? '';
          return results.length === 0
            ? reply([{ type: 'tool-call', toolCallId: 'sub-1', toolName: 'readLog', input: '{}' }])
            : reply([{ type: 'text', text: `Summary of the log:\n${seen}` }]);
        },
      } as never);
      const { text } = await generateText({
        model: wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store, namespace, session: true }) }),
        tools: { readLog: tool({ inputSchema: jsonSchema({ type: 'object', properties: {} }), execute: async () => serviceLog }) },
        prompt: 'Why were charges declined?',
        stopWhen: stepCountIs(3),
      } as never);
      return text;
    };

    let unfolded = '';
    const subAgentFolds: string[] = [];
    const ownFolds: string[] = [];
    const supervisor = new MockLanguageModelV4({
      doGenerate: async ({ prompt }: { prompt: any[] }) => {
        const results = prompt.filter((message) => message.role === 'tool').flatMap((message) => message.content);
        if (results.length === 0) return reply([{ type: 'tool-call', toolCallId: 'sup-1', toolName: 'research', input: '{}' }]);
        if (results.length === 1) {
          const id = findMarkers(results[0].output.value)[0]!.id;
          subAgentFolds.push(...findMarkers(results[0].output.value).map((marker) => marker.id));
          return reply([{ type: 'tool-call', toolCallId: 'sup-2', toolName: 'unfold', input: JSON.stringify({ id, grep: 'settled' }) }]);
        }
        if (results.length === 2) {
          unfolded = results[1].output.value;
          return reply([{ type: 'tool-call', toolCallId: 'sup-3', toolName: 'readLog', input: '{}' }]);
        }
        ownFolds.push(...findMarkers(results[2].output.value).map((marker) => marker.id));
        return reply([{ type: 'text', text: 'done' }]);
      },
    } as never);
    await generateText({
      // The sub-agent's answer is compressed already and its markers are real: not compressed again
      // (compressing would escape them as look-alikes, as it must for any other tool's output).
      model: wrapLanguageModel({ model: supervisor, middleware: tokenfoldMiddleware({ store, namespace, session: true, skipTools: ['research'] }) }),
      tools: {
        research: tool({ inputSchema: jsonSchema({ type: 'object', properties: {} }), execute: subAgent }),
        readLog: tool({ inputSchema: jsonSchema({ type: 'object', properties: {} }), execute: async () => serviceLog }),
        unfold: unfoldTool({ store, namespace }),
      },
      prompt: 'Find out why charges were declined.',
      stopWhen: stepCountIs(6),
    } as never);

    assert.match(unfolded, /INFO payment-service: charge \d+ settled/);
    assert.ok(subAgentFolds.length > 0);
    assert.deepEqual(ownFolds, subAgentFolds, 'the same log read by both agents is the same folds, stored once');
  });

  it('LangChain: a sub-agent called from a tool folds, the supervisor unfolds by the same id, and one fold is stored once', async () => {
    const readLog = langchainTool(async () => serviceLog, { name: 'read_log', description: 'Reads the service log.', schema: z.object({}) });
    const subModel = fakeModel()
      .respond(new AIMessage({ content: '', tool_calls: [{ name: 'read_log', args: {}, id: 'sub-read', type: 'tool_call' }] }))
      .respond((messages: BaseMessage[]) => new AIMessage(`Log as I read it:\n${lastTool(messages)}`));
    const subAgent = createAgent({ model: subModel, tools: [readLog], middleware: [langchainMiddleware({ store, namespace, session: true })] });
    const research = langchainTool(
      async () => {
        const result = await subAgent.invoke({ messages: [new HumanMessage('Why were charges declined?')] });
        return String(result.messages.at(-1)!.content);
      },
      { name: 'research', description: 'Asks the log sub-agent.', schema: z.object({}) },
    );

    let foldIdSeen = '';
    const supervisorModel = fakeModel()
      .respond(new AIMessage({ content: '', tool_calls: [{ name: 'research', args: {}, id: 'sup-research', type: 'tool_call' }] }))
      .respond((messages: BaseMessage[]) => {
        foldIdSeen = findMarkers(lastTool(messages))[0]!.id;
        return new AIMessage({ content: '', tool_calls: [{ name: 'unfold', args: { id: foldIdSeen, grep: 'settled' }, id: 'sup-unfold', type: 'tool_call' }] });
      })
      .respond(new AIMessage('done'));
    const supervisor = createAgent({ model: supervisorModel, tools: [research], middleware: [langchainMiddleware({ store, namespace, session: true, skipTools: ['research'] })] });
    const result = await supervisor.invoke({ messages: [new HumanMessage('Find out why charges were declined.')] });

    const unfoldAnswer = result.messages.find((message) => ToolMessage.isInstance(message) && message.name === 'unfold');
    assert.match(String(unfoldAnswer?.content), /INFO payment-service: charge \d+ settled/);
    assert.ok(await store.get(foldKey(namespace, foldIdSeen)), 'the fold is in the shared namespace');
  });
});

function reply(content: unknown[]) {
  const called = content.some((part: any) => part.type === 'tool-call');
  return {
    content,
    finishReason: { unified: called ? 'tool-calls' : 'stop', raw: undefined },
    usage: { inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 0, text: 0, reasoning: 0 } },
    warnings: [],
  };
}

function lastTool(messages: BaseMessage[]): string {
  const message = messages.findLast((candidate) => ToolMessage.isInstance(candidate));
  return typeof message?.content === 'string' ? message.content : '';
}
