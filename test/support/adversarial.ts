/*
 * Hostile inputs for the backtracking and super-linear-work tests (test/redos.test.ts) and the
 * reliability bench: long runs of one character, deep nesting, marker look-alikes, thousands of
 * separators on one line. Each is about 100 KB: linear work on it takes milliseconds, anything
 * quadratic takes seconds to minutes.
 */

export const SIZE = 100_000;

export const repeat = (unit: string, size = SIZE) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
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
export const adversarialInputs: Record<string, string> = {
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

const logLines = Array.from({ length: 100 }, (_, index) => `2024-01-01 10:00:${String(index % 60).padStart(2, '0')} INFO handled request ${index}`);

/**
 * Ordinary documents with one hostile line that a compressor must keep in view (an error, a
 * failing test, a rare record), so that the output itself holds the long run and counting its
 * tokens is part of the cost: BPE is quadratic in the length of one pre-token.
 */
export const hostileDocuments: Record<string, string> = {
  'a log error line padded with 150,000 spaces': [...logLines, `2024-01-01 10:01:40 ERROR boom${' '.repeat(SIZE * 1.5)}x`].join('\n'),
  'a log error line with 150,000 letters': [...logLines, `2024-01-01 10:01:40 ERROR boom ${'a'.repeat(SIZE * 1.5)}`].join('\n'),
  'a failing test with 150,000 tabs': `${'PASS a.test.ts\n  ✓ adds (1 ms)\n'.repeat(100)}FAIL b.test.ts\n  ● broken${'\t'.repeat(SIZE * 1.5)}x\nTests: 1 failed, 100 passed`,
  'a rare JSON record with a 150,000-character string': JSON.stringify(
    Array.from({ length: 100 }, (_, index) => ({ id: index, status: index === 50 ? 'error' : 'ok', note: index === 50 ? '='.repeat(SIZE * 1.5) : 'x' })),
  ),
};

/**
 * Dense CJK exactly where 16 evenly spread token samples of a 2 MB text fall, and spaces between:
 * the input that inflated the sampled `tokensBefore` about 30× when samples sat at fixed offsets.
 */
export function cjkAtSampleOffsets(length = 2_000_000): string {
  const samples = 16;
  const sampleLength = Math.floor(Math.min(32_768, Math.floor(length / 50)) / samples);
  const stride = Math.floor((length - sampleLength) / (samples - 1));
  const parts: string[] = [];
  for (let index = 0; index < samples; index++) {
    parts.push('漢字測試資料'.repeat(Math.ceil(sampleLength / 6)).slice(0, sampleLength));
    if (index < samples - 1) parts.push(' '.repeat(stride - sampleLength));
  }
  return parts.join('');
}
