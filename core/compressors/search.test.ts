import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compress, estimateTokens, findMarkers, unfold, type CompressResult } from 'tokenfold';
import { compressSearch } from './search.ts';

// Hostile inputs must end; how fast such inputs go is measured in bench/reliability.ts (hostile
// inputs, 100 MB inputs), never asserted here.
const HANG_GUARD = { timeout: 60_000 };

const repeat = (count: number, line: (i: number) => string) => Array.from({ length: count }, (_, i) => line(i)).join('\n');

// The shown lines and the unfolded originals together: every input line, each exactly once.
async function assertLossless(input: string, result: CompressResult): Promise<void> {
  const lines: string[] = [];
  let last = 0;
  for (const marker of findMarkers(result.text)) {
    lines.push(...result.text.slice(last, marker.index).split('\n').filter((line) => line !== ''));
    const original = await unfold(marker.id);
    assert.equal(original.status, 'ok');
    if (original.status === 'ok') lines.push(...original.text.split('\n').filter((line) => line !== ''));
    last = marker.index + marker.length;
  }
  lines.push(...result.text.slice(last).split('\n').filter((line) => line !== ''));
  const expected = input.split('\n').filter((line) => line !== '');
  assert.deepEqual([...lines].sort(), [...expected].sort());
}

async function compressSearchOutput(text: string, query: string, budget: number): Promise<CompressResult> {
  const result = await compress(text, { kind: 'search', query, budget, minTokens: 0 });
  assert.equal(result.passThrough, undefined, 'expected the output to compress');
  await assertLossless(text, result);
  return result;
}

const grep = [
  repeat(40, (i) => `src/server/routes.ts:${i * 3 + 10}:  router.get('/api/v${i}', handler${i});`),
  repeat(25, (i) => `src/auth/session.ts:${i * 7 + 4}:  const token = await refreshToken(session${i});`),
  repeat(30, (i) => `test/fixtures/data${i}.json:1:{"handler": "fixture ${i}", "value": ${i}}`),
  'src/auth/refresh.ts:88:export async function refreshToken(session: Session): Promise<string> {',
  repeat(20, (i) => `docs/guide.md:${i * 11 + 2}:The handler in step ${i} calls the router.`),
].join('\n');

