import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { BaseMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import Keyv from 'keyv';
import { AIMessage, createAgent, HumanMessage, tool, ToolMessage } from 'langchain';
import { compress, findMarkers, unfold, type CompressResult } from 'tokenfold';
import { TokenfoldCallbackHandler, tokenfoldMiddleware, type TokenfoldMiddlewareOptions } from 'tokenfold/langchain';
import { z } from 'zod';

const corpora = new URL('../../../shared/corpora/', import.meta.url);
const log = readFileSync(new URL('logs/loghub/Hadoop_2k.log', corpora), 'utf8');
const builds = readFileSync(new URL('json/simdjson/apache_builds.json', corpora), 'utf8');
const question = 'Which errors and warnings did the MapReduce job hit?';
const systemPrompt = 'You read tool output and answer briefly.';
const namespace = 'langchain-test';

/** A LangChain tool that returns `output` whatever it is asked. */
function toolReturning(name: string, output: unknown, responseFormat?: 'content_and_artifact') {
  return tool(async () => output, {
    name,
    description: `Returns the ${name} output.`,
    schema: z.object({ file: z.string().optional() }),
    ...(responseFormat ? { responseFormat } : {}),
  });
}

/** The last tool message in what the model was sent. */
function lastToolMessage(messages: BaseMessage[]): ToolMessage {
  return messages.filter((message) => ToolMessage.isInstance(message)).at(-1) as ToolMessage;
}

function textOf(message: BaseMessage): string {
  return typeof message.content === 'string' ? message.content : message.text;
}

/**
 * The model's part in the common scenario: call `toolName`, unfold the first marker it sees in
 * the result (if any), then answer with the size of what it got back.
 */
function readThenUnfold(toolName: string) {
  return fakeModel()
    .respondWithTools([{ name: toolName, args: { file: 'Hadoop_2k.log' }, id: 'call-read' }])
    .respond((messages) => {
      const marker = findMarkers(textOf(lastToolMessage(messages)))[0];
      if (!marker) return new AIMessage('No marker, nothing to unfold.');
      return new AIMessage({ content: '', tool_calls: [{ name: 'unfold', args: { id: marker.id }, id: 'call-unfold', type: 'tool_call' }] });
    })
    .respond((messages) => new AIMessage(`Got ${textOf(lastToolMessage(messages)).length} characters back.`));
}

/** An agent over `model` and `tools` with the middleware, on its own store. */
function setUp(model: ReturnType<typeof fakeModel>, tools: ReturnType<typeof toolReturning>[], options: TokenfoldMiddlewareOptions = {}) {
  const store = new Keyv();
  const compressions: CompressResult[] = [];
  const middleware = tokenfoldMiddleware({
    store,
    namespace,
    // Folds of a 2,000-line log can be longer than the default answer; unfold them whole.
    unfoldMaxChars: 1_000_000,
    onCompress: (result) => compressions.push(result),
    ...options,
  });
  const agent = createAgent({ model, tools, systemPrompt, middleware: [middleware] });
  return { agent, store, compressions };
}

describe('tokenfoldMiddleware in a createAgent loop', () => {
  it('shows the model the compressed log, and unfold gives back the original bytes', async () => {
    const model = readThenUnfold('read_log');
    const { agent, store } = setUp(model, [toolReturning('read_log', log)]);
    const state = await agent.invoke({ messages: [new HumanMessage(question)] });

    assert.equal(model.callCount, 3);
    const seen = lastToolMessage(model.calls[1]!.messages);
    const [marker] = findMarkers(textOf(seen));
    assert.ok(marker, 'the model saw a fold marker');
    assert.ok(textOf(seen).length < log.length, 'the model saw less than the raw log');
    assert.equal(seen.tool_call_id, 'call-read');

    const unfolded = lastToolMessage(model.calls[2]!.messages);
    assert.equal(unfolded.tool_call_id, 'call-unfold');
    assert.equal(unfolded.name, 'unfold');
    const stored = await unfold(marker.id, { store, namespace });
    assert.equal(stored.status, 'ok');
    assert.equal(textOf(unfolded), stored.status === 'ok' ? stored.text : undefined, 'the unfold answer is the stored original');
    assert.ok(log.includes(textOf(unfolded)), 'the stored original is a byte-exact span of the log');

    assert.equal(state.messages.at(-1)!.content, `Got ${textOf(unfolded).length} characters back.`);
  });

  it('rewrites the ToolMessage in the agent state durably, keeping its id, name and call pairing', async () => {
    const model = readThenUnfold('read_log');
    const { agent } = setUp(model, [toolReturning('read_log', log)]);
    const state = await agent.invoke({ messages: [new HumanMessage(question)] });

    const inState = state.messages.find((message) => ToolMessage.isInstance(message) && message.tool_call_id === 'call-read') as ToolMessage;
    const seen = lastToolMessage(model.calls[1]!.messages);
    assert.equal(textOf(inState), textOf(seen), 'the state holds what the model saw');
    assert.notEqual(textOf(inState), log);
    assert.equal(inState.name, 'read_log');
    assert.equal(inState.status, 'success');
    const metadata = inState.metadata?.tokenfold as { folds: string[]; tokensBefore: number; tokensAfter: number };
    assert.deepEqual(metadata.folds, findMarkers(textOf(inState)).map((marker) => marker.id).filter((id, index, ids) => ids.indexOf(id) === index));
    assert.ok(metadata.tokensAfter < metadata.tokensBefore);

    // Every tool message answers the tool call of the AI message before it.
    const callIds = new Map<string, string>();
    for (const message of state.messages) {
      if (AIMessage.isInstance(message)) for (const call of message.tool_calls ?? []) callIds.set(call.id!, call.name);
      if (ToolMessage.isInstance(message)) assert.equal(callIds.get(message.tool_call_id), message.name);
    }
  });

  it('leaves the system prompt, the user message and the model replies byte-identical', async () => {
    const model = readThenUnfold('read_log');
    const { agent } = setUp(model, [toolReturning('read_log', log)]);
    const state = await agent.invoke({ messages: [new HumanMessage(question)] });

    for (const call of model.calls) {
      assert.equal(call.messages[0]!.type, 'system');
      assert.equal(call.messages[0]!.text, systemPrompt);
      assert.equal(call.messages[1]!.content, question);
    }
    const human = state.messages.find((message) => message.type === 'human')!;
    assert.equal(human.content, question);
    const firstReply = state.messages.find((message) => AIMessage.isInstance(message)) as AIMessage;
    assert.deepEqual(firstReply.tool_calls?.map((call) => call.id), ['call-read']);
  });

  it('compresses a JSON payload too', async () => {
    const model = readThenUnfold('list_builds');
    const { agent, store } = setUp(model, [toolReturning('list_builds', builds)]);
    await agent.invoke({ messages: [new HumanMessage('Which Jenkins jobs are red?')] });

    const seen = textOf(lastToolMessage(model.calls[1]!.messages));
    const [marker] = findMarkers(seen);
    assert.ok(marker, 'the model saw a fold marker');
    assert.ok(seen.length < builds.length);
    const stored = await unfold(marker.id, { store, namespace });
    assert.equal(stored.status, 'ok');
    assert.equal(textOf(lastToolMessage(model.calls[2]!.messages)), stored.status === 'ok' ? stored.text : undefined);
    // The JSON compressor folds rows as compact JSON: each one is a job of the original payload.
    const jobs = new Set((JSON.parse(builds) as { jobs: unknown[] }).jobs.map((job) => JSON.stringify(job)));
    const rows = stored.status === 'ok' ? stored.text.split('\n').filter((line) => line.startsWith('{')) : [];
    for (const row of rows) assert.ok(jobs.has(JSON.stringify(JSON.parse(row))), `${row} is a job of the payload`);
  });
});

describe('memoization', () => {
  it('compresses an output once and sends the same bytes at every later step', async () => {
    // The model reads the same log three times, then answers.
    const model = fakeModel();
    for (let step = 0; step < 3; step++) model.respondWithTools([{ name: 'read_log', args: {}, id: `call-${step}` }]);
    model.respond(new AIMessage('done'));
    const { agent, compressions } = setUp(model, [toolReturning('read_log', log)]);
    const state = await agent.invoke({ messages: [new HumanMessage(question)] });

    assert.equal(compressions.length, 1);
    const toolTexts = state.messages.filter((message) => ToolMessage.isInstance(message)).map(textOf);
    assert.equal(toolTexts.length, 3);
    assert.equal(new Set(toolTexts).size, 1);
    assert.notEqual(toolTexts[0], log);
    // Each model call starts with exactly the messages of the call before: the prefix is stable.
    for (let index = 1; index < model.calls.length; index++) {
      const before = model.calls[index - 1]!.messages.map(textOf);
      const now = model.calls[index]!.messages.map(textOf);
      assert.deepEqual(now.slice(0, before.length), before);
    }
  });

  it('compresses again for a new question, since the query decides what stays', async () => {
    const model = fakeModel()
      .respondWithTools([{ name: 'read_log', args: {}, id: 'call-1' }])
      .respond(new AIMessage('first'))
      .respondWithTools([{ name: 'read_log', args: {}, id: 'call-2' }])
      .respond(new AIMessage('second'))
      .respondWithTools([{ name: 'read_log', args: {}, id: 'call-3' }])
      .respond(new AIMessage('third'));
    const { agent, compressions } = setUp(model, [toolReturning('read_log', log)]);
    await agent.invoke({ messages: [new HumanMessage(question)] });
    await agent.invoke({ messages: [new HumanMessage(question)] });
    assert.equal(compressions.length, 1, 'same question, same output: one compression');
    await agent.invoke({ messages: [new HumanMessage('When did the job start?')] });
    assert.equal(compressions.length, 2);
  });
});

describe('which tools are compressed', () => {
  async function run(options: TokenfoldMiddlewareOptions) {
    const model = fakeModel()
      .respondWithTools([
        { name: 'read_log', args: {}, id: 'call-log' },
        { name: 'list_builds', args: {}, id: 'call-builds' },
      ])
      .respond(new AIMessage('done'));
    const { agent } = setUp(model, [toolReturning('read_log', log), toolReturning('list_builds', builds)], options);
    const state = await agent.invoke({ messages: [new HumanMessage(question)] });
    const byCall = (id: string) => textOf(state.messages.find((message) => ToolMessage.isInstance(message) && message.tool_call_id === id)!);
    return { log: byCall('call-log'), builds: byCall('call-builds') };
  }

  it('compresses only the tools of the allow-list', async () => {
    const outputs = await run({ tools: ['read_log'] });
    assert.notEqual(outputs.log, log);
    assert.equal(outputs.builds, builds);
  });

  it('never compresses the tools of skipTools', async () => {
    const outputs = await run({ skipTools: ['read_log'] });
    assert.equal(outputs.log, log);
    assert.notEqual(outputs.builds, builds);
  });

  it('never compresses what unfold returns', async () => {
    const model = readThenUnfold('read_log');
    const { agent, compressions } = setUp(model, [toolReturning('read_log', log)]);
    await agent.invoke({ messages: [new HumanMessage(question)] });
    assert.equal(compressions.length, 1);
    assert.equal(findMarkers(textOf(lastToolMessage(model.calls[2]!.messages))).length, 0);
  });
});

describe('content blocks and bad input', () => {
  /** Runs one tool call returning `output` and gives back the ToolMessage in the final state. */
  async function toolMessageFor(output: unknown, options: TokenfoldMiddlewareOptions & { artifact?: boolean } = {}) {
    const model = fakeModel().respondWithTools([{ name: 'read_log', args: {}, id: 'call-read' }]).respond(new AIMessage('done'));
    const { artifact, ...middlewareOptions } = options;
    const { agent, compressions } = setUp(model, [toolReturning('read_log', output, artifact ? 'content_and_artifact' : undefined)], middlewareOptions);
    const state = await agent.invoke({ messages: [new HumanMessage(question)] });
    const message = state.messages.find((candidate) => ToolMessage.isInstance(candidate)) as ToolMessage;
    return { message, compressions, finalAnswer: state.messages.at(-1)!.content };
  }

  it('compresses the text blocks of array content and keeps the other blocks and the artifact', async () => {
    const image = { type: 'image', url: 'https://example.com/chart.png' };
    const artifact = { rows: 2000, source: 'Hadoop_2k.log' };
    const { message } = await toolMessageFor([[{ type: 'text', text: log }, image], artifact], { artifact: true });
    assert.ok(Array.isArray(message.content));
    const [text, kept] = message.content as Array<{ type: string; text?: string }>;
    assert.equal(text!.type, 'text');
    assert.ok(findMarkers(text!.text!).length > 0);
    assert.deepEqual(kept, image);
    assert.deepEqual(message.artifact, artifact);
  });

  it('passes through empty, small and binary output unchanged', async () => {
    for (const output of ['', 'ok', `\u0000\u0001PNG${'\u0000'.repeat(5000)}`]) {
      const { message, finalAnswer } = await toolMessageFor(output);
      assert.equal(message.content, output);
      assert.equal(message.metadata?.tokenfold, undefined);
      assert.equal(finalAnswer, 'done');
    }
  });

  it('escapes fold markers that a tool output already holds, so only its own folds parse', async () => {
    const already = (await compress(log, { store: new Keyv(), namespace })).text;
    const earlier = findMarkers(already).map((marker) => marker.id);
    const { message, finalAnswer } = await toolMessageFor(already);
    const content = message.content as string;
    assert.ok(findMarkers(content).every((marker) => !earlier.includes(marker.id)));
    // Where an earlier marker still shows (the compressor may fold its line away), it is escaped.
    for (const id of earlier.filter((id) => content.includes(`fold ${id}`))) assert.ok(content.includes(`[[\\fold ${id}`), 'the earlier marker stays readable, escaped');
    assert.equal(finalAnswer, 'done');
  });

  it('passes through content that is neither text nor text blocks', async () => {
    const blocks = [{ type: 'image', url: 'https://example.com/a.png' }];
    const { message, compressions } = await toolMessageFor([blocks, null], { artifact: true });
    assert.deepEqual(message.content, blocks);
    assert.equal(compressions.length, 0);
  });

  it('passes a huge output through unchanged instead of throwing', async () => {
    const huge = 'x'.repeat(65 * 1024 * 1024);
    const { message, finalAnswer } = await toolMessageFor(huge);
    assert.equal(message.content.length, huge.length);
    assert.equal(message.content === huge, true);
    assert.equal(finalAnswer, 'done');
  });

  it('passes the original through and reports it when the store fails', async () => {
    const errors: string[] = [];
    const broken = new Keyv({
      store: {
        get: async () => undefined,
        set: async () => {
          throw new Error('disk full');
        },
        delete: async () => false,
        clear: async () => {},
      },
    });
    const { message, finalAnswer } = await toolMessageFor(log, { store: broken, onError: (_error, context) => errors.push(context.stage) });
    assert.equal(message.content, log);
    assert.equal(finalAnswer, 'done');
    assert.deepEqual(errors, ['store']);
  });

  it('passes the original through and reports it when compression itself fails', async () => {
    const errors: string[] = [];
    const tokenizer = { name: 'broken', count: () => { throw new Error('tokenizer down'); } };
    const { message, finalAnswer } = await toolMessageFor(log, { tokenizer, onError: (_error, context) => errors.push(context.stage) });
    assert.equal(message.content, log);
    assert.equal(finalAnswer, 'done');
    assert.deepEqual(errors, ['adapter']);
  });
});

describe('streaming and reporting', () => {
  it('streams the compressed ToolMessage in the tools update', async () => {
    const model = readThenUnfold('read_log');
    const { agent } = setUp(model, [toolReturning('read_log', log)]);
    const toolUpdates: ToolMessage[] = [];
    for await (const chunk of await agent.stream({ messages: [new HumanMessage(question)] }, { streamMode: 'updates' })) {
      for (const update of Object.values(chunk as Record<string, { messages?: BaseMessage[] }>)) {
        for (const message of update?.messages ?? []) if (ToolMessage.isInstance(message)) toolUpdates.push(message);
      }
    }
    assert.deepEqual(toolUpdates.map((message) => message.tool_call_id), ['call-read', 'call-unfold']);
    assert.ok(findMarkers(textOf(toolUpdates[0]!)).length > 0);
    assert.equal(textOf(toolUpdates[0]!), textOf(lastToolMessage(model.calls[1]!.messages)));
  });

  it('reports savings and unfolds to a TokenfoldCallbackHandler, per run', async () => {
    const model = readThenUnfold('read_log');
    const { agent, compressions } = setUp(model, [toolReturning('read_log', log)]);
    const report = new TokenfoldCallbackHandler();
    await agent.invoke({ messages: [new HumanMessage(question)] }, { callbacks: [report] });

    const [compression] = compressions;
    const [record, unfoldRecord] = report.records;
    const tokensReturned = unfoldRecord?.event === 'unfold' ? unfoldRecord.tokensReturned! : Number.NaN;
    assert.ok(tokensReturned > 0, 'the unfold event counts the tokens the model read back');
    const tokensSaved = compression!.tokensBefore - compression!.tokensAfter;
    assert.deepEqual(report.totals, {
      outputs: 1,
      compressed: 1,
      tokensBefore: compression!.tokensBefore,
      tokensAfter: compression!.tokensAfter,
      tokensSaved,
      folds: compression!.folds.length,
      unfolds: 1,
      tokensReturned,
      netSaved: tokensSaved - tokensReturned,
    });
    assert.equal(record?.event === 'compress' && record.toolCallId, 'call-read');
    assert.equal(record?.event === 'compress' && record.cached, false);
    assert.equal(unfoldRecord?.event === 'unfold' && compression!.folds.some((fold) => fold.id === unfoldRecord.id), true);
    assert.equal(report.runs.size, 1, 'one agent.invoke is one run');
    assert.deepEqual([...report.runs.values()][0], report.totals);
  });

  it('keeps one set of totals per invocation when one handler serves several', async () => {
    const model = fakeModel()
      .respondWithTools([{ name: 'read_log', args: {}, id: 'call-1' }])
      .respond(new AIMessage('first'))
      .respondWithTools([{ name: 'read_log', args: {}, id: 'call-2' }, { name: 'list_builds', args: {}, id: 'call-3' }])
      .respond(new AIMessage('second'));
    const { agent } = setUp(model, [toolReturning('read_log', log), toolReturning('list_builds', builds)]);
    const report = new TokenfoldCallbackHandler();
    const reporting = agent.withConfig({ callbacks: [report] });
    await reporting.invoke({ messages: [new HumanMessage(question)] });
    await reporting.invoke({ messages: [new HumanMessage(question)] });

    const runs = [...report.runs.values()];
    assert.deepEqual(runs.map((run) => run.outputs), [1, 2]);
    assert.equal(report.totals.outputs, 3);
    assert.deepEqual(
      report.records.map((record) => record.event === 'compress' && record.cached),
      [false, true, false],
      'the second read of the same log came from the memo',
    );
  });

  it('sends tokenfold events through streamEvents', async () => {
    const model = readThenUnfold('read_log');
    const { agent } = setUp(model, [toolReturning('read_log', log)]);
    const names: string[] = [];
    for await (const event of agent.streamEvents({ messages: [new HumanMessage(question)] }, { version: 'v2' })) {
      if (event.event === 'on_custom_event') names.push(event.name);
    }
    assert.deepEqual(names, ['tokenfold_compress', 'tokenfold_unfold']);
  });
});
