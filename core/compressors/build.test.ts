import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compress, estimateTokens, type CompressResult } from 'tokenfold';
import { compressBuild } from './build.ts';
import { restore } from './test-support/restore.ts';

// Hostile inputs must end; how fast such inputs go is measured in bench/reliability.ts (hostile
// inputs, 100 MB inputs), never asserted here.
const HANG_GUARD = { timeout: 60_000 };

// These outputs are small, and small outputs are read whole unless a budget is given: each test
// gives one, generous unless it says otherwise, so what folds is the noise.
async function compressBuildOutput(text: string, budget = 2000): Promise<CompressResult> {
  const result = await compress(text, { kind: 'build', minTokens: 0, budget });
  assert.equal(result.passThrough, undefined, 'expected the output to compress');
  assert.equal(await restore(result.text), text, 'folds must restore the input byte for byte');
  return result;
}

function visibleLines(result: CompressResult): string[] {
  return result.text.split('\n');
}

function assertVisible(result: CompressResult, lines: string[]): void {
  const visible = new Set(visibleLines(result));
  for (const line of lines) assert.ok(visible.has(line), `expected to stay in view: ${JSON.stringify(line)}`);
}

const repeat = (count: number, line: (i: number) => string) => Array.from({ length: count }, (_, i) => line(i)).join('\n');

const jest = `${repeat(40, (i) => ` PASS  src/module${i}/module${i}.test.ts`)}
 FAIL  src/math/divide.test.ts
  divide
${repeat(30, (i) => `    ✓ divides case ${i} (${i % 4} ms)`)}
    ✕ throws on division by zero (3 ms)

  ● divide › throws on division by zero

    expect(received).toThrow()

    Received function did not throw

      10 |   it('throws on division by zero', () => {
    > 11 |     expect(() => divide(1, 0)).toThrow();
         |                                ^
      12 |   });

      at Object.<anonymous> (src/math/divide.test.ts:11:32)

Test Suites: 1 failed, 40 passed, 41 total
Tests:       1 failed, 30 passed, 31 total
Snapshots:   0 total
Time:        4.211 s
Ran all test suites.
`;

const vitest = `
 RUN  v1.6.0 /home/dev/app

${repeat(25, (i) => ` ✓ src/feature${i}.test.ts  (${i + 3} tests) ${i * 7 + 12}ms`)}
 ❯ src/parser.test.ts  (4 tests | 1 failed) 18ms
   × parses nested arrays
     → expected [ 1, [ 2 ] ] to deeply equal [ 1, [ 2, 3 ] ]

⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯

 FAIL  src/parser.test.ts > parses nested arrays
AssertionError: expected [ 1, [ 2 ] ] to deeply equal [ 1, [ 2, 3 ] ]
 ❯ src/parser.test.ts:14:22

 Test Files  1 failed | 25 passed (26)
      Tests  1 failed | 402 passed (403)
   Duration  2.31s
`;

const tap = `TAP version 13
${repeat(20, (i) => `# Subtest: adds pair ${i}
ok ${i + 1} - adds pair ${i}
  ---
  duration_ms: 0.${i}41
  ...`)}
# Subtest: rejects negative input
not ok 21 - rejects negative input
  ---
  duration_ms: 1.02
  location: '/home/dev/app/test/add.test.js:42:3'
  failureType: 'testCodeFailure'
  error: |-
    Expected values to be strictly equal:

    -1 !== 0
  code: 'ERR_ASSERTION'
  stack: |-
    TestContext.<anonymous> (file:///home/dev/app/test/add.test.js:44:12)
  ...
1..21
# tests 21
# pass 20
# fail 1
`;

const goTest = `${repeat(25, (i) => `=== RUN   TestParse${i}
--- PASS: TestParse${i} (0.00s)`)}
=== RUN   TestDecode
    decode_test.go:48: decode("x"): got error invalid character 'x', want nil
--- FAIL: TestDecode (0.01s)
FAIL
FAIL	github.com/acme/codec	0.214s
${repeat(12, (i) => `ok  	github.com/acme/pkg${i}	0.0${i}s`)}
?   	github.com/acme/cmd/tool	[no test files]
FAIL
`;

