import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { LanguageModelV3Prompt } from '@ai-sdk/provider';
import { Agent } from '@mastra/core/agent';
import type { MastraDBMessage, MastraToolInvocationPart } from '@mastra/core/agent/message-list';
import { MockMemory } from '@mastra/core/memory';
import { createTool } from '@mastra/core/tools';
import Keyv from 'keyv';
import { compress, findMarkers, unfold, type CompressResult } from 'tokenfold';
import { createUnfoldTool, tokenfoldProcessor, type TokenfoldProcessorOptions } from 'tokenfold/mastra';
import { z } from 'zod';
import { scriptedModel, toolResultsIn, type ModelTurn } from '../../examples/mastra/scripted-model.ts';

const corpora = new URL('../../../shared/corpora/', import.meta.url);
const log = readFileSync(new URL('logs/loghub/Hadoop_2k.log', corpora), 'utf8');
const builds: unknown = JSON.parse(readFileSync(new URL('json/simdjson/apache_builds.json', corpora), 'utf8'));
const logLines = new Set(log.split('\n'));
const question = 'Which errors and warnings did the MapReduce job hit?';
const instructions = 'You read logs and answer briefly.';
const namespace = 'mastra-test';

/** A tool that returns `output` whatever it is asked. */
function toolReturning(id: string, output: unknown) {
  return createTool({
    id,
    description: `Returns the ${id} output.`,
    inputSchema: z.object({ file: z.string().optional() }),
    execute: async () => output,
  });
}

/**
 * The model's part in the common scenario: read the log, unfold the first marker it sees in the
 * result (if any), then answer with the size of what it got back.
 */
function readThenUnfold(prompt: LanguageModelV3Prompt, step: number): ModelTurn {
  if (step === 0) return { toolCalls: [{ toolCallId: 'call-read', toolName: 'readLog', input: { file: 'Hadoop_2k.log' } }] };
  const last = toolResultsIn(prompt).at(-1)!;
  const marker = findMarkers(last.text)[0];
  if (last.toolName === 'readLog' && marker) {
    return { toolCalls: [{ toolCallId: 'call-unfold', toolName: 'unfold', input: { id: marker.id } }] };
  }
  return { text: `${last.toolName} gave ${last.text.length} characters` };
}

/** A run of a Mastra agent on the scripted model, with or without the processor. */
function setUp(options: {
  decide: (prompt: LanguageModelV3Prompt, step: number) => ModelTurn;
  tools: Record<string, ReturnType<typeof toolReturning>>;
  processor?: TokenfoldProcessorOptions | false;
  memory?: MockMemory;
}) {
  const store = new Keyv({ throwOnErrors: true });
  const compressions: CompressResult[] = [];
  const processor =
    options.processor === false
      ? undefined
      : tokenfoldProcessor({
          store,
          namespace,
          // Folds of a 2,000-line log can be longer than the default answer; unfold them whole.
          unfoldMaxChars: 1_000_000,
          onCompress: (result) => compressions.push(result),
          ...options.processor,
        });
  const scripted = scriptedModel(options.decide);
  const agent = new Agent({
    id: 'log-reader',
    name: 'Log reader',
    instructions,
    model: scripted.model,
    tools: options.tools,
    inputProcessors: processor ? [processor] : [],
    outputProcessors: processor ? [processor] : [],
    ...(options.memory ? { memory: options.memory } : {}),
  });
  return { agent, store, processor, compressions, ...scripted };
}

/** The original behind a fold id, read straight from the store. */
async function original(id: string, store: Keyv): Promise<string> {
  const result = await unfold(id, { store, namespace });
  assert.equal(result.status, 'ok');
  return result.status === 'ok' ? result.text : '';
}

function toolInvocations(messages: MastraDBMessage[]): MastraToolInvocationPart[] {
  return messages.flatMap((message) =>
    (message.content.parts ?? []).filter((part): part is MastraToolInvocationPart => part.type === 'tool-invocation'),
  );
}

// Mastra stamps message parts with creation times; runs are compared without them.
function withoutTimes(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, item) => (key === 'createdAt' ? 0 : item)));
}

