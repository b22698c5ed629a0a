import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Keyv from 'keyv';
import {
  createSession,
  defaultBudget,
  createToolOutputCompressor,
  describeCall,
  findMarkers,
  findRepeat,
  historyFolds,
  learnedBudget,
  loadStats,
  o200kCounter,
  readLedger,
  settleLedger,
  summarizeLedger,
  unfold,
  unifiedDiff,
  worthRewriting,
  type HistoryEntry,
  type SessionOutput,
} from 'tokenfold';

// A file view as an editor tool prints it: a header and numbered lines (made up for the tests).
const view = (lines: number, change = -1) =>
  `[File: /repo/src/app.py (${lines} lines total)]\n` +
  Array.from({ length: lines }, (_, index) => `${index + 1}:    value_${index} = compute(${index === change ? 'changed' : index})`).join('\n');

const pricing = { cacheRead: 0.1, cacheWrite: 1.25 };

function entry(id: string, step: number, command: string, tokens = 1000, file?: string, edits = false): HistoryEntry {
  return { id, step, subject: { command, edits, ...(file ? { file } : {}) }, tokens, foldedTokens: 30, between: 50 };
}

describe('describeCall', () => {
  it('reads the file of a path argument, a shell read, an edit and a file-view header', () => {
    assert.equal(describeCall('read_file', { path: './src/app.py' }, '').file, 'src/app.py');
    assert.deepEqual(describeCall('bash', { command: 'cat src/app.py' }, ''), { file: 'src/app.py', edits: false, command: 'bash {"command":"cat src/app.py"}' });
    assert.equal(describeCall('bash', { command: "sed -i 's/a/b/' src/app.py" }, '').edits, true);
    const edit = describeCall('edit', { command: 'edit 3:3\n    x = 1\nend_of_edit' }, view(5));
    assert.deepEqual([edit.file, edit.edits], ['/repo/src/app.py', true]);
    assert.equal(describeCall('bash', { command: 'python reproduce.py' }, '344').file, undefined);
  });

  it('gives two calls with the same input in another key order the same command', () => {
    assert.equal(describeCall('grep', { b: 1, a: 2 }, '').command, describeCall('grep', { a: 2, b: 1 }, '').command);
  });
});

describe('findRepeat', () => {
  const earlier = (id: string, text: string, file?: string) => ({ id, original: text, hash: '', subject: { command: id, edits: false, ...(file ? { file } : {}) } });

  it('finds an exact repeat by content, whatever the call', async () => {
    const { contentHash } = await import('tokenfold');
    const text = view(40);
    const repeat = findRepeat(text, { command: 'other', edits: false }, [{ ...earlier('call_1', text), hash: contentHash(text) }]);
    assert.equal(repeat?.type, 'duplicate');
    assert.equal(repeat?.of.id, 'call_1');
  });

  it('diffs a re-read of the same file against the earlier copy', () => {
    const repeat = findRepeat(view(40, 7), { command: 'x', edits: false, file: 'src/app.py' }, [earlier('call_1', view(40), '/repo/src/app.py')]);
    assert.equal(repeat?.type, 'diff');
    assert.ok(repeat?.type === 'diff' && repeat.patch.includes('+8:    value_7 = compute(changed)'));
  });

  it('does not diff outputs of different files', () => {
    assert.equal(findRepeat(view(40, 7), { command: 'x', edits: false, file: 'src/other.py' }, [earlier('call_1', view(40), 'src/app.py')]), undefined);
  });

  it('unifiedDiff has hunks with one line of context, and nothing for equal texts', () => {
    assert.deepEqual(unifiedDiff('a\nb\nc\n', 'a\nB\nc\n'), { patch: '@@ -1,3 +1,3 @@\n a\n-b\n+B\n c', changedLines: 2 });
    assert.equal(unifiedDiff('a\n', 'a\n'), undefined);
  });
});

