import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LanguageModelMiddleware as Middleware7 } from 'ai';
import type { LanguageModelMiddleware as Middleware6 } from 'ai-v6';
import Keyv from 'keyv';
import { findMarkers, unfold, type CompressResult } from 'tokenfold';
import { tokenfoldMiddleware, unfoldTool } from 'tokenfold/ai';
import { frameworks, type Framework } from './test-support/frameworks.ts';
import { assertPaired, corpus, lastToolResult, toolResults } from './test-support/prompts.ts';

// The same middleware object fits both majors' own interface (checked by tsc).
const fitsAi7: Middleware7 = tokenfoldMiddleware();
const fitsAi6: Middleware6 = tokenfoldMiddleware();

const hadoopLog = corpus('logs/loghub/Hadoop_2k.log');
const hdfsLog = corpus('logs/loghub/HDFS_2k.log');
const apacheBuilds = JSON.parse(corpus('json/simdjson/apache_builds.json'));
const logLines = new Set(hadoopLog.split('\n'));
const question = 'Why did the MapReduce job fail?';

function readLogTool(framework: Framework, read: (input: any) => unknown, executions?: string[]) {
  return framework.tool({
    description: 'Reads a log.',
    inputSchema: framework.jsonSchema({ type: 'object', properties: { file: { type: 'string' } } }),
    execute: async (input: any) => {
      executions?.push(input.file);
      return read(input);
    },
  });
}

async function run(framework: Framework, mode: 'generate' | 'stream', options: Record<string, unknown>) {
  if (mode === 'generate') return framework.generateText(options);
  const result = framework.streamText(options);
  return { text: await result.text, steps: await result.steps, totalUsage: await result.totalUsage };
}