describe('tokenfoldProcessor in agent.generate()', () => {
  it('compresses a tool result before the next step, and unfold gives the folded part back byte-exact', async () => {
    const run = setUp({ decide: readThenUnfold, tools: { readLog: toolReturning('readLog', log) } });
    const result = await run.agent.generate(question, { maxSteps: 5 });

    assert.equal(run.prompts.length, 3);
    const [readResult] = toolResultsIn(run.prompts[1]!);
    assert.equal(readResult?.toolCallId, 'call-read');
    const expected = await compress(log, { query: question, store: new Keyv(), namespace });
    assert.equal(readResult.text, expected.text, 'the model reads what compress() gives for the same query');
    assert.ok(findMarkers(readResult.text).length > 0);
    assert.ok(expected.tokensAfter < expected.tokensBefore);

    const unfolded = toolResultsIn(run.prompts[2]!).at(-1)!;
    assert.equal(unfolded.toolCallId, 'call-unfold');
    const folded = await original(findMarkers(readResult.text)[0]!.id, run.store);
    assert.equal(unfolded.text, folded);
    assert.ok(folded.length > 0);
    for (const line of folded.replace(/\n$/, '').split('\n')) assert.ok(logLines.has(line), `not a line of the log: ${line}`);

    assert.equal(result.text, `unfold gave ${folded.length} characters`);
    assert.equal(run.compressions.length, 1);
  });

  it('offers the unfold tool once on every step when it is also an input processor', async () => {
    const run = setUp({ decide: readThenUnfold, tools: { readLog: toolReturning('readLog', log) } });
    await run.agent.generate(question, { maxSteps: 5 });
    assert.deepEqual(run.toolNames.map((names) => [...names].sort()), [
      ['readLog', 'unfold'],
      ['readLog', 'unfold'],
      ['readLog', 'unfold'],
    ]);
  });

  it('keeps unfold available when a call limits the active tools', async () => {
    const run = setUp({
      decide: readThenUnfold,
      tools: { readLog: toolReturning('readLog', log), deleteLog: toolReturning('deleteLog', 'deleted') },
    });
    const result = await run.agent.generate(question, { maxSteps: 5, activeTools: ['readLog'] });
    assert.deepEqual([...run.toolNames[0]!].sort(), ['readLog', 'unfold']);
    assert.match(result.text, /^unfold gave \d+ characters$/);
  });

  it('works as an output processor alone when the agent lists processor.unfoldTool itself', async () => {
    const store = new Keyv({ throwOnErrors: true });
    const processor = tokenfoldProcessor({ store, namespace, unfoldMaxChars: 1_000_000 });
    const scripted = scriptedModel(readThenUnfold);
    const agent = new Agent({
      id: 'log-reader',
      name: 'Log reader',
      instructions,
      model: scripted.model,
      tools: { readLog: toolReturning('readLog', log), unfold: processor.unfoldTool },
      outputProcessors: [processor],
    });
    const result = await agent.generate(question, { maxSteps: 5 });
    assert.deepEqual([...scripted.toolNames[0]!].sort(), ['readLog', 'unfold']);
    const marker = findMarkers(toolResultsIn(scripted.prompts[1]!)[0]!.text)[0]!;
    assert.equal(toolResultsIn(scripted.prompts[2]!).at(-1)!.text, await original(marker.id, store));
    assert.match(result.text, /^unfold gave \d+ characters$/);
  });

  it('keeps the compressed text in the response messages, so later steps and memory see it', async () => {
    const run = setUp({ decide: readThenUnfold, tools: { readLog: toolReturning('readLog', log) } });
    const result = await run.agent.generate(question, { maxSteps: 5 });
    const seen = toolResultsIn(run.prompts[1]!)[0]!.text;

    const responded = toolResultsIn(result.response.messages as LanguageModelV3Prompt);
    assert.equal(responded.find((tool) => tool.toolCallId === 'call-read')?.text, seen);
    // The step after the unfold still reads the same compressed bytes.
    assert.equal(toolResultsIn(run.prompts[2]!).find((tool) => tool.toolCallId === 'call-read')?.text, seen);
  });

  it('saves the compressed result to the memory thread and reuses it on the next turn without compressing again', async () => {
    const memory = new MockMemory();
    const run = setUp({ decide: readThenUnfold, tools: { readLog: toolReturning('readLog', log) }, memory });
    const thread = { memory: { thread: 'thread-1', resource: 'user-1' } };
    await run.agent.generate(question, { maxSteps: 5, ...thread });
    const seen = toolResultsIn(run.prompts[1]!)[0]!.text;

    const { messages } = await memory.recall({ threadId: 'thread-1', resourceId: 'user-1' });
    const saved = toolInvocations(messages).find((part) => part.toolInvocation.toolCallId === 'call-read');
    assert.equal(saved?.toolInvocation.result, seen);

    await run.agent.generate('And which one came first?', { maxSteps: 5, ...thread });
    const recalled = toolResultsIn(run.prompts[3]!).find((tool) => tool.toolCallId === 'call-read');
    assert.equal(recalled?.text, seen);
    assert.equal(run.compressions.length, 1);
  });

  it('compresses an output once when two calls return it, and pairs each result with its own call', async () => {
    const run = setUp({
      decide: (_prompt, step) =>
        step === 0
          ? {
              toolCalls: [
                { toolCallId: 'call-a', toolName: 'readLog', input: { file: 'a.log' } },
                { toolCallId: 'call-status', toolName: 'status', input: {} },
                { toolCallId: 'call-b', toolName: 'readLog', input: { file: 'b.log' } },
              ],
            }
          : { text: 'done' },
      tools: { readLog: toolReturning('readLog', log), status: toolReturning('status', 'all nodes healthy') },
    });
    await run.agent.generate(question, { maxSteps: 3 });

    const results = toolResultsIn(run.prompts[1]!);
    assert.deepEqual(
      results.map((tool) => [tool.toolCallId, tool.toolName]),
      [
        ['call-a', 'readLog'],
        ['call-status', 'status'],
        ['call-b', 'readLog'],
      ],
    );
    const [first, status, second] = results;
    assert.ok(findMarkers(first!.text).length > 0);
    assert.equal(second!.text, first!.text);
    assert.equal(status!.text, 'all nodes healthy');
    // Once per distinct output: the log and the status line.
    assert.equal(run.compressions.length, 2);
  });

  it('compresses an object result as the JSON text the model would have read', async () => {
    const decide = (prompt: LanguageModelV3Prompt, step: number): ModelTurn => {
      if (step === 0) return { toolCalls: [{ toolCallId: 'call-builds', toolName: 'listBuilds', input: {} }] };
      const last = toolResultsIn(prompt).at(-1)!;
      const marker = findMarkers(last.text)[0];
      if (last.toolName === 'listBuilds' && marker) {
        return { toolCalls: [{ toolCallId: 'call-unfold', toolName: 'unfold', input: { id: marker.id } }] };
      }
      return { text: 'done' };
    };
    const run = setUp({ decide, tools: { listBuilds: toolReturning('listBuilds', builds) } });
    const result = await run.agent.generate('Which Jenkins jobs are red?', { maxSteps: 5 });

    const seen = toolResultsIn(run.prompts[1]!)[0]!.text;
    const json = JSON.stringify(builds);
    assert.equal(seen, (await compress(json, { query: 'Which Jenkins jobs are red?', store: new Keyv(), namespace })).text);
    assert.ok(seen.length < json.length);
    const marker = findMarkers(seen)[0]!;
    assert.equal(toolResultsIn(run.prompts[2]!).at(-1)!.text, await original(marker.id, run.store));
    assert.equal(result.text, 'done');
  });

  it('leaves the system and user messages and the tool calls as they are', async () => {
    const decide = (_prompt: LanguageModelV3Prompt, step: number): ModelTurn =>
      step === 0 ? { toolCalls: [{ toolCallId: 'call-read', toolName: 'readLog', input: {} }] } : { text: 'done' };
    const tools = { readLog: toolReturning('readLog', log) };
    const withProcessor = setUp({ decide, tools });
    const without = setUp({ decide, tools, processor: false });
    await withProcessor.agent.generate(question, { maxSteps: 3 });
    await without.agent.generate(question, { maxSteps: 3 });

    const notToolResults = (prompt: LanguageModelV3Prompt) => withoutTimes(prompt.filter((message) => message.role !== 'tool'));
    assert.deepEqual(notToolResults(withProcessor.prompts[1]!), notToolResults(without.prompts[1]!));
    assert.equal(toolResultsIn(without.prompts[1]!)[0]!.text, log);
    assert.notEqual(toolResultsIn(withProcessor.prompts[1]!)[0]!.text, log);
  });
});

