import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BaseMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { AIMessage, createAgent, createMiddleware, dynamicSystemPromptMiddleware, HumanMessage, tool } from 'langchain';
import { tokenfoldMiddleware, type TokenfoldMiddlewareOptions } from 'tokenfold/langchain';
import { z } from 'zod';
import type { CacheReport } from '../../core/cache/index.ts';

// Long enough to be cached (over 1,024 tokens), with the time of each call in its first line.
const policy = Array.from({ length: 150 }, (_, index) => `${index + 1}. Check the order page before you answer a customer.`).join('\n');
const NOTE = 'Context for this turn (current values of the bracketed placeholders above):';

function lookup(name: string, output: string) {
  return tool(async () => output, { name, description: `Looks up ${name}.`, schema: z.object({ id: z.string().optional() }) });
}

/** A three-call agent loop whose system prompt carries the time of each call. */
async function runAgent(options: TokenfoldMiddlewareOptions) {
  const reports: CacheReport[] = [];
  const toolOrders: string[][] = [];
  let call = 0;
  const model = fakeModel()
    .respondWithTools([{ name: 'orders', args: { id: '42' }, id: 'call-1' }])
    .respondWithTools([{ name: 'customers', args: { id: '7' }, id: 'call-2' }])
    .respond(new AIMessage('Order 42 shipped yesterday.'));
  // Records what tokenfold hands on: it runs inside tokenfold's wrapModelCall.
  const spy = createMiddleware({
    name: 'Spy',
    wrapModelCall: (request, handler) => {
      toolOrders.push(request.tools.map((entry) => String((entry as { name: string }).name)));
      return handler(request);
    },
  });
  const agent = createAgent({
    model,
    tools: [lookup('orders', 'order 42: shipped 2026-12-01'), lookup('customers', 'customer 7: Ada')],
    middleware: [
      dynamicSystemPromptMiddleware(() => `Current time: 2026-12-02T10:1${call++}:03Z\n${policy}`),
      tokenfoldMiddleware({ ...options, onCacheReport: (report) => reports.push(report) }),
      spy,
    ],
  });
  const state = await agent.invoke({ messages: [new HumanMessage('Where is order 42?')] });
  for (let tries = 0; tries < 200 && reports.length < model.callCount; tries++) await new Promise((resolve) => setTimeout(resolve, 5));
  return { model, state, reports, toolOrders };
}

const textOf = (message: BaseMessage) => (typeof message.content === 'string' ? message.content : message.text);
const cacheControlOf = (message: BaseMessage) =>
  Array.isArray(message.content) ? (message.content.at(-1) as { cache_control?: unknown } | undefined)?.cache_control : undefined;

describe('prompt-cache alignment in a createAgent loop', () => {
  it('reports the time in the system prompt as the first change, and sends the request as it was', async () => {
    const { model, reports, toolOrders } = await runAgent({});
    assert.equal(reports.length, 3);
    assert.equal(reports[1]!.firstChange?.kind, 'timestamp');
    assert.match(reports[1]!.firstChange!.example, /^system\[0\] chars 14–33: "2026-12-02T10:10:03Z" → "2026-12-02T10:11:03Z"$/);
    assert.match(textOf(model.calls[1]!.messages[0]!), /^Current time: 2026-12-02T10:11:03Z\n/);
    assert.deepEqual(toolOrders[1], ['orders', 'customers', 'unfold']);
  });

  it('cacheAlign moves the time to a note after the latest turn; the agent state never sees it', async () => {
    const { model, state, reports, toolOrders } = await runAgent({ cacheAlign: true });
    const sent = model.calls[2]!.messages;
    assert.match(textOf(sent[0]!), /^Current time: \[timestamp-1\]\n1\. Check/);
    const note = sent.at(-1)!;
    assert.equal(note.type, 'human');
    assert.equal(textOf(note), `${NOTE}\n[timestamp-1] 2026-12-02T10:12:03Z`);
    assert.deepEqual(toolOrders[2], ['customers', 'orders', 'unfold']);
    // The conversation itself: the user's words and the tool results, unchanged, and no note in the state.
    assert.equal(textOf(sent[1]!), 'Where is order 42?');
    assert.deepEqual(sent.filter((message) => message.type === 'tool').map(textOf), ['order 42: shipped 2026-12-01', 'customer 7: Ada']);
    assert.ok(state.messages.every((message: BaseMessage) => !textOf(message).startsWith(NOTE)));
    assert.equal(reports[2]!.firstChange, undefined);
    // All of the previous request but its note (some 30 tokens) is a prefix the cache can serve.
    assert.ok(reports[1]!.tokens - reports[2]!.stablePrefixTokens < 40, `${reports[2]!.stablePrefixTokens} of ${reports[1]!.tokens}`);
  });

  it('sets breakpoints in the content-block form on the system message and the last stable message', async () => {
    const { model, reports } = await runAgent({ cacheAlign: true, cacheBreakpoints: true });
    const sent = model.calls[2]!.messages;
    assert.deepEqual(cacheControlOf(sent[0]!), { type: 'ephemeral' });
    const lastTool = sent.at(-2)!;
    assert.equal(lastTool.type, 'tool');
    assert.deepEqual(lastTool.content, [{ type: 'text', text: 'customer 7: Ada', cache_control: { type: 'ephemeral' } }]);
    assert.equal(cacheControlOf(sent.at(-1)!), undefined, 'never on the note');
    assert.equal(reports[2]!.breakpoints, 2);
  });

  it('sets no breakpoints for a model that is not Anthropic unless asked', async () => {
    const { model } = await runAgent({ cacheAlign: true });
    assert.ok(model.calls[2]!.messages.every((message) => cacheControlOf(message) === undefined));
  });
});
