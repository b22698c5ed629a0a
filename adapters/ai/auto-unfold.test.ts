import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Keyv from 'keyv';
import { findMarkers, unfold, UNFOLD_TOOL_DESCRIPTION, UNFOLD_TOOL_NAME } from 'tokenfold';
import { tokenfoldMiddleware, unfoldTool } from 'tokenfold/ai';
import { frameworks, type Framework, type Reply, type SentCall } from './test-support/frameworks.ts';
import { assertPaired, corpus, lastToolResult, toolResults } from './test-support/prompts.ts';

const hadoopLog = corpus('logs/loghub/Hadoop_2k.log');
const hdfsLog = corpus('logs/loghub/HDFS_2k.log');
const question = 'Why did the MapReduce job fail?';

function logTool(framework: Framework, text: string, executions: string[], name: string) {
  return framework.tool({
    inputSchema: framework.jsonSchema({ type: 'object' }),
    execute: async () => {
      executions.push(name);
      return text;
    },
  });
}

function firstMarker(call: SentCall): string {
  return findMarkers(JSON.stringify(toolResults(call.prompt).map((part) => part.output)))[0]!.id;
}

const toolNames = (call: SentCall) => (call.tools ?? []).map((tool: any) => tool.name);
const calledTools = (steps: any[]) => steps.map((step) => step.toolCalls.map((call: any) => call.toolName));

async function run(framework: Framework, mode: 'generate' | 'stream', options: Record<string, unknown>) {
  if (mode === 'generate') {
    const result = await framework.generateText(options);
    return { text: result.text, steps: result.steps, chunks: [] as any[] };
  }
  const result = framework.streamText(options);
  const chunks: any[] = [];
  for await (const chunk of result.fullStream) chunks.push(chunk);
  return { text: await result.text, steps: await result.steps, chunks };
}

