import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { detect } from 'tokenfold';

// Hostile inputs must end; how fast such inputs go is measured in bench/reliability.ts (hostile
// inputs, 100 MB inputs), never asserted here.
const HANG_GUARD = { timeout: 60_000 };

const cases: Array<[string, string]> = [
  ['json', '{"items": [{"id": 1}, {"id": 2}]}'],
  ['json', '[1, 2, 3]'],
  ['ndjson', '{"a": 1}\n{"a": 2}\n{"a": 3}\n'],
  ['diff', 'diff --git a/x.ts b/x.ts\n--- a/x.ts\n+++ b/x.ts\n@@ -1,2 +1,2 @@\n-old\n+new\n'],
  ['html', '<!DOCTYPE html><html><body><p>hi</p></body></html>'],
  ['build', 'src/a.ts(3,5): error TS2322: Type mismatch.\nsrc/b.ts(9,1): error TS2304: Cannot find name.\nFound 2 errors.'],
  ['build', '=== RUN   TestA\n--- FAIL: TestA (0.00s)\nFAIL\tpkg/a\t0.01s\n'],
  ['search', 'src/a.ts:12:const a = 1;\nsrc/b.ts:40:const b = a;\nlib/c.js:7:  a();\n'],
  ['search', 'src/a.ts\n12:const a = 1;\n40:export { a };\n\nlib/c.js\n7:  a();\n'],
  ['search', 'Found 2 matches for "division" in /repo:\n/repo/tests/a.py (1 matches)\n/repo/b.py (1 matches)\nEnd of matches for "division" in /repo\n'],
  ['search', 'Found 3 matches for "numpy_handler.py" in /repo:\n/repo/overlays/numpy_handler.py\n/repo/pixel/numpy_handler.py\n/repo/waveforms/numpy_handler.py\n'],
  ['build', 'Collecting requests\n  Downloading requests-2.31.0-py3-none-any.whl (62 kB)\nRequirement already satisfied: idna in ./venv/lib (3.6)\nSuccessfully installed requests-2.31.0\n'],
  ['build', '▶ math\n  ✔ adds (0.51ms)\n  ✖ divides (1.2ms)\nℹ tests 2\nℹ pass 1\nℹ fail 1\n'],
  ['build', 'tests/test_a.py ....F....                                [ 45%]\ntests/test_b.py .........                                [100%]\n'],
  ['build', '  Parser\n    ✓ parses tokens\n    1) rejects bad input\n\n  1 passing (4ms)\n  1 failing\n'],
  ['log', '2024-01-01 10:00:00 INFO start\n2024-01-01 10:00:01 WARN slow\n2024-01-01 10:00:02 ERROR boom\n'],
  ['log', '[10.30 16:49:06] chrome.exe - open\n[10.30 16:49:07] chrome.exe - close\n[10.30 16:49:08] chrome.exe - open\n'],
  ['code', 'import x from "y";\n\nexport function f(a) {\n  return a + 1;\n}\n'],
  ['text', 'The quick brown fox jumps over the lazy dog.\n\nIt was not amused.'],
];

describe('detect', () => {
  for (const [kind, text] of cases) {
    it(`calls ${JSON.stringify(text.slice(0, 30))}… ${kind}`, () => {
      const detection = detect(text);
      assert.equal(detection.kind, kind, detection.why);
      assert.ok(detection.why.length > 0);
    });
  }

  it('reads long lines without a path', HANG_GUARD, () => {
    for (const line of ['/'.repeat(60_000), 'a/'.repeat(30_000), `Found 1 matches for "${'" in '.repeat(10_000)}`]) {
      detect(`${line}\n${line}\n`);
    }
  });

  it('routes a 20 MB single line, to the safe default', HANG_GUARD, () => {
    const huge = 'x'.repeat(20 * 1024 * 1024);
    assert.equal(detect(huge).kind, 'build');
  });
});

describe('detect on real outputs made here (test/fixtures)', () => {
  const read = (path: string) => readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url), 'utf8');
  const cases: Array<[string, string]> = [
    ['outputs/dmesg.txt', 'log'], // `[    0.000000] Linux version …` is not an array of one number
    ['outputs/ps-aux.txt', 'table'],
    ['outputs/npm-view-typescript.json', 'json'],
    ['failures/jest-ci-checkout-github.txt', 'build'], // GitHub Actions framing around git, npm and jest
    ['failures/vitest-jenkins-timestamps.txt', 'build'],
    ['failures/mvn-test-failures.txt', 'build'], // Maven's `[INFO]` is a build tool's level, not a log's
    ['failures/make-gcc-syntax-error.txt', 'build'], // gcc diagnostics look like grep hits, but are not
  ];
  for (const [path, kind] of cases) {
    it(`calls ${path} ${kind}`, () => {
      const detection = detect(read(path));
      assert.equal(detection.kind, kind, detection.why);
    });
  }

  it('reads a large output from its head, middle and tail, not only its first lines', () => {
    const setUp = Array.from({ length: 3000 }, (_, index) => `The installer copies file number ${index} of the bundle into place for you.`).join('\n');
    const tests = Array.from({ length: 3000 }, (_, index) => `--- FAIL: TestCase${index} (0.00s)`).join('\n');
    assert.equal(detect(`${setUp}\n${tests}`).kind, 'build');
  });
});

describe('detect with a file name', () => {
  it('trusts a known extension over the content', () => {
    assert.equal(detect('just a few words', 'src/app.py').kind, 'code');
    assert.equal(detect('x = 1\n', 'notes.md').kind, 'text');
    assert.equal(detect('[1, 2]', 'data.jsonl').kind, 'ndjson');
    assert.equal(detect('x = 1\n', 'src/app.py').byFileName, true);
    assert.equal(detect('x = 1\n').byFileName, undefined);
  });

  it('reads .log and .txt files by their content: a saved build is no application log', () => {
    const build = ['$ npm test', '> tsc -p .', "src/app.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.", 'Found 1 error.'].join('\n');
    assert.equal(detect(build, 'ci-run.log').kind, 'build');
    assert.equal(detect(build, 'output.txt').kind, 'build');
    const log = Array.from({ length: 20 }, (_, i) => `2026-12-02 10:00:${String(i).padStart(2, '0')} INFO worker ${i} started`).join('\n');
    assert.equal(detect(log, 'server.log').kind, 'log');
  });

  it('falls back to the content for unknown or missing extensions', () => {
    assert.equal(detect('{"a": 1}', 'response.bin').kind, 'json');
    assert.equal(detect('{"a": 1}', 'Makefile').kind, 'json');
  });
});