describe('historyFolds', () => {
  const options = { history: 'always' as const, rewriteEvery: 4, ageAfter: 10, pricing };

  it('folds a command run again, and a read of a file edited since, but not the latest step', () => {
    const entries = [
      entry('test-1', 1, 'bash npm test'),
      entry('read', 2, 'read app.py', 1000, 'src/app.py'),
      entry('edit', 3, 'edit app.py', 200, 'src/app.py', true),
      entry('test-2', 4, 'bash npm test'),
    ];
    const folded = historyFolds(entries, 5, options);
    assert.deepEqual([...folded].map(([id, fold]) => [id, fold.reason]), [['read', 'stale'], ['test-1', 'superseded']]);
  });

  it('folds outputs older than ageAfter steps, and the oldest beyond a token ceiling', () => {
    const entries = [entry('a', 1, 'a'), entry('b', 2, 'b'), entry('c', 3, 'c'), entry('d', 4, 'd')];
    assert.deepEqual([...historyFolds(entries, 13, options).keys()], ['a', 'b']);
    assert.deepEqual([...historyFolds(entries, 6, { ...options, maxTokens: 2500 }).keys()], ['a', 'b']);
  });

  it('never rewrites with keep', () => {
    assert.equal(historyFolds([entry('a', 1, 'x'), entry('b', 2, 'x')], 30, { ...options, history: 'keep' }).size, 0);
  });

  it('batch looks only at check-points, and the answer for an earlier step never changes', () => {
    const entries = [entry('a', 1, 'x', 20_000), entry('b', 2, 'x', 100), entry('c', 3, 'y', 100)];
    const batch = { ...options, history: 'batch' as const };
    assert.equal(historyFolds(entries, 3, batch).size, 0, 'no check-point before step 4');
    const at4 = historyFolds(entries, 4, batch);
    assert.deepEqual([...at4.keys()], ['a']);
    assert.deepEqual(historyFolds(entries, 7, batch), at4);
  });
});

describe('worthRewriting (batch arithmetic)', () => {
  it('folds when r·S·(R + 1) exceeds (w - r)·B, and not otherwise', () => {
    // Folding 'a' saves S = 9,970 tokens per call. B, from 'a' to the end of the previous call's
    // prompt: 'a' folded (30), the turn before 'b' (50) and 'b' (10,000): 10,080 tokens.
    const entries = [entry('a', 1, 'x', 10_000), entry('b', 2, 'y', 10_000)];
    const candidates = new Map([['a', 'superseded' as const]]);
    // R = 11: 0.1 · 9,970 · 12 = 11,964 > 1.15 · 10,080 = 11,592: fold.
    assert.deepEqual(worthRewriting(entries, candidates, 11, { pricing }), ['a']);
    // R = 10: 10,967 < 11,592: the cache write costs more than the calls to come save.
    assert.deepEqual(worthRewriting(entries, candidates, 10, { pricing }), []);
    assert.deepEqual(worthRewriting(entries, candidates, 3, { pricing, expectedSteps: 50 }), ['a']);
  });

  it('does not count what arrived since the previous call as a cost of the rewrite', () => {
    // At step 2, 'b' (step 2) and the turn before it are new: B is only 'a' folded (30 tokens).
    const entries = [entry('a', 1, 'x', 10_000), entry('b', 2, 'y', 10_000)];
    assert.deepEqual(worthRewriting(entries, new Map([['a', 'superseded' as const]]), 2, { pricing }), ['a']);
  });

  it('always folds what a token ceiling asks for', () => {
    const entries = [entry('a', 1, 'x', 1000), entry('b', 2, 'y', 50_000)];
    assert.deepEqual(worthRewriting(entries, new Map([['a', 'ceiling' as const]]), 2, { pricing }), ['a']);
  });
});

describe('learnedBudget', () => {
  const stats = (unfolds: number, returnedChars = 0) => ({ outputs: 10, folds: 10, unfolds, foldedChars: 10_000, returnedChars });

  it('leaves the default until a few outputs were seen', () => {
    assert.equal(learnedBudget({ ...stats(0), outputs: 2 }, 4000), undefined);
  });

  it('tightens a kind never unfolded and loosens one often unfolded, by how much was read back', () => {
    assert.equal(learnedBudget(stats(0), 4000), 500);
    // Often unfolded and read back: the default budget times 1 + 4 × the share read back.
    assert.equal(learnedBudget(stats(5, 2500), 4000), defaultBudget(4000) * 2);
    assert.equal(learnedBudget(stats(5, 10_000), 4000), defaultBudget(4000) * 5);
    assert.equal(learnedBudget(stats(1, 2000), 4000), undefined, 'unfolded sometimes, a fifth read back: the default');
  });

  it('tightens a kind whose unfolds read back under an eighth of what was folded, however many', () => {
    // Half of the folds unfolded, by greps that read back 5% of the folded text.
    assert.equal(learnedBudget(stats(5, 500), 4000), 500);
  });
});