for (const framework of frameworks) {
  describe(`autoUnfold with ${framework.name}`, () => {
    for (const mode of ['generate', 'stream'] as const) {
      test(`the middleware answers the model's unfold call and the app sees an ordinary step (${mode})`, async () => {
        const store = new Keyv();
        const executions: string[] = [];
        const { model, calls } = framework.mockModel((call, index): Reply => {
          if (index === 0) return { toolCalls: [{ id: 'call-read', name: 'readLog', input: {} }] };
          if (index === 1) return { text: 'Let me look closer. ', toolCalls: [{ id: 'call-unfold', name: 'unfold', input: { id: firstMarker(call) } }] };
          return { text: 'The container was killed.' };
        });
        const result = await run(framework, mode, {
          model: framework.wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store, autoUnfold: true, unfoldMaxChars: 10_000_000 }) }),
          tools: { readLog: logTool(framework, hadoopLog, executions, 'readLog') },
          stopWhen: framework.stepCountIs(5),
          prompt: question,
        });

        assert.equal(calls.length, 3);
        assert.deepEqual(toolNames(calls[0]!), ['readLog'], 'nothing to unfold yet, so the tool is not offered');
        const offered = calls[1]!.tools!.find((tool: any) => tool.name === UNFOLD_TOOL_NAME);
        assert.equal(offered.description, UNFOLD_TOOL_DESCRIPTION);
        assert.equal(offered.inputSchema.required[0], 'id');

        const id = firstMarker(calls[1]!);
        const answer = lastToolResult(calls[2]!.prompt);
        const stored = await unfold(id, { store });
        assert.equal(answer.toolCallId, 'call-unfold');
        assert.equal(answer.output.value, stored.status === 'ok' ? stored.text : undefined, 'the original, byte-exact');
        const asked = calls[2]!.prompt.at(-2);
        assert.deepEqual(asked.content.map((part: any) => part.type), ['text', 'tool-call']);
        assertPaired(calls[2]!.prompt);

        assert.deepEqual(calledTools(result.steps), [['readLog'], []], 'the app never sees the unfold call');
        assert.deepEqual(executions, ['readLog']);
        assert.equal(result.text, 'Let me look closer. The container was killed.');
        if (mode === 'stream') {
          assert.ok(!result.chunks.some((chunk) => String(chunk.toolName) === UNFOLD_TOOL_NAME), 'no unfold part is streamed');
          assert.equal(result.chunks.filter((chunk) => chunk.type === 'finish-step').length, 2, 'one finish per app step');
        }
        const inputOfStep = result.steps[1].usage.inputTokens;
        const sentChars = JSON.stringify(calls[1]!.prompt).length + JSON.stringify(calls[2]!.prompt).length;
        assert.equal(inputOfStep, sentChars, 'the step reports the usage of both rounds');
      });

      test(`when the model calls unfold and an app tool together, the app tool call is withdrawn and comes back paired (${mode})`, async () => {
        const executions: string[] = [];
        const { model, calls } = framework.mockModel((call, index): Reply => {
          if (index === 0) return { toolCalls: [{ id: 'call-read', name: 'readLog', input: {} }] };
          if (index === 1) {
            return {
              toolCalls: [
                { id: 'call-unfold', name: 'unfold', input: { id: firstMarker(call) } },
                { id: 'call-hdfs-early', name: 'readHdfs', input: {} },
              ],
            };
          }
          if (index === 2) return { toolCalls: [{ id: 'call-hdfs', name: 'readHdfs', input: {} }] };
          return { text: 'Both logs agree.' };
        });
        const result = await run(framework, mode, {
          model: framework.wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store: new Keyv(), autoUnfold: true }) }),
          tools: {
            readLog: logTool(framework, hadoopLog, executions, 'readLog'),
            readHdfs: logTool(framework, hdfsLog, executions, 'readHdfs'),
          },
          stopWhen: framework.stepCountIs(6),
          prompt: question,
        });

        assert.equal(calls.length, 4);
        for (const call of calls) assertPaired(call.prompt);
        const reasked = calls[2]!.prompt.at(-2);
        assert.deepEqual(reasked.content.map((part: any) => part.toolCallId), ['call-unfold'], 'the withdrawn call is not in the history');
        assert.ok(!JSON.stringify(calls[3]!.prompt).includes('call-hdfs-early'));
        assert.deepEqual(executions, ['readLog', 'readHdfs'], 'each app tool ran once');
        assert.deepEqual(calledTools(result.steps), [['readLog'], ['readHdfs'], []]);
        assert.equal(result.text, 'Both logs agree.');
        if (mode === 'stream') {
          assert.ok(!result.chunks.some((chunk) => chunk.toolCallId === 'call-hdfs-early' || chunk.id === 'call-hdfs-early'));
        }
      });
    }

    test('streamed text of an unfold round reaches the app before the round ends', async () => {
      let seeText!: () => void;
      const textSeen = new Promise<string>((resolve) => (seeText = () => resolve('seen')));
      const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('timed out'), 2_000).unref());
      const waited = Promise.race([textSeen, timeout]);
      const { model } = framework.mockModel((call, index): Reply => {
        if (index === 0) return { toolCalls: [{ id: 'call-read', name: 'readLog', input: {} }] };
        if (index === 1) {
          return {
            text: 'Let me look closer.',
            pauseAfterText: waited,
            toolCalls: [{ id: 'call-unfold', name: 'unfold', input: { id: firstMarker(call) } }],
          };
        }
        return { text: ' Found it.' };
      });
      const result = framework.streamText({
        model: framework.wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store: new Keyv(), autoUnfold: true }) }),
        tools: { readLog: logTool(framework, hadoopLog, [], 'readLog') },
        stopWhen: framework.stepCountIs(5),
        prompt: question,
      });
      for await (const chunk of result.fullStream) {
        if (chunk.type === 'text-delta' && String(chunk.text ?? chunk.delta).includes('closer')) seeText();
      }
      assert.equal(await waited, 'seen');
      assert.equal(await result.text, 'Let me look closer. Found it.');
    });

    test('after the last answered round the model is asked without the unfold tool, and leftover unfold calls are dropped and reported', async () => {
      const errors: string[] = [];
      const { model, calls } = framework.mockModel((call, index): Reply =>
        index === 0
          ? { toolCalls: [{ id: 'call-read', name: 'readLog', input: {} }] }
          : { text: `Round ${index}. `, toolCalls: [{ id: `call-unfold-${index}`, name: 'unfold', input: { id: firstMarker(call), lines: `${index}-${index + 1}` } }] },
      );
      const result = await framework.generateText({
        model: framework.wrapLanguageModel({
          model,
          middleware: tokenfoldMiddleware({ store: new Keyv(), autoUnfold: true, maxUnfoldRounds: 2, onError: (_error, { stage }) => errors.push(stage) }),
        }),
        tools: { readLog: logTool(framework, hadoopLog, [], 'readLog') },
        stopWhen: framework.stepCountIs(5),
        prompt: question,
      });

      assert.equal(calls.length, 4, 'the first call, two answered rounds, one last ask');
      assert.ok(toolNames(calls[2]!).includes(UNFOLD_TOOL_NAME));
      assert.deepEqual(toolNames(calls[3]!), ['readLog'], 'the last ask offers only the app tools');
      assertPaired(calls[3]!.prompt);
      assert.deepEqual(errors, ['unfold']);
      assert.deepEqual(calledTools(result.steps), [['readLog'], []]);
      assert.equal(result.text, 'Round 1. Round 2. Round 3. ');
    });

    test('answers at most 8 unfold calls of one response and 24 of one step, and says so to the rest', async () => {
      const store = new Keyv();
      const { model, calls } = framework.mockModel((call, index): Reply => {
        if (index === 0) return { toolCalls: [{ id: 'call-read', name: 'readLog', input: {} }] };
        if (index > 4) return { text: 'Done.' };
        const id = firstMarker(call);
        return { toolCalls: Array.from({ length: 10 }, (_, at) => ({ id: `call-${index}-${at}`, name: 'unfold', input: { id, grep: `line ${at}` } })) };
      });
      await framework.generateText({
        model: framework.wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store, autoUnfold: true, maxUnfoldRounds: 5 }) }),
        tools: { readLog: logTool(framework, hadoopLog, [], 'readLog') },
        stopWhen: framework.stepCountIs(5),
        prompt: question,
      });
      const answers = toolResults(calls.at(-1)!.prompt).filter((part: any) => String(part.toolCallId).startsWith('call-') && part.toolName === 'unfold');
      const refused = answers.filter((part: any) => /^Not run: at most 8 unfold calls are answered per response and 24 per step/.test(part.output.value));
      assert.equal(answers.length, 40, 'four rounds of ten calls, each answered');
      assert.equal(answers.length - refused.length, 24, 'eight in each of the first three rounds, none after');
      assert.deepEqual(
        [1, 2, 3, 4].map((round) => refused.filter((part: any) => part.toolCallId.startsWith(`call-${round}-`)).length),
        [2, 2, 2, 10],
      );
    });

    test("with the app's own unfold tool the middleware neither adds another nor answers for it", async () => {
      const store = new Keyv();
      const { model, calls } = framework.mockModel((call, index): Reply => {
        if (index === 0) return { toolCalls: [{ id: 'call-read', name: 'readLog', input: {} }] };
        if (index === 1) return { toolCalls: [{ id: 'call-unfold', name: 'unfold', input: { id: firstMarker(call), grep: 'ERROR' } }] };
        return { text: 'Done.' };
      });
      const result = await framework.generateText({
        model: framework.wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store, autoUnfold: true }) }),
        tools: { readLog: logTool(framework, hadoopLog, [], 'readLog'), unfold: unfoldTool({ store }) },
        stopWhen: framework.stepCountIs(5),
        prompt: question,
      });
      assert.deepEqual(toolNames(calls[1]!), ['readLog', 'unfold']);
      assert.deepEqual(calledTools(result.steps), [['readLog'], ['unfold'], []], 'the app ran its unfold tool');
    });

    test('without folds in the prompt nothing is offered and results pass through untouched', async () => {
      const { model, calls } = framework.mockModel((_call, index): Reply =>
        index === 0 ? { toolCalls: [{ id: 'call-status', name: 'status', input: {} }] } : { text: 'All green.' },
      );
      const result = await framework.generateText({
        model: framework.wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store: new Keyv(), autoUnfold: true }) }),
        tools: { status: logTool(framework, 'all green', [], 'status') },
        stopWhen: framework.stepCountIs(3),
        prompt: question,
      });
      assert.deepEqual(calls.map(toolNames), [['status'], ['status']]);
      assert.equal(result.text, 'All green.');
    });
  });
}
