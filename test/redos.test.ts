import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Keyv from 'keyv';
import { compress, detect, estimateTokens, o200kCounter, unfold } from 'tokenfold';
import type { CompressorContext, ContentKind } from 'tokenfold';
import { compressors, prepareCompressors } from '../core/compressors/index.ts';

/*
 * Catastrophic backtracking and other super-linear work on hostile input: long runs of one
 * character, deep nesting, marker look-alikes, thousands of separators on one line. Each string
 * is about 100 KB; linear work on it takes milliseconds, and the 2 s bound (generous, for a busy
 * machine) still catches anything quadratic or worse, which would take minutes. This is a
 * correctness guard, not a speed benchmark. The router and every registered compressor are run
 * directly (not through `compress`), so that what is timed is their own scanning.
 */

const SIZE = 100_000;
const LIMIT_MS = 2000;

const repeat = (unit: string, size = SIZE) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const lines = (line: string, size = SIZE) => repeat(`${line}\n`, size);

// A cheap deterministic mix of the characters the parsers and patterns care about.
function mixture(alphabet: string, seed: number): string {
  let state = seed;
  let text = '';
  while (text.length < SIZE) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    text += alphabet[state % alphabet.length];
  }
  return text;
}

/** Hostile inputs, by name: one ~100 KB line, or ~100 KB of one hostile line repeated. */
const adversarialInputs: Record<string, string> = {
  'one letter': repeat('a'),
  'letters then a bang': `${repeat('a', SIZE - 1)}!`,
  'spaces then a word': `${repeat(' ', SIZE - 1)}x`,
  tabs: repeat('\t'),
  'carriage returns': repeat('\r'),
  digits: repeat('1'),
  'digit dots': repeat('1.'),
  'digit colons': repeat('1:'),
  'path-like colons': `${repeat('a/', SIZE - 4)}:1:x`,
  'dash numbers': repeat('-1-'),
  'colon numbers in a path': repeat('src/a.ts:1:'),
  'open brackets': repeat('['),
  'open braces': repeat('{'),
  'nested objects': repeat('{"a":'),
  'nested arrays of objects': repeat('[{"a":['),
  'closing brackets': repeat(']}'),
  quotes: repeat('"'),
  backslashes: repeat('\\'),
  'escaped quotes': `"${repeat('\\"', SIZE - 2)}"`,
  'unterminated string in an array': `["${repeat('a\\u00', SIZE - 2)}`,
  'minus signs and exponents': `[${repeat('-1e-1e', SIZE - 2)}]`,
  'marker look-alikes': repeat('[[fold '),
  'escaped look-alikes': `[[${repeat('\\', SIZE - 10)}fold x`,
  'double brackets': repeat('[[[[]]'),
  'fake markers': repeat('[[fold 123456789012: 3 lines]]'),
  'level words': repeat('ERROR '),
  timestamps: repeat('2024-01-01 00:00:00 '),
  'stack frames on one line': repeat('    at a.b(c.js:1:2)'),
  'hunk headers on one line': repeat('@@ -1,1 +1,1 @@'),
  'test ticks': repeat('✓ '),
  tags: repeat('<div>'),
  'open angle brackets': repeat('<'),
  'comment openers': repeat('<!--'),
  'script tags': repeat('<script>'),
  'code openers': repeat('function f('),
  'block comments': repeat('/*'),
  'line comments': repeat('//'),
  words: repeat('a '),
  sentences: repeat('a. '),
  abbreviations: repeat('Dr. A. B. '),
  'list markers': repeat('1. '),
  urls: repeat('http://'),
  'equals signs': repeat('='),
  'pytest node ids': repeat('.py::'),
  'compiler errors': repeat(': error TS1'),
  'bracket soup': mixture('[]{}:-/.\\"\' 0aA\t,', 1),
  'log soup': mixture('0123456789-:. TINFOERWA[]()', 2),
  'many blank lines': repeat('\n'),
  'many short lines': lines('x'),
  'many log lines with a long tail': lines(`2024-01-01 00:00:00 ERROR ${'a'.repeat(200)}`),
  'many grep lines without numbers': lines('src/a.ts:x:'),
  'many diff lines': `diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,999999 +1,999999 @@\n${lines('-a')}`,
  'many build lines': lines('  ✓ adds (1 ms)'),
  'many indented lines': lines(`${' '.repeat(200)}x`),
  'deep indentation steps': Array.from({ length: 400 }, (_, depth) => `${' '.repeat(depth)}if (x) {`).join('\n'),
};

const context: CompressorContext = {
  query: 'error timeout',
  budget: 500,
  countTokens: (text) => o200kCounter.count(text),
  estimateTokens,
};

function timed(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

describe('hostile input', () => {
  it('is routed in linear time', () => {
    const slow = Object.entries(adversarialInputs)
      .map(([name, text]) => ({ name, ms: timed(() => detect(text)) }))
      .filter(({ ms }) => ms > LIMIT_MS);
    assert.deepEqual(slow, []);
  });

  for (const kind of Object.keys(compressors) as ContentKind[]) {
    it(`is compressed as ${kind} in linear time, without a throw`, async () => {
      const problems: string[] = [];
      for (const [name, text] of Object.entries(adversarialInputs)) {
        await prepareCompressors[kind]?.(text, {});
        try {
          const ms = timed(() => compressors[kind]!(text, context));
          if (ms > LIMIT_MS) problems.push(`${name}: ${Math.round(ms)} ms`);
        } catch (error) {
          problems.push(`${name}: threw ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      assert.deepEqual(problems, []);
    });
  }
});

describe('unfold with a hostile grep pattern', () => {
  it('gives up with a message instead of blocking the process', async () => {
    const store = new Keyv();
    const original = compressors.text;
    const folded = `${'a'.repeat(40)}!\n`.repeat(20);
    compressors.text = () => [{ text: folded, unit: 'lines', count: 20 }];
    try {
      const result = await compress('filler '.repeat(400), { kind: 'text', store });
      const id = result.folds[0]!.id;
      const started = performance.now();
      const answer = await unfold(id, { store, grep: '^(a+)+$' });
      assert.equal(answer.status, 'invalid-request');
      assert.ok(performance.now() - started < 10_000);
      // An ordinary pattern on the same fold still works.
      const hits = await unfold(id, { store, grep: 'a!$', lines: '1-3' });
      assert.equal(hits.status === 'ok' && hits.text.split('\n').length, 3);
    } finally {
      compressors.text = original;
    }
  });
});