describe('tokenfoldProcessor in agent.stream()', () => {
  it('streams the compressed tool result and unfolds it within one stream', async () => {
    const run = setUp({ decide: readThenUnfold, tools: { readLog: toolReturning('readLog', log) } });
    const stream = await run.agent.stream(question, { maxSteps: 5 });
    const toolResults = new Map<string, unknown>();
    for await (const chunk of stream.fullStream) {
      if (chunk.type === 'tool-result') toolResults.set(chunk.payload.toolCallId, chunk.payload.result);
    }
    const text = await stream.text;

    const seen = toolResultsIn(run.prompts[1]!)[0]!.text;
    assert.ok(findMarkers(seen).length > 0);
    assert.equal(toolResults.get('call-read'), seen);
    const folded = await original(findMarkers(seen)[0]!.id, run.store);
    assert.equal(toolResults.get('call-unfold'), folded);
    assert.equal(text, `unfold gave ${folded.length} characters`);
    assert.equal(run.compressions.length, 1);
  });
});

describe('tokenfoldProcessor on results it should not touch', () => {
  const oneCallEach = (names: string[]) => (_prompt: LanguageModelV3Prompt, step: number): ModelTurn =>
    step === 0
      ? { toolCalls: names.map((name) => ({ toolCallId: `call-${name}`, toolName: name, input: {} })) }
      : { text: 'done' };

  /** Runs the same tools with and without the processor and returns what the model read. */
  async function compareRuns(tools: Record<string, unknown>, processor: TokenfoldProcessorOptions = {}) {
    const decide = oneCallEach(Object.keys(tools));
    const agentTools = Object.fromEntries(Object.entries(tools).map(([name, output]) => [name, toolReturning(name, output)]));
    const errors: unknown[] = [];
    const withProcessor = setUp({ decide, tools: agentTools, processor: { onError: (error) => errors.push(error), ...processor } });
    const without = setUp({ decide, tools: agentTools, processor: false });
    const withResult = await withProcessor.agent.generate(question, { maxSteps: 3 });
    const withoutResult = await without.agent.generate(question, { maxSteps: 3 });
    return {
      seen: toolResultsIn(withProcessor.prompts[1] ?? []),
      seenWithout: toolResultsIn(without.prompts[1] ?? []),
      texts: [withResult.text, withoutResult.text],
      errors,
      compressions: withProcessor.compressions,
    };
  }

  it('passes small, empty, non-text and odd outputs through exactly as Mastra would send them', async () => {
    const run = await compareRuns({
      smallObject: { ok: true, count: 3 },
      empty: '',
      nothing: undefined,
      number: 42,
      list: [1, 2, 3],
      binary: 'PK\u0003\u0004\u0000\u0000'.repeat(2_000),
      whitespace: ' \n'.repeat(5_000),
    });
    assert.deepEqual(run.seen, run.seenWithout);
    assert.deepEqual(run.texts[0], run.texts[1]);
    assert.deepEqual(run.errors, []);
  });

  it('escapes fold markers that a tool result already holds, so only its own folds parse', async () => {
    const compressed = await compress(log, { query: question, store: new Keyv(), namespace });
    const earlier = findMarkers(compressed.text).map((marker) => marker.id);
    assert.ok(earlier.length > 0);
    const run = await compareRuns({ alreadyCompressed: compressed.text });
    const seen = run.seen[0]!.text;
    assert.notEqual(seen, compressed.text);
    assert.ok(findMarkers(seen).every((marker) => !earlier.includes(marker.id)));
    // Where an earlier marker still shows (the compressor may fold its line away), it is escaped.
    for (const id of earlier.filter((id) => seen.includes(`fold ${id}`))) assert.ok(seen.includes(`[[\\fold ${id}`), 'the earlier marker stays readable, escaped');
  });

  it('passes through an output over maxBytes', async () => {
    const huge = log.repeat(Math.ceil(1_200_000 / log.length));
    const run = await compareRuns({ huge }, { maxBytes: 1_000_000 });
    assert.equal(run.seen[0]!.text, huge);
    assert.deepEqual(run.seen, run.seenWithout);
  });

  it('compresses only the tools it is told to, and never the unfold tool', async () => {
    const run = await compareRuns({ readLog: log, readOther: log }, { tools: ['readOther', 'unfold'] });
    assert.equal(run.seen.find((tool) => tool.toolName === 'readLog')!.text, log);
    assert.ok(findMarkers(run.seen.find((tool) => tool.toolName === 'readOther')!.text).length > 0);

    const skipped = await compareRuns({ readLog: log }, { skipTools: ['readLog'] });
    assert.deepEqual(skipped.seen, skipped.seenWithout);
  });

  it('keeps the original result when the fold store fails, and says so through onError', async () => {
    const failing = new Map<string, unknown>();
    failing.set = () => {
      throw new Error('disk full');
    };
    const run = await compareRuns({ readLog: log }, { store: new Keyv({ store: failing, throwOnErrors: true }) });
    assert.equal(run.seen[0]!.text, log);
    assert.equal(run.errors.length, 1);
    assert.match(String(run.errors[0]), /disk full/);
  });
});

describe('createUnfoldTool', () => {
  it('answers an unknown id with a message the model can act on, inside a real loop', async () => {
    const scripted = scriptedModel((prompt, step) =>
      step === 0
        ? { toolCalls: [{ toolCallId: 'call-unfold', toolName: 'unfold', input: { id: '000000000000000' } }] }
        : { text: toolResultsIn(prompt).at(-1)!.text },
    );
    const agent = new Agent({
      id: 'unfolder',
      name: 'Unfolder',
      instructions,
      model: scripted.model,
      tools: { unfold: createUnfoldTool({ store: new Keyv({ throwOnErrors: true }), namespace }) },
    });
    const result = await agent.generate('Show me fold 000000000000000.', { maxSteps: 3 });
    assert.match(result.text, /No fold 000000000000000/);
  });
});