const cargo = `${repeat(30, (i) => `   Compiling crate-${i} v0.${i}.3`)}
   Compiling app v0.1.0 (/home/dev/app)
error[E0308]: mismatched types
  --> src/main.rs:4:18
   |
4  |     let x: i32 = "five";
   |            ---   ^^^^^^ expected \`i32\`, found \`&str\`
   |            |
   |            expected due to this

For more information about this error, try \`rustc --explain E0308\`.
error: could not compile \`app\` (bin "app") due to 1 previous error
`;

const npm = `${repeat(15, (i) => `npm warn deprecated old-lib-${i}@1.0.${i}: This package is no longer supported. Please use new-lib instead.`)}
npm error code ERESOLVE
npm error ERESOLVE unable to resolve dependency tree
npm error Found: react@18.2.0
npm error Could not resolve dependency: peer react@"^17.0.0" from legacy-widget@2.1.0
npm error A complete log of this run can be found in: /home/dev/.npm/_logs/2024-05-01T10_00_00_000Z-debug-0.log
`;

describe('compressBuild', () => {
  it('keeps jest failures, code frames, stack frames and totals, and folds passing tests with their count', async () => {
    const result = await compressBuildOutput(jest);
    assertVisible(result, [
      ' FAIL  src/math/divide.test.ts',
      '    ✕ throws on division by zero (3 ms)',
      '  ● divide › throws on division by zero',
      '    > 11 |     expect(() => divide(1, 0)).toThrow();',
      '      at Object.<anonymous> (src/math/divide.test.ts:11:32)',
      'Tests:       1 failed, 30 passed, 31 total',
      'Test Suites: 1 failed, 40 passed, 41 total',
    ]);
    const summaries = result.folds.map((fold) => fold.summary);
    assert.ok(summaries.includes('40 passing files'), JSON.stringify(summaries));
    assert.ok(summaries.includes('30 passing'), JSON.stringify(summaries));
    assert.ok(!result.text.includes('✓'));
  });

  it('folds passing vitest files and keeps the failing file, its error and location', async () => {
    const result = await compressBuildOutput(vitest);
    assertVisible(result, [
      ' ❯ src/parser.test.ts  (4 tests | 1 failed) 18ms',
      '   × parses nested arrays',
      'AssertionError: expected [ 1, [ 2 ] ] to deeply equal [ 1, [ 2, 3 ] ]',
      ' ❯ src/parser.test.ts:14:22',
      '      Tests  1 failed | 402 passed (403)',
    ]);
    assert.deepEqual(
      result.folds.map((fold) => fold.summary),
      ['25 passing files'],
    );
  });

  it('folds passing TAP results with their YAML blocks and keeps the failing one whole', async () => {
    const result = await compressBuildOutput(tap);
    assertVisible(result, [
      'not ok 21 - rejects negative input',
      "  location: '/home/dev/app/test/add.test.js:42:3'",
      '    -1 !== 0',
      '    TestContext.<anonymous> (file:///home/dev/app/test/add.test.js:44:12)',
      '# fail 1',
    ]);
    assert.equal(result.folds[0]?.summary, '20 passing');
    assert.ok(!result.text.includes('duration_ms: 0.'));
  });

  it('folds passing Python unittest results as a count and keeps the failure whole', async () => {
    // The layout of `python3 -m unittest -v` (Python 3.11), as run on the team's machine.
    const passing = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `test_${from + i} (__main__.T.test_${from + i}) ... ok`);
    const failure = [
      '',
      '======================================================================',
      'FAIL: test_17 (__main__.T.test_17)',
      '----------------------------------------------------------------------',
      'Traceback (most recent call last):',
      '  File "/tmp/ut/test_many.py", line 39, in test_17',
      "    self.assertEqual(data['values'], [0, 1, 2, 3, 17])",
      'AssertionError: Lists differ: [0, 1, 2, 3, 4] != [0, 1, 2, 3, 17]',
      '',
      '----------------------------------------------------------------------',
      'Ran 80 tests in 0.004s',
      '',
      'FAILED (failures=1)',
    ];
    const text = [...passing(0, 17), 'test_17 (__main__.T.test_17) ... FAIL', ...passing(18, 80), ...failure].join('\n');
    const result = await compressBuildOutput(text, 400);
    assertVisible(result, ['test_17 (__main__.T.test_17) ... FAIL', ...failure.filter((line) => line.trim())]);
    const summaries = result.folds.map((fold) => fold.summary ?? '');
    assert.ok(summaries.some((summary) => /^\d+ passing$/.test(summary)), JSON.stringify(summaries));
  });

  it('keeps go test failures with file:line and folds runs, passes and passing packages', async () => {
    const result = await compressBuildOutput(goTest);
    assertVisible(result, [
      `    decode_test.go:48: decode("x"): got error invalid character 'x', want nil`,
      '--- FAIL: TestDecode (0.01s)',
      'FAIL\tgithub.com/acme/codec\t0.214s',
    ]);
    const summaries = result.folds.map((fold) => fold.summary);
    assert.ok(summaries.includes('25 passing'), JSON.stringify(summaries));
    // The last two lines stay whatever they are: runners print their verdict there.
    assert.ok(summaries.includes('12 packages ok'), JSON.stringify(summaries));
    assertVisible(result, ['?   \tgithub.com/acme/cmd/tool\t[no test files]', 'FAIL']);
  });

  it('folds cargo compile progress and keeps the compiler error with its location', async () => {
    const result = await compressBuildOutput(cargo);
    assertVisible(result, [
      'error[E0308]: mismatched types',
      '  --> src/main.rs:4:18',
      '   |            ---   ^^^^^^ expected `i32`, found `&str`',
      'error: could not compile `app` (bin "app") due to 1 previous error',
    ]);
    assert.equal(result.folds[0]?.summary, '31 compiled');
  });

  it('folds npm deprecation warnings and keeps every npm error', async () => {
    const result = await compressBuildOutput(npm);
    for (const line of npm.split('\n').filter((line) => line.startsWith('npm error'))) assertVisible(result, [line]);
    assert.equal(result.folds[0]?.summary, '15 deprecation warnings');
  });

  it('counts pytest progress dots as passing tests and keeps lines with failures', async () => {
    const dots = (count: number) => '.'.repeat(count).padEnd(72);
    const pytest = `============================= test session starts ==============================
platform linux -- Python 3.11.7, pytest-8.1.1, pluggy-1.4.0
rootdir: /repo
collected 578 items

tests/test_fields.py ${dots(50)}[ 17%]
${dots(72)}[ 22%]
${dots(72)}[ 27%]
${dots(72)}[ 32%]
${dots(72)}[ 37%]
${dots(72)}[ 42%]
${dots(72)}[ 67%]
tests/test_schema.py ........F.....                                      [ 72%]
${dots(80 - 0)}[100%]

=================================== FAILURES ===================================
_____________________________ test_timedelta_round _____________________________

    def test_timedelta_round():
>       assert field.serialize("d", obj) == 345
E       assert 344 == 345

tests/test_schema.py:211: AssertionError
=========================== short test summary info ============================
FAILED tests/test_schema.py::test_timedelta_round - assert 344 == 345
======================== 1 failed, 576 passed in 1.52s =========================
`;
    const result = await compressBuildOutput(pytest);
    assertVisible(result, [
      'tests/test_schema.py ........F.....                                      [ 72%]',
      'E       assert 344 == 345',
      'tests/test_schema.py:211: AssertionError',
      'FAILED tests/test_schema.py::test_timedelta_round - assert 344 == 345',
      '======================== 1 failed, 576 passed in 1.52s =========================',
    ]);
    assert.equal(result.folds[0]?.summary, `${50 + 6 * 72} passing`);
  });

  it('keeps tsc and eslint errors verbatim, and folds eslint warnings only when over the budget', async () => {
    const eslint = `/home/dev/app/src/render.js
${repeat(60, (i) => `  ${i + 1}:5  warning  Unexpected console statement  no-console`)}
  88:11  error  'widget' is not defined  no-undef

/home/dev/app/src/layout.js
  3:1  error  Parsing error: Unexpected token )

✖ 62 problems (2 errors, 60 warnings)
`;
    const roomy = compressBuild(eslint, { query: '', budget: 100_000, countTokens: estimateTokens, estimateTokens });
    assert.equal(roomy, undefined, 'warnings are not noise: within the budget they all stay');

    const result = await compressBuildOutput(eslint, 150);
    assertVisible(result, [
      '/home/dev/app/src/render.js',
      "  88:11  error  'widget' is not defined  no-undef",
      '/home/dev/app/src/layout.js',
      '  3:1  error  Parsing error: Unexpected token )',
      '✖ 62 problems (2 errors, 60 warnings)',
    ]);
    // Within 150 tokens some warnings near the error stay; the rest fold under their count.
    const warningFolds = result.folds.filter((fold) => /^\d+ warnings$/.test(fold.summary ?? ''));
    assert.equal(warningFolds.length, 1, JSON.stringify(result.folds));
    const shown = visibleLines(result).filter((line) => line.includes('warning  Unexpected console')).length;
    assert.equal(Number.parseInt(warningFolds[0]!.summary!, 10) + shown, 60);

    const tsc = `${repeat(30, (i) => `src/components/widget${i}.tsx(${i + 3},7): error TS2322: Type 'string' is not assignable to type 'number'.`)}
Found 30 errors in 30 files.
`;
    const kept = compressBuild(tsc, { query: '', budget: 10, countTokens: estimateTokens, estimateTokens });
    assert.equal(kept, undefined, 'errors never fold, whatever the budget');
  });

  it('reads a real pip install from a SWE-agent trajectory down to its outcome', async () => {
    const folder = '../shared/corpora/agent/swe-agent';
    const observations = readdirSync(folder)
      .filter((name) => name.endsWith('.traj'))
      .flatMap((name) => JSON.parse(readFileSync(`${folder}/${name}`, 'utf8')).trajectory ?? [])
      .filter((step: { action?: string }) => String(step.action).startsWith('pip install'))
      .map((step: { observation: string }) => step.observation);
    assert.ok(observations.length > 0);
    for (const observation of observations) {
      const result = await compress(observation, { query: 'TimeDelta serialization precision' });
      assert.equal(result.kind, 'build');
      assert.equal(await restore(result.text), observation);
      assert.ok(result.tokensAfter < result.tokensBefore / 5, `${result.tokensBefore} -> ${result.tokensAfter}`);
      assert.match(result.text, /^Successfully installed marshmallow-3\.13\.0/m);
      assert.match(result.text, /^WARNING: Running pip as the 'root' user/m);
      assert.ok(result.folds.some((fold) => /\d+ already satisfied/.test(fold.summary ?? '')));
    }
  });

  it('gives the same pieces for the same input', () => {
    const context = { query: '', budget: 300, countTokens: estimateTokens, estimateTokens };
    assert.deepEqual(compressBuild(jest + goTest, context), compressBuild(jest + goTest, context));
  });

  it('survives adversarial input', HANG_GUARD, () => {
    const context = { query: '', budget: 1000, countTokens: estimateTokens, estimateTokens };
    const inputs = [
      'x'.repeat(5_000_000),
      `${'='.repeat(5_000_000)} x`,
      repeat(20_000, () => `${'='.repeat(250)}x`),
      repeat(20_000, () => `${'-'.repeat(120)}1 ${'#'.repeat(100)}`),
      repeat(20_000, () => `thread '${"'".repeat(200)}`),
      repeat(50_000, (i) => (i % 2 ? '✓ ok' : '')),
      '\r'.repeat(1_000_000),
    ];
    for (const input of inputs) {
      compressBuild(input, context);
    }
  });
});