describe('compressSearch', () => {
  it('puts files that match the query first and keeps their matching lines verbatim', async () => {
    const result = await compressSearchOutput(grep, 'why does refreshToken fail in auth session', 400);
    const visible = result.text.split('\n').filter((line) => !line.startsWith('[[fold '));
    const firstOther = visible.findIndex((line) => !line.startsWith('src/auth/'));
    const lastAuth = visible.findLastIndex((line) => line.startsWith('src/auth/'));
    assert.ok(firstOther > lastAuth, 'the files under src/auth come first');
    assert.ok(visible.includes('src/auth/refresh.ts:88:export async function refreshToken(session: Session): Promise<string> {'));
    assert.ok(visible.includes('src/auth/session.ts:4:  const token = await refreshToken(session0);'));
    // Files that got room are named; the rest are in the fold's originals (checked above).
    for (const file of ['src/server/routes.ts', 'src/auth/session.ts', 'src/auth/refresh.ts']) {
      assert.ok(result.text.includes(file), `${file} is named`);
    }
    assert.ok(result.tokensAfter < result.tokensBefore / 3, `${result.tokensBefore} -> ${result.tokensAfter}`);
  });

  it('folds the rest of each file with a per-file count and keeps the original order without a query', async () => {
    const result = await compressSearchOutput(grep, '', 600);
    const visible = result.text.split('\n');
    assert.ok(visible[0]!.startsWith('src/server/routes.ts:10:'));
    const summaries = result.folds.map((fold) => fold.summary ?? '');
    const routes = summaries.find((summary) => summary.startsWith('src/server/routes.ts: '));
    assert.ok(routes, JSON.stringify(summaries));
    const shown = visible.filter((line) => line.startsWith('src/server/routes.ts:')).length;
    assert.equal(routes, `src/server/routes.ts: ${40 - shown} more matches`);
  });

  it('spends more lines per file when the budget allows', async () => {
    const small = await compressSearchOutput(grep, '', 300);
    const large = await compressSearchOutput(grep, '', 1500);
    const count = (result: CompressResult) => result.text.split('\n').filter((line) => /^\S+:\d+:/.test(line)).length;
    assert.ok(count(large) > count(small), `${count(small)} < ${count(large)}`);
    assert.ok(large.tokensAfter <= 1500 * 1.2);
  });

  it('keeps context lines and separators with their file', async () => {
    const context = repeat(30, (i) =>
      [`lib/my-parser.v2.js-${i * 10 + 1}-  // before`, `lib/my-parser.v2.js:${i * 10 + 2}:  parse(input${i});`, `lib/my-parser.v2.js-${i * 10 + 3}-  // after`, '--'].join('\n'),
    );
    const other = repeat(30, (i) => `lib/other.js:${i + 1}:  parse(x${i});`);
    const result = await compressSearchOutput(`${context}\n${other}\n`, 'parse', 300);
    const summaries = result.folds.map((fold) => fold.summary ?? '');
    assert.ok(summaries.some((summary) => summary.startsWith('lib/my-parser.v2.js: ')), JSON.stringify(summaries));
    assert.ok(!summaries.some((summary) => summary.startsWith('lib/my-parser: ')), 'dashes in the path do not cut it');
  });

  it('handles ripgrep heading mode, keeping each shown file under its heading', async () => {
    const heading = [
      ...Array.from({ length: 12 }, (_, file) => [`src/module${file}/index.ts`, repeat(15, (i) => `${i * 4 + 1}:export const value${i} = compute(${i});`), ''].join('\n')),
    ].join('\n');
    const result = await compressSearchOutput(heading, '', 400);
    const visible = result.text.split('\n');
    const firstShown = visible.findIndex((line) => /^\d+:/.test(line));
    assert.match(visible[firstShown - 1]!, /^src\/module\d+\/index\.ts$/);
    assert.ok(result.folds.some((fold) => /^src\/module\d+\/index\.ts: \d+ more matches$/.test(fold.summary ?? '')));
  });

  it("reads SWE-agent's search_dir output: keeps the header and trailer, ranks files, folds the rest with their count", async () => {
    const lines = [
      'Found 214 matches for "TimeDelta" in /marshmallow-code__marshmallow:',
      ...Array.from({ length: 60 }, (_, i) => `/marshmallow-code__marshmallow/tests/test_mod${i}.py (${(i % 5) + 1} matches)`),
      '/marshmallow-code__marshmallow/src/marshmallow/fields.py (12 matches)',
      'End of matches for "TimeDelta" in /marshmallow-code__marshmallow',
      '(Open file: n/a)',
      '(Current directory: /marshmallow-code__marshmallow)',
      'bash-$',
    ];
    const text = lines.join('\n');
    const result = await compress(text, { query: 'TimeDelta serialization in fields.py rounds down', budget: 200 });
    assert.equal(result.kind, 'search');
    await assertLossless(text, result);
    const visible = result.text.split('\n');
    assert.equal(visible[0], lines[0]);
    assert.equal(visible[1], '/marshmallow-code__marshmallow/src/marshmallow/fields.py (12 matches)');
    assert.ok(visible.includes('End of matches for "TimeDelta" in /marshmallow-code__marshmallow'));
    const rest = result.folds.find((fold) => /^\d+ files, \d+ matches: /.test(fold.summary ?? ''));
    assert.ok(rest, JSON.stringify(result.folds));
    const hidden = lines.slice(1, 62).filter((line) => !visible.includes(line));
    const hiddenMatches = hidden.reduce((sum, line) => sum + Number(/\((\d+) matches\)/.exec(line)![1]), 0);
    assert.ok(rest.summary!.startsWith(`${hidden.length} files, ${hiddenMatches} matches: `), rest.summary);
  });

  it("reads SWE-agent's search_file output as lines of the one file it names", async () => {
    const file = '/repo/src/marshmallow/fields.py';
    const text = [
      `Found 40 matches for "precision" in ${file}:`,
      ...Array.from({ length: 40 }, (_, i) => `Line ${100 + i * 37}:        self.precision = precision  # value ${i}`),
      `End of matches for "precision" in ${file}`,
    ].join('\n');
    const result = await compressSearchOutput(text, '', 200);
    assert.ok(result.text.includes('Line 100:        self.precision = precision  # value 0'));
    assert.ok(result.folds.some((fold) => fold.summary?.startsWith(`${file}: `)));
  });

  it('never shows a minified line that matched; it stays one unfold away', async () => {
    const minified = `dist/app.min.js:1:${'var a=function(){return handler()};'.repeat(400)}`;
    const text = `${minified}\n${repeat(10, (i) => `src/app.ts:${i + 1}:handler(${i});`)}`;
    const result = await compressSearchOutput(text, 'handler', 500);
    assert.ok(!result.text.includes('var a=function'));
    assert.ok(result.text.includes('src/app.ts:1:handler(0);'));
  });

  it('passes through when everything fits the budget', () => {
    const context = { query: '', budget: 100_000, countTokens: estimateTokens, estimateTokens };
    assert.equal(compressSearch(grep, context), undefined);
  });

  it('gives the same pieces for the same input', () => {
    const context = { query: 'refresh token', budget: 300, countTokens: estimateTokens, estimateTokens };
    assert.deepEqual(compressSearch(grep, context), compressSearch(grep, context));
  });

  it('survives adversarial input', HANG_GUARD, () => {
    const context = { query: 'a b c', budget: 500, countTokens: estimateTokens, estimateTokens };
    const inputs = [
      'x'.repeat(5_000_000),
      `a.ts:1:${'x'.repeat(5_000_000)}`,
      `${'/'.repeat(2_000_000)}:1:x`,
      repeat(100_000, (i) => `${'-1'.repeat(100)}:${i}:`),
      repeat(100_000, () => `Found 1 matches for "${'" in '.repeat(50)}`),
      repeat(200_000, (i) => (i % 3 === 0 ? '--' : `a-${i}-b.ts-${i}-x`)),
    ];
    for (const input of inputs) {
      compressSearch(input, context);
    }
  });
});
