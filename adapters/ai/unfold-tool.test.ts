import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Keyv from 'keyv';
import { compress, findMarkers, unfold, UNFOLD_TOOL_DESCRIPTION, UNFOLD_TOOL_INPUT_SCHEMA } from 'tokenfold';
import { unfoldTool } from 'tokenfold/ai';
import { frameworks, type Framework } from './test-support/frameworks.ts';
import { corpus, toolResults } from './test-support/prompts.ts';

const hadoopLog = corpus('logs/loghub/Hadoop_2k.log');

/** Runs one step in which the model calls unfold with each of `inputs`; returns what it got back. */
async function unfoldThrough(framework: Framework, tool: unknown, inputs: unknown[]) {
  const { model, calls } = framework.mockModel((_call, index) =>
    index === 0 ? { toolCalls: inputs.map((input, at) => ({ id: `call-${at}`, name: 'unfold', input })) } : { text: 'Done.' },
  );
  const result = await framework.generateText({ model, tools: { unfold: tool }, stopWhen: framework.stepCountIs(3), prompt: 'Show me.' });
  assert.equal(result.text, 'Done.');
  return { calls, outputs: toolResults(calls[1]!.prompt).map((part) => part.output) };
}

for (const framework of frameworks) {
  describe(`unfoldTool with ${framework.name}`, () => {
    test("the model is offered the core's name, description and input schema", async () => {
      const { calls } = await unfoldThrough(framework, unfoldTool(), [{ id: '000000000000000' }]);
      const [offered] = calls[0]!.tools!;
      assert.equal(offered.name, 'unfold');
      assert.equal(offered.description, UNFOLD_TOOL_DESCRIPTION);
      assert.deepEqual(offered.inputSchema, UNFOLD_TOOL_INPUT_SCHEMA);
    });

    test('whole folds, line ranges and grep come back from the bound store and namespace', async () => {
      const store = new Keyv();
      const namespace = 'tenant-a';
      const compressed = await compress(hadoopLog, { store, namespace, query: 'errors' });
      const id = findMarkers(compressed.text)[0]!.id;
      const stored = await unfold(id, { store, namespace });
      assert.equal(stored.status, 'ok');
      const { firstLine = 1, text = '', lineNumbers } = stored.status === 'ok' ? stored : {};
      const numberOf = (index: number) => lineNumbers?.[index] ?? firstLine + index;
      const { outputs } = await unfoldThrough(framework, unfoldTool({ store, namespace, maxChars: 10_000_000 }), [
        { id },
        { id, lines: `${numberOf(0)}-${numberOf(1)}` },
        { id, grep: 'info' },
      ]);
      const [whole, range, grep] = outputs.map((output) => output.value as string);
      assert.equal(whole, text, 'the whole fold, byte-exact');
      const firstTwo = text.split('\n').slice(0, 2).map((line, index) => `${numberOf(index)}: ${line}`);
      assert.equal(range, firstTwo.join('\n'), 'lines in the numbering of the original');
      assert.ok(grep!.split('\n').every((line) => /^\d+: .*info/i.test(line)));
    });

    test('a wrong id, another namespace or a malformed input is explained to the model instead of failing the loop', async () => {
      const store = new Keyv();
      const compressed = await compress(hadoopLog, { store, namespace: 'tenant-a' });
      const id = findMarkers(compressed.text)[0]!.id;
      const { outputs } = await unfoldThrough(framework, unfoldTool({ store, namespace: 'tenant-b' }), [
        { id },
        { id: 'not-an-id' },
        'just a string',
      ]);
      assert.match(outputs[0].value, /No fold/);
      assert.match(outputs[1].value, /15 digits/);
      assert.equal(outputs[2].type, 'error-text', 'the AI SDK reports the invalid input to the model');
    });
  });
}
