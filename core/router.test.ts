import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detect } from 'tokenfold';

const cases: Array<[string, string]> = [
  ['json', '{"items": [{"id": 1}, {"id": 2}]}'],
  ['json', '[1, 2, 3]'],
  ['ndjson', '{"a": 1}\n{"a": 2}\n{"a": 3}\n'],
  ['diff', 'diff --git a/x.ts b/x.ts\n--- a/x.ts\n+++ b/x.ts\n@@ -1,2 +1,2 @@\n-old\n+new\n'],
  ['html', '<!DOCTYPE html><html><body><p>hi</p></body></html>'],
  ['build', 'src/a.ts(3,5): error TS2322: Type mismatch.\nsrc/b.ts(9,1): error TS2304: Cannot find name.\nFound 2 errors.'],
  ['build', '=== RUN   TestA\n--- FAIL: TestA (0.00s)\nFAIL\tpkg/a\t0.01s\n'],
  ['search', 'src/a.ts:12:const a = 1;\nsrc/b.ts:40:const b = a;\nlib/c.js:7:  a();\n'],
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

  it('reads only a bounded sample of a huge single line', () => {
    const huge = 'x'.repeat(20 * 1024 * 1024);
    assert.equal(detect(huge).kind, 'text');
  });
});
