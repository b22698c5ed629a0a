import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { findEvidence, isEvidence } from './evidence.ts';

// The lines of `text` that `findEvidence` keeps, in order.
function kept(text: string, options?: Parameters<typeof findEvidence>[1]): string[] {
  const lines = text.split('\n');
  const { keep } = findEvidence(lines, options);
  return lines.filter((_, index) => keep[index]);
}

const fixture = (name: string) => readFileSync(new URL(`../test/fixtures/failures/${name}`, import.meta.url), 'utf8');

describe('isEvidence', () => {
  const failures = [
    'src/parse.c:12:5: error: expected ‘;’ before ‘}’ token',
    "src/a.ts(3,5): error TS2322: Type 'string' is not assignable to type 'number'.",
    'The command "npm test" exited with 1.',
    '##[error]Process completed with exit code 2.',
    'make: *** [Makefile:12: all] Error 2',
    'BUILD FAILURE',
    'Tests run: 12, Failures: 1, Errors: 0, Skipped: 0',
    '======================== 1 failed, 288 passed in 1.52s =========================',
    "TypeError: Cannot read properties of undefined (reading 'id')",
    'org.junit.ComparisonFailure: expected:<[a]> but was:<[b]>',
    'E       assert 344 == 345',
    '    > 17 |     expect(cart.total()).toBe(8500);',
    'expect(received).toBe(expected) // Object.is equality',
    "./deploy.sh: line 19: API_URL: unbound variable: No such file or directory",
    'rake aborted!',
    'Could not find artifact clojure-complete:clojure-complete:jar:0.2.4 in central',
    'Invalid read of size 8',
  ];
  for (const line of failures) {
    it(`finds a failure in ${JSON.stringify(line.slice(0, 50))}`, () => assert.ok(isEvidence(line), line));
  }

  const passing = [
    'Tests run: 12, Failures: 0, Errors: 0, Skipped: 0',
    'gcc -O2 -Wall -Werror -c src/error.c -o build/error.o',
    'npm run test -- --fail-fast',
    '   Compiling error-chain v0.12.4',
    'Found 0 errors. Watching for file changes.',
    'Downloading https://registry.npmjs.org/error-ex/-/error-ex-1.3.2.tgz',
    '  ✓ throws an error on bad input (3 ms)',
  ];
  for (const line of passing) {
    it(`reads no failure in ${JSON.stringify(line.slice(0, 50))}`, () => assert.ok(!isEvidence(line), line));
  }

  it('in prose, takes only the structural signs, not the words', () => {
    assert.ok(!isEvidence('The error rate fell after the failed merger was called off.', false));
    assert.ok(isEvidence('Traceback (most recent call last):', false));
    assert.ok(isEvidence('ValueError: invalid literal for int() with base 10', false));
  });
});

describe('findEvidence', () => {
  it('keeps a stack trace under an error: its first frames and the project’s own, not every dependency frame', () => {
    const frames = Array.from({ length: 30 }, (_, index) => `    at dep${index} (node_modules/lib/index.js:${index + 1}:1)`);
    const text = [
      'Running tests',
      "TypeError: Cannot read properties of undefined (reading 'id')",
      ...frames.slice(0, 10),
      '    at handler (src/routes/orders.js:42:17)',
      ...frames.slice(10),
      'done',
    ].join('\n');
    const lines = kept(text);
    assert.ok(lines.includes("TypeError: Cannot read properties of undefined (reading 'id')"));
    assert.ok(lines.includes('    at handler (src/routes/orders.js:42:17)'), 'the project’s own frame');
    assert.ok(lines.includes(frames[0]!) && lines.includes(frames[5]!), 'the first frames');
    assert.ok(!lines.includes(frames[20]!), 'not every dependency frame');
  });

  it('keeps the lines that belong to an error: gcc’s source line and caret, an expected/actual diff across a blank line', () => {
    const gcc = 'vis.h:21:29: error: unknown type name ‘fd_set’\n int vis_process_before_tick(fd_set *);\n                             ^~~~~~\nCC main.o';
    assert.deepEqual(kept(gcc, { tail: false }), gcc.split('\n').slice(0, 3));
    const vitest = 'AssertionError: expected dates to be equal\n- Expected\n+ Received\n\n- 2026-01-05T10:15:00.000Z\n+ 2026-02-01T00:00:00.000Z\n\n ❯ test/dates.test.ts:14:22';
    const lines = kept(vitest, { tail: false });
    assert.ok(lines.includes('- 2026-01-05T10:15:00.000Z') && lines.includes('+ 2026-02-01T00:00:00.000Z'));
  });

  it('keeps a failing TAP result’s YAML block, and not the passing tests under a FAIL heading', () => {
    const tap = "not ok 3 - parses quoted fields\n  ---\n  location: '/app/test/parse.test.js:16:3'\n  error: |-\n    +     'age': '36\\r',\n    -     age: '36',\n  ...\nok 4 - parses empty";
    assert.ok(kept(tap, { tail: false }).includes("  location: '/app/test/parse.test.js:16:3'"));
    const jest = ' FAIL  src/math/divide.test.ts\n  divide\n    ✓ divides case 0 (1 ms)\n    ✓ divides case 1 (1 ms)\n    ✕ throws on division by zero (3 ms)\nend';
    assert.ok(!kept(jest, { tail: false }).some((line) => line.includes('✓')));
  });

  it('keeps the file heading of eslint’s file-less diagnostics', () => {
    const eslint = '/app/src/render.js\n  88:11  error  \'widget\' is not defined  no-undef\n\n/app/src/ok.js\n  3:1  warning  Unexpected console statement  no-console';
    assert.ok(kept(eslint, { tail: false }).includes('/app/src/render.js'));
  });

  it('groups a dependency’s repeated errors by package, code and shape: examples stay, the rest carry a label', () => {
    const lines = fixture('tsc-node-modules-sources.txt').split('\n');
    const { keep, repeatLabel } = findEvidence(lines);
    const own = lines.filter((line, index) => line.startsWith('src/') && keep[index]);
    assert.equal(own.length, lines.filter((line) => line.startsWith('src/')).length, 'every error of the project’s own files stays');
    const labels = new Set(repeatLabel.values());
    assert.ok([...labels].some((label) => /^more TS\d+ lines like these in node_modules\/@acme\/api-client$/.test(label)), [...labels].join('; '));
    assert.ok(repeatLabel.size > 200, `${repeatLabel.size} repeats may fold`);
  });

  it('keeps the last lines, where runners print their verdict', () => {
    const lines = kept('step 1\nstep 2\nstep 3\nall done somehow\n\n', { tail: true });
    assert.deepEqual(lines, ['step 3', 'all done somehow']);
  });

  it('reads through CI framing: colours, GitHub Actions timestamps, valgrind’s process id', () => {
    const lines = kept(
      '2026-12-02T21:03:36.7650210Z \u001b[31merror\u001b[0m: linking failed\n==28108== Invalid read of size 8\nplain line',
      { tail: false },
    );
    assert.equal(lines.length, 2);
  });
});
