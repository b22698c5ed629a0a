import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LanguageModelV3Prompt } from '@ai-sdk/provider';
import { Agent } from '@mastra/core/agent';
import { MockMemory } from '@mastra/core/memory';
import { createTool } from '@mastra/core/tools';
import { tokenfoldProcessor, type TokenfoldProcessorOptions } from 'tokenfold/mastra';
import { z } from 'zod';
import type { CacheReport } from '../../core/cache/index.ts';
import { scriptedModel, toolResultsIn, type ModelTurn } from '../../examples/mastra/scripted-model.ts';

// Long enough to be cached (over 1,024 tokens); the time of each turn goes on its first line.
const policy = Array.from({ length: 150 }, (_, index) => `${index + 1}. Check the order page before you answer a customer.`).join('\n');
const NOTE = 'Context for this turn (current values of the bracketed placeholders above):';

function lookup(id: string, output: string) {
  return createTool({ id, description: `Looks up ${id}.`, inputSchema: z.object({ id: z.string().optional() }), execute: async () => output });
}

// Each user turn: look an order up, then answer.
function decide(prompt: LanguageModelV3Prompt): ModelTurn {
  const last = prompt.at(-1)!;
  const answered = last.role === 'tool' || (last.role === 'user' && prompt.at(-2)?.role === 'tool');
  return answered ? { text: `Found: ${toolResultsIn(prompt).at(-1)!.text}` } : { toolCalls: [{ toolCallId: `call-${prompt.length}`, toolName: 'orders', input: { id: '42' } }] };
}

/** Two user turns in one memory thread; the instructions carry the time of each turn. */
async function runTurns(options: TokenfoldProcessorOptions) {
  const reports: CacheReport[] = [];
  let turn = 0;
  const scripted = scriptedModel(decide);
  const processor = tokenfoldProcessor({ namespace: 'mastra-cache', ...options, onCacheReport: (report) => reports.push(report) });
  const agent = new Agent({
    id: 'support',
    name: 'Support',
    instructions: () => `Current time: 2026-12-02T10:1${turn}:03Z\n${policy}`,
    model: scripted.model,
    // Declared out of name order on purpose: alignment sorts them.
    tools: { orders: lookup('orders', 'order 42: shipped'), customers: lookup('customers', 'customer 7: Ada') },
    inputProcessors: [processor],
    outputProcessors: [processor],
    memory: new MockMemory(),
  });
  const thread = { memory: { thread: 'thread-1', resource: 'user-1' } };
  await agent.generate('Where is order 42?', { maxSteps: 4, ...thread });
  turn++;
  await agent.generate('And is it paid?', { maxSteps: 4, ...thread });
  for (let tries = 0; tries < 200 && reports.length < scripted.prompts.length; tries++) await new Promise((resolve) => setTimeout(resolve, 5));
  return { ...scripted, reports };
}

describe('prompt-cache alignment in a Mastra agent', () => {
  it('reports the time in the instructions as the first change when a new turn starts', async () => {
    const { prompts, reports, toolNames } = await runTurns({});
    assert.equal(reports.length, prompts.length);
    const newTurn = reports.findIndex((report) => report.firstChange?.kind === 'timestamp');
    assert.ok(newTurn > 0, 'the second turn changed the time');
    assert.match(reports[newTurn]!.firstChange!.example, /^system\[0\] chars 14–33: "2026-12-02T10:10:03Z" → "2026-12-02T10:11:03Z"$/);
    assert.deepEqual(toolNames[0], ['orders', 'customers', 'unfold']);
  });

  it('cacheAlign moves the time to a note at the end and sorts the tools; memory keeps what the app wrote', async () => {
    const { prompts, reports, toolNames } = await runTurns({ cacheAlign: true });
    // The second turn starts where the first call of the second generate is.
    const newTurn = prompts.findIndex((prompt) => prompt.some((message) => message.role === 'user' && JSON.stringify(message.content).includes('And is it paid?')));
    assert.ok(newTurn > 0);
    assert.ok(reports.every((report) => report.moved === 1), 'the time is moved from the first call on');
    const sent = prompts[newTurn]!;
    assert.match(String(sent[0]!.content), /^Current time: \[timestamp-1\]\n1\. Check/);
    const note = sent.at(-1)!;
    assert.equal(note.role, 'user');
    assert.deepEqual(note.content, [{ type: 'text', text: `${NOTE}\n[timestamp-1] 2026-12-02T10:11:03Z` }]);
    assert.deepEqual(toolNames.at(-1), ['customers', 'orders', 'unfold']);
    // The note is sent, never stored: no later prompt carries an earlier call's note.
    for (const prompt of prompts) {
      const notes = prompt.filter((message) => message.role === 'user' && JSON.stringify(message.content).includes(NOTE));
      assert.ok(notes.length <= 1 && (notes.length === 0 || prompt.at(-1) === notes[0]));
    }
    // Every call continues the one before exactly, across turns too.
    assert.ok(reports.every((report) => report.firstChange === undefined));
    assert.ok(sent[0]!.providerOptions?.anthropic?.cacheControl, 'a breakpoint on the system prompt');
  });
});
