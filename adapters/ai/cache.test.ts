import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Keyv from 'keyv';
import { readLedger, settleLedger } from 'tokenfold';
import { tokenfoldMiddleware } from 'tokenfold/ai';
import type { CacheReport } from '../../core/cache/index.ts';
import { frameworks, type Framework } from './test-support/frameworks.ts';
import { assertPaired, corpus, toolResults } from './test-support/prompts.ts';

const hadoopLog = corpus('logs/loghub/Hadoop_2k.log');
const question = 'Why did the MapReduce job fail?';
// Long enough to be cached (over 1,024 tokens), with the time of the call on its second line.
const policy = Array.from({ length: 150 }, (_, index) => `${index + 1}. Read the logs before answering and quote the failing line.`).join('\n');
const systemAt = (step: number) => `You are a log analyst.\nCurrent time: 2026-12-02T10:${String(14 + step).padStart(2, '0')}:03Z\n${policy}`;

function tools(framework: Framework) {
  const make = (description: string, output: string) =>
    framework.tool({
      description,
      inputSchema: framework.jsonSchema({ type: 'object', properties: { file: { type: 'string' } } }),
      execute: async () => output,
    });
  // Declared out of name order on purpose: alignment sorts them.
  return { readLog: make('Reads a log.', hadoopLog), listJobs: make('Lists the jobs.', 'job_1 running\njob_2 failed') };
}

/** A four-step loop whose system prompt carries the time of each step, as many apps' do. */
async function runLoop(framework: Framework, options: Parameters<typeof tokenfoldMiddleware>[0]) {
  const reports: CacheReport[] = [];
  const { model, calls } = framework.mockModel((_call, index) =>
    index < 3 ? { toolCalls: [{ id: `call-${index}`, name: index === 1 ? 'listJobs' : 'readLog', input: { file: 'hadoop' } }] } : { text: 'done' },
  );
  const middleware = tokenfoldMiddleware({ ...options, onCacheReport: (report) => reports.push(report) });
  await framework.generateText({
    model: framework.wrapLanguageModel({ model, middleware }),
    tools: tools(framework),
    stopWhen: framework.stepCountIs(4),
    prepareStep: ({ stepNumber }: { stepNumber: number }) => ({ system: systemAt(stepNumber) }),
    prompt: question,
  });
  await until(() => reports.length === calls.length);
  return { calls, reports };
}

// Reports arrive right after each call, off the hot path.
async function until(done: () => boolean) {
  for (let tries = 0; tries < 200 && !done(); tries++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(done(), 'every call was reported');
}

for (const framework of frameworks) {
  describe(`prompt-cache alignment with ${framework.name}`, () => {
    test('reports name the time in the system prompt as what breaks the cache, call after call', async () => {
      const { calls, reports } = await runLoop(framework, { namespace: 'report' });
      assert.equal(reports.length, 4);
      assert.deepEqual(reports.map((report) => report.call), [1, 2, 3, 4]);
      for (const report of reports.slice(1)) {
        assert.equal(report.firstChange?.kind, 'timestamp');
        assert.equal(report.firstChange?.where, 'system[0]');
        assert.match(report.firstChange!.example, /^system\[0\] chars \d+–\d+: "2026-12-02T10:1\d:03Z" → "2026-12-02T10:1\d:03Z"$/);
        assert.ok(report.stablePrefixTokens < report.tokens * 0.05, 'almost nothing is cacheable');
      }
      // Reporting alone changes nothing that is sent.
      assert.equal(calls[1]!.prompt[0].content, systemAt(1));
      assert.deepEqual(calls[1]!.tools!.map((tool: any) => tool.name), ['readLog', 'listJobs']);
    });

    test('cacheAlign moves the time to a note after the latest turn and keeps everything else byte-identical', async () => {
      const plain = await runLoop(framework, { namespace: 'plain' });
      const aligned = await runLoop(framework, { namespace: 'aligned', cacheAlign: true });

      const sent = aligned.calls[2]!.prompt;
      assert.equal(sent[0].role, 'system');
      assert.equal(sent[0].content, systemAt(2).replace('2026-12-02T10:16:03Z', '[timestamp-1]'));
      const note = sent.at(-1);
      assert.equal(note.role, 'user');
      assert.equal(note.content[0].text, 'Context for this turn (current values of the bracketed placeholders above):\n[timestamp-1] 2026-12-02T10:16:03Z');
      // The user's words, the assistant's calls and the tool outputs are the bytes sent without alignment.
      const content = (messages: any[]) => messages.map(({ role, content }) => ({ role, content }));
      assert.deepEqual(content(sent.slice(1, -1)), content(plain.calls[2]!.prompt.slice(1)));
      assert.deepEqual(toolResults(sent), toolResults(plain.calls[2]!.prompt));
      assert.deepEqual(aligned.calls[2]!.tools!.map((tool: any) => tool.name), ['listJobs', 'readLog']);
      for (const call of aligned.calls) assertPaired(call.prompt);

      // From the third call on, the request continues the previous one exactly: all of it but its
      // note (some 30 tokens) is a prefix the cache can serve.
      for (const [index, report] of aligned.reports.entries()) {
        if (index < 2) continue;
        const previous = aligned.reports[index - 1]!;
        assert.equal(report.firstChange, undefined);
        assert.ok(previous.tokens - report.stablePrefixTokens < 40, `${report.stablePrefixTokens} of ${previous.tokens}`);
      }
      assert.equal(aligned.reports[1]!.moved, 1);
    });

    test('breakpoints go on the system prompt, large folded outputs and the last stable message, never on the note', async () => {
      const { calls, reports } = await runLoop(framework, { namespace: 'breakpoints', cacheAlign: true });
      const sent = calls[3]!.prompt;
      const marked = sent.flatMap((message: any, index: number) => (message.providerOptions?.anthropic?.cacheControl ? [index] : []));
      // 0: system; 3: the compressed Hadoop log (folded, over 1,024 tokens); then the last tool result before the note.
      assert.deepEqual(marked, [0, 3, sent.length - 2]);
      assert.equal(sent[3].role, 'tool');
      assert.match(sent[3].content[0].output.value, /\[\[fold \d{15}/);
      assert.deepEqual(sent[0].providerOptions.anthropic.cacheControl, { type: 'ephemeral' });
      assert.equal(reports[3]!.breakpoints, 3);
      assert.equal(reports[3]!.ttl, '5m');
    });

    test('cache reports go to the ledger of the store', async () => {
      const store = new Keyv();
      await runLoop(framework, { store, namespace: 'ledger' });
      await settleLedger();
      const entries = (await readLedger(store, { namespace: 'ledger' })).filter((entry) => entry.type === 'cache-report');
      assert.equal(entries.length, 4);
      assert.equal(entries[0]!.source, 'ai');
      assert.equal((entries[1]!.detail as { firstChange?: { kind: string } }).firstChange?.kind, 'timestamp');
    });
  });
}