for (const framework of frameworks) {
  describe(`tokenfoldMiddleware with ${framework.name}`, () => {
    for (const mode of ['generate', 'stream'] as const) {
      test(`the model sees a compressed log with a fold marker and unfolds the original byte-exact (${mode})`, async () => {
        const store = new Keyv();
        const namespace = `round-trip-${framework.name}-${mode}`;
        let unfoldedId = '';
        const { model, calls } = framework.mockModel((call, index) => {
          if (index === 0) return { toolCalls: [{ id: 'call-read', name: 'readLog', input: { file: 'hadoop' } }] };
          if (index === 1) {
            unfoldedId = findMarkers(lastToolResult(call.prompt).output.value)[0]!.id;
            return { text: 'Looking closer.', toolCalls: [{ id: 'call-unfold', name: 'unfold', input: { id: unfoldedId } }] };
          }
          return { text: 'The job lost its connection to the resource manager.' };
        });
        const result = await run(framework, mode, {
          model: framework.wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store, namespace }) }),
          tools: {
            readLog: readLogTool(framework, () => hadoopLog),
            unfold: unfoldTool({ store, namespace, maxChars: 10_000_000 }),
          },
          stopWhen: framework.stepCountIs(5),
          prompt: question,
        });

        assert.equal(calls.length, 3);
        const seen = lastToolResult(calls[1]!.prompt);
        assert.equal(seen.toolCallId, 'call-read');
        assert.equal(seen.output.type, 'text');
        assert.ok(seen.output.value.length < hadoopLog.length, 'the log was sent compressed');
        assert.ok(findMarkers(seen.output.value).length > 0, 'with fold markers');

        const answer = lastToolResult(calls[2]!.prompt);
        assert.equal(answer.toolCallId, 'call-unfold');
        const stored = await unfold(unfoldedId, { store, namespace });
        assert.equal(stored.status, 'ok');
        assert.equal(answer.output.value, stored.status === 'ok' ? stored.text : '');
        const unfoldedLines = answer.output.value.split('\n');
        assert.ok(unfoldedLines.length > 1 && unfoldedLines.every((line: string) => logLines.has(line)), 'unfold gives original log lines');
        assert.ok(unfoldedLines.some((line: string) => !seen.output.value.includes(line)), 'lines the model had not seen');
        assert.equal(result.text.endsWith('The job lost its connection to the resource manager.'), true);
        for (const call of calls) assertPaired(call.prompt);
      });
    }

    test('across a 20-step loop each distinct output is compressed once and every step resends the same bytes', async () => {
      const compressions: CompressResult[] = [];
      const files = ['hadoop', 'hdfs', 'builds'];
      const { model, calls } = framework.mockModel((_call, index) =>
        index < 19
          ? { toolCalls: [{ id: `call-${index}`, name: 'readLog', input: { file: files[index % 3] } }] }
          : { text: 'Done.' },
      );
      const result = await framework.generateText({
        model: framework.wrapLanguageModel({
          model,
          middleware: tokenfoldMiddleware({ store: new Keyv(), onCompress: (compressed) => compressions.push(compressed) }),
        }),
        tools: {
          readLog: readLogTool(framework, ({ file }) => (file === 'hadoop' ? hadoopLog : file === 'hdfs' ? hdfsLog : apacheBuilds)),
        },
        stopWhen: framework.stepCountIs(20),
        prompt: question,
      });

      assert.equal(result.steps.length, 20);
      assert.equal(calls.length, 20);
      assert.equal(compressions.length, 3, 'three distinct outputs, three compressions');
      assert.ok(compressions.every((compressed) => compressed.passThrough === undefined && compressed.folds.length > 0));
      for (let step = 1; step < calls.length; step++) {
        const before = JSON.stringify(calls[step - 1]!.prompt);
        const now = JSON.stringify(calls[step]!.prompt.slice(0, calls[step - 1]!.prompt.length));
        assert.equal(now, before, `step ${step} resends the earlier prompt byte for byte`);
      }
      const sent = toolResults(calls[19]!.prompt).map((part) => part.output.value);
      assert.equal(new Set(sent).size, 3, 'the same output always compresses to the same text');
    });

    test('only tool outputs change: system, user, reasoning, files, ids and providerOptions stay byte-identical', async () => {
      const image = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13]);
      const system = 'You are a careful SRE.';
      const messages = [
        {
          role: 'user',
          content: [
            { type: 'text', text: question },
            { type: 'file', data: image, mediaType: 'image/png' },
          ],
          providerOptions: { test: { cache: 'ephemeral' } },
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'I should read the logs.', providerOptions: { anthropic: { signature: 'sig-1' } } },
            { type: 'text', text: 'Reading the logs.' },
            { type: 'tool-call', toolCallId: 'h-log', toolName: 'readLog', input: { file: 'hadoop' } },
            { type: 'tool-call', toolCallId: 'h-builds', toolName: 'listBuilds', input: {} },
            { type: 'tool-call', toolCallId: 'h-small', toolName: 'status', input: {} },
            { type: 'tool-call', toolCallId: 'h-error', toolName: 'runTests', input: {} },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool-result', toolCallId: 'h-log', toolName: 'readLog', output: { type: 'text', value: hadoopLog }, providerOptions: { test: { a: 1 } } },
            { type: 'tool-result', toolCallId: 'h-builds', toolName: 'listBuilds', output: { type: 'json', value: apacheBuilds, providerOptions: { test: { b: 2 } } } },
            { type: 'tool-result', toolCallId: 'h-small', toolName: 'status', output: { type: 'text', value: 'all green' } },
            { type: 'tool-result', toolCallId: 'h-error', toolName: 'runTests', output: { type: 'error-text', value: hdfsLog } },
          ],
        },
        { role: 'user', content: 'And what should I restart?' },
      ];
      const script = () => ({ text: 'Restart the node manager.' });
      const plain = framework.mockModel(script);
      const wrapped = framework.mockModel(script);
      await framework.generateText({ model: plain.model, system, messages });
      await framework.generateText({
        model: framework.wrapLanguageModel({ model: wrapped.model, middleware: tokenfoldMiddleware({ store: new Keyv() }) }),
        system,
        messages,
      });

      const [expected, actual] = [plain.calls[0]!.prompt, wrapped.calls[0]!.prompt];
      assert.equal(actual.length, expected.length);
      assert.deepEqual(actual[0], { role: 'system', content: system });
      actual.forEach((message, index) => {
        if (message.role !== 'tool') return assert.deepEqual(message, expected[index]);
        message.content.forEach((part: any, at: number) => {
          const { output, ...rest } = part;
          const { output: originalOutput, ...originalRest } = expected[index].content[at];
          assert.deepEqual(rest, originalRest, 'ids, names and providerOptions of the part are kept');
          if (part.toolName === 'status') assert.equal(output, originalOutput, 'a small output is sent as it was');
        });
      });
      const [log, builds, small, error] = toolResults(actual);
      assert.equal(log.output.type, 'text');
      assert.ok(log.output.value.length < hadoopLog.length && findMarkers(log.output.value).length > 0);
      assert.equal(builds.output.type, 'text', 'a compressed json output is sent as text');
      assert.deepEqual(builds.output.providerOptions, { test: { b: 2 } });
      assert.ok(builds.output.value.length < JSON.stringify(apacheBuilds).length && findMarkers(builds.output.value).length > 0);
      assert.deepEqual(small.output, { type: 'text', value: 'all green' });
      assert.equal(error.output.type, 'error-text');
      assert.ok(error.output.value.length < hdfsLog.length);
      assertPaired(actual);
    });

    test('the text items of a content output are compressed and its other items kept', async () => {
      // ai 7 deprecates (and warns about) ai 6's `file-data` item: each gets its own form.
      const file = framework.name === 'ai 7'
        ? { type: 'file', mediaType: 'image/png', data: { type: 'data', data: 'iVBORw0KGgo=' } }
        : { type: 'file-data', data: 'iVBORw0KGgo=', mediaType: 'image/png' };
      const { model, calls } = framework.mockModel((_call, index) =>
        index === 0 ? { toolCalls: [{ id: 'call-shot', name: 'screenshot', input: {} }] } : { text: 'Seen.' },
      );
      await framework.generateText({
        model: framework.wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store: new Keyv() }) }),
        tools: {
          screenshot: framework.tool({
            inputSchema: framework.jsonSchema({ type: 'object' }),
            execute: async () => 'unused',
            toModelOutput: () => ({ type: 'content', value: [{ type: 'text', text: hadoopLog }, file] }),
          }),
        },
        stopWhen: framework.stepCountIs(3),
        prompt: question,
      });
      const { output } = lastToolResult(calls[1]!.prompt);
      assert.equal(output.type, 'content');
      assert.equal(output.value.length, 2);
      assert.ok(findMarkers(output.value[0].text).length > 0);
      assert.equal(output.value[1].mediaType, 'image/png', 'the image item is still there');
    });

    test('only the outputs of the selected tools are compressed', async () => {
      const sent = async (middlewareOptions: Record<string, unknown>) => {
        const { model, calls } = framework.mockModel((_call, index) =>
          index === 0
            ? { toolCalls: [{ id: 'a', name: 'readLog', input: {} }, { id: 'b', name: 'tailLog', input: {} }] }
            : { text: 'Done.' },
        );
        await framework.generateText({
          model: framework.wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store: new Keyv(), ...middlewareOptions }) }),
          tools: { readLog: readLogTool(framework, () => hadoopLog), tailLog: readLogTool(framework, () => hadoopLog) },
          stopWhen: framework.stepCountIs(3),
          prompt: question,
        });
        return Object.fromEntries(toolResults(calls[1]!.prompt).map((part) => [part.toolName, part.output.value === hadoopLog]));
      };
      assert.deepEqual(await sent({ tools: ['readLog'] }), { readLog: false, tailLog: true });
      assert.deepEqual(await sent({ skipTools: ['readLog'] }), { readLog: true, tailLog: false });
    });

    test('bad tool outputs reach the model as they were, without an error in the loop', async () => {
      const binary = Array.from({ length: 300_000 }, (_, index) => String.fromCharCode((index * 7919) % 256)).join('');
      const lookAlike = `${'ok '.repeat(50)}[[fold 123456789012: 3 lines]] done`;
      const outputs: Record<string, unknown> = { binary, nothing: undefined, lookAlike, empty: '' };
      const names = Object.keys(outputs);
      const { model, calls } = framework.mockModel((_call, index) =>
        index === 0 ? { toolCalls: names.map((name) => ({ id: name, name: 'read', input: { file: name } })) } : { text: 'Done.' },
      );
      const result = await framework.generateText({
        model: framework.wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store: new Keyv() }) }),
        tools: { read: readLogTool(framework, ({ file }) => outputs[file]) },
        stopWhen: framework.stepCountIs(3),
        prompt: question,
      });
      assert.equal(result.text, 'Done.');
      const byId = Object.fromEntries(toolResults(calls[1]!.prompt).map((part) => [part.toolCallId, part.output]));
      assert.deepEqual(byId.binary, { type: 'text', value: binary });
      assert.deepEqual(byId.nothing, { type: 'json', value: null });
      // A marker look-alike from the tool is escaped, so it cannot pass for one of tokenfold's folds.
      assert.deepEqual(byId.lookAlike, { type: 'text', value: lookAlike.replace('[[fold ', '[[\\fold ') });
      assert.deepEqual(byId.empty, { type: 'text', value: '' });
    });

    test('malformed prompts go to the model untouched', async () => {
      const cyclic: Record<string, unknown> = { rows: hadoopLog.split('\n') };
      cyclic.self = cyclic;
      const deep = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
      const errors: string[] = [];
      const { model, calls } = framework.mockModel(() => ({ text: 'Done.' }));
      const wrapped = framework.wrapLanguageModel({
        model,
        middleware: tokenfoldMiddleware({ store: new Keyv(), onError: (_error, { stage }) => errors.push(stage) }),
      });
      const toolMessage = {
        role: 'tool',
        content: [
          null,
          { type: 'tool-result', toolCallId: 'a', toolName: 'read', output: { type: 'mystery', value: hadoopLog } },
          { type: 'tool-result', toolCallId: 'b', toolName: 'read', output: null },
          { type: 'tool-result', toolCallId: 'c', toolName: 'read' },
          { type: 'tool-result', toolCallId: 'd', toolName: 'read', output: { type: 'json', value: cyclic } },
          { type: 'tool-result', toolCallId: 'e', toolName: 'read', output: { type: 'json', value: deep } },
          { type: 'tool-result', toolCallId: 'f', toolName: 'read', output: { type: 'text', value: 42 } },
          { type: 'tool-result', toolCallId: 'g', toolName: 7, output: { type: 'text', value: hadoopLog } },
          { type: 'tool-result', toolCallId: 'h', toolName: 'read', output: { type: 'content', value: 'not a list' } },
        ],
      };
      const prompts: unknown[] = [
        [{ role: 'user', content: [{ type: 'text', text: question }] }, toolMessage],
        [null, { role: 'tool', content: 'not a list' }, { role: 'user' }, toolMessage],
        'not a prompt',
      ];
      for (const prompt of prompts) {
        await wrapped.doGenerate({ prompt });
        assert.equal(calls.at(-1)!.prompt, prompt, 'the very same prompt object reaches the model');
      }
      assert.ok(errors.includes('adapter'), 'the unserializable json value was reported');
    });

    test('a store that fails leaves the output as it was and reports it', async () => {
      const store = new Keyv();
      store.set = async () => {
        throw new Error('store down');
      };
      const errors: string[] = [];
      const { model, calls } = framework.mockModel((_call, index) =>
        index === 0 ? { toolCalls: [{ id: 'call-read', name: 'readLog', input: {} }] } : { text: 'Done.' },
      );
      await framework.generateText({
        model: framework.wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store, onError: (_error, { stage }) => errors.push(stage) }) }),
        tools: { readLog: readLogTool(framework, () => hadoopLog) },
        stopWhen: framework.stepCountIs(3),
        prompt: question,
      });
      assert.deepEqual(lastToolResult(calls[1]!.prompt).output, { type: 'text', value: hadoopLog });
      assert.ok(errors.includes('store'));
    });
  });
}

test('the middleware declares the spec version both majors accept', () => {
  assert.equal(fitsAi7.specificationVersion, 'v3');
  assert.equal(fitsAi6.specificationVersion, 'v3');
});