describe('createSession', () => {
  const output = (id: string, step: number, text: string, command: string, tool = 'bash'): SessionOutput => ({ id, tool, input: { command }, text, step });

  function setUp(options = {}) {
    const store = new Keyv();
    const environment = { store, namespace: 'test', minTokens: 50 };
    const session = createSession(options, createToolOutputCompressor(environment), environment);
    return { session, store };
  }

  it('sends an exact repeat as a reference whose fold holds the output, and keeps the earlier one', async () => {
    const { session, store } = setUp();
    const text = view(60);
    const outputs = [output('c1', 1, text, 'cat src/app.py'), output('c2', 2, text, 'cat src/app.py')];
    const sent = await session.prepare(outputs, { step: 3 });
    assert.equal(sent.get('c1')!.how === 'duplicate', false);
    const reference = sent.get('c2')!;
    assert.equal(reference.how, 'duplicate');
    assert.match(reference.text, /^\[\[fold \d+: 61 lines; identical to the output of tool call c1\]\]$/);
    const back = await unfold(findMarkers(reference.text)[0]!.id, { store, namespace: 'test' });
    assert.equal(back.status === 'ok' && back.text, text);
  });

  it('sends a re-read after a small edit as a diff against the earlier copy', async () => {
    const { session, store } = setUp();
    const sent = await session.prepare([output('c1', 1, view(60), 'cat src/app.py'), output('c2', 2, view(60, 30), 'cat src/app.py')], { step: 3 });
    const diff = sent.get('c2')!;
    assert.equal(diff.how, 'diff');
    assert.ok(diff.text.includes('+31:    value_30 = compute(changed)'));
    const back = await unfold(findMarkers(diff.text)[0]!.id, { store, namespace: 'test' });
    assert.equal(back.status === 'ok' && back.text, view(60, 30));
  });

  it('sends the same bytes for an output at every later step, and folds history only under its policy', async () => {
    const outputs = [output('t1', 1, `${view(80)}\nFAILED test_app.py::test_value - AssertionError`, 'pytest'), output('t2', 2, view(80, 3), 'pytest')];
    for (const history of ['keep', 'always'] as const) {
      const { session } = setUp({ history });
      const first = await session.prepare(outputs, { step: 2 });
      const later = await session.prepare(outputs, { step: 3 });
      const again = await session.prepare(outputs, { step: 4 });
      assert.equal(again.get('t1')!.text, later.get('t1')!.text);
      if (history === 'keep') {
        assert.equal(later.get('t1')!.text, first.get('t1')!.text);
        continue;
      }
      const folded = later.get('t1')!;
      assert.equal(folded.how, 'history');
      assert.match(folded.text, /^\[\[fold \d+: 82 lines; bash pytest: superseded by a later run\]\]\nFAILED test_app\.py::test_value - AssertionError$/);
    }
  });

  it('learns from unfolds per tool and kind, in the store, and tightens budgets for kinds never unfolded', async () => {
    const { session, store } = setUp();
    const outputs = Array.from({ length: 6 }, (_, index) => output(`c${index}`, index + 1, view(60 + index * 7), `cat file${index}.py`));
    await session.prepare(outputs, { step: 7 });
    const stats = await loadStats(store, 'test');
    const key = Object.keys(stats)[0]!;
    assert.equal(stats[key]!.outputs, 6);
    assert.equal(stats[key]!.unfolds, 0);
    // Never unfolded: the next output of the kind gets a budget under the default.
    const tokens = o200kCounter.count(view(200));
    const budget = learnedBudget(stats[key], tokens);
    assert.ok(budget !== undefined && budget < defaultBudget(tokens), `learned ${budget}, default ${defaultBudget(tokens)}`);
  });

  it('counts a diff once in the ledger: what it saved over the compression that ran for it', async () => {
    const { session, store } = setUp();
    // Long enough that the re-read is compressed (freshly, so counted) before the diff wins.
    const first = view(200);
    await session.prepare([output('c1', 1, first, 'cat src/app.py')], { step: 1 });
    await settleLedger();
    const before = summarizeLedger(await readLedger(store, { namespace: 'test' })).total.saved;
    const reread = view(200, 100);
    const sent = await session.prepare([output('c1', 1, first, 'cat src/app.py'), output('c2', 2, reread, 'cat src/app.py')], { step: 2 });
    const diff = sent.get('c2')!;
    assert.equal(diff.how, 'diff');
    await settleLedger();
    const entries = await readLedger(store, { namespace: 'test' });
    const saved = summarizeLedger(entries).total.saved - before;
    // The re-read's compression and its diff together: from the output's tokens to the diff's.
    const compression = entries.filter((entry) => entry.type === 'compress').at(-1)!;
    const reference = entries.find((entry) => entry.type === 'reference' && entry.kind === 'diff')!;
    assert.equal(reference.tokensBefore, compression.tokensAfter);
    assert.equal(saved, compression.tokensBefore! - o200kCounter.count(diff.text));
  });

  it('counts a duplicate in the ledger with the exact tokens of the output', async () => {
    const { session, store } = setUp();
    const text = view(60);
    const sent = await session.prepare([output('c1', 1, text, 'cat src/app.py'), output('c2', 2, text, 'cat src/app.py')], { step: 3 });
    await settleLedger();
    const reference = (await readLedger(store, { namespace: 'test' })).find((entry) => entry.type === 'reference');
    assert.deepEqual([reference?.tokensBefore, reference?.tokensAfter], [o200kCounter.count(text), o200kCounter.count(sent.get('c2')!.text)]);
  });

  it('folds history only when preparing a model call, never on a call for arrivals', async () => {
    const { session, store } = setUp({ history: 'always' });
    const t1 = output('t1', 1, `${view(80)}\nFAILED test_app.py::test_value - AssertionError`, 'pytest');
    const t2 = output('t2', 2, view(80, 3), 'pytest');
    await session.prepare([t1], { step: 1, arrivals: new Set(['t1']) });
    const arrival = await session.prepare([t1, t2], { step: 3, arrivals: new Set(['t2']) });
    assert.notEqual(arrival.get('t1')!.how, 'history');
    await settleLedger();
    const rewrites = async () => (await readLedger(store, { namespace: 'test' })).filter((entry) => entry.type === 'history-rewrite').length;
    assert.equal(await rewrites(), 0);
    const model = await session.prepare([t1, t2], { step: 4, arrivals: new Set() });
    assert.equal(model.get('t1')!.how, 'history');
    await settleLedger();
    assert.equal(await rewrites(), 1);
  });

  it('remembers at most maxEntries fold origins, oldest first out', async () => {
    const store = new Keyv();
    const environment = { store, namespace: 'test', minTokens: 50, maxEntries: 2 };
    const session = createSession({}, createToolOutputCompressor(environment), environment);
    const log = (tag: string) => Array.from({ length: 600 }, (_, index) => `2026-12-02 10:${String(index % 60).padStart(2, '0')}:00 INFO ${tag} ${index % 7}: batch ${index} done in ${index % 13} ms`).join('\n');
    const outputs = ['alpha', 'beta', 'gamma', 'delta'].map((tag, index) => output(`c${index}`, index + 1, log(tag), `cat ${tag}.log`));
    const sent = await session.prepare(outputs, { step: 5 });
    const firstFold = findMarkers(sent.get('c0')!.text)[0]!.id;
    const lastFold = findMarkers(sent.get('c3')!.text)[0]!.id;
    const unfolds = (id: string, call: string): SessionOutput => ({ id: call, tool: 'unfold', input: { id }, text: 'line\n', step: 6 });
    await session.prepare([unfolds(firstFold, 'u1'), unfolds(lastFold, 'u2')], { step: 6 });
    const stats = await loadStats(store, 'test');
    // The first output's folds were forgotten; the last one's unfold counts.
    assert.equal(Object.values(stats).reduce((sum, entry) => sum + entry.unfolds, 0), 1);
  });

  it('counts an unfold of a 15-digit fold id against the tool and kind that made the fold', async () => {
    const { session, store } = setUp();
    const log = Array.from({ length: 600 }, (_, index) => `2026-12-02 10:${String(index % 60).padStart(2, '0')}:00 INFO worker ${index % 7}: batch ${index} done in ${index % 13} ms`).join('\n');
    const first = await session.prepare([output('c1', 1, log, 'cat worker.log')], { step: 1 });
    const id = findMarkers(first.get('c1')!.text)[0]!.id;
    assert.match(id, /^\d{15}$/);
    const unfoldCall: SessionOutput = { id: 'u1', tool: 'unfold', input: { id }, text: 'line\nline\n', step: 2 };
    await session.prepare([output('c1', 1, log, 'cat worker.log'), unfoldCall], { step: 2 });
    const stats = await loadStats(store, 'test');
    const counted = Object.values(stats).find((entry) => entry.unfolds > 0);
    assert.deepEqual(counted && [counted.unfolds, counted.returnedChars], [1, 10]);
  });

  it('passes an output through when the store fails, never a marker without its fold', async () => {
    const store = new Keyv();
    const environment = { store, namespace: 'test', minTokens: 50, onError: () => {} };
    const session = createSession({}, createToolOutputCompressor(environment), environment);
    store.set = async () => {
      throw new Error('store down');
    };
    const text = view(60);
    const sent = await session.prepare([output('c1', 1, text, 'cat a.py'), output('c2', 2, text, 'cat a.py')], { step: 3 });
    assert.equal(sent.get('c2')?.how === 'duplicate', false);
    for (const prepared of sent.values()) assert.deepEqual(findMarkers(prepared.text), []);
  });
});
