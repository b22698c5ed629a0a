import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGrep, matchingLines, MAX_PATTERN_CHARS, type LineTest } from './grep.ts';

function compiled(pattern: string): LineTest {
  const grep = compileGrep(pattern);
  assert.ok(!('refused' in grep), `refused ${pattern}`);
  return grep;
}

describe('compileGrep', () => {
  it('matches case-insensitively, plain words on V8 and the rest on RE2', () => {
    assert.equal(compiled('ERROR|warn').test('a Warn here'), true);
    assert.equal(compiled('status=(4|5)\\d\\d').test('GET / status=503'), true);
    assert.equal(compiled('status=(4|5)\\d\\d').test('GET / status=200'), false);
  });

  it('refuses backreferences and lookaheads as invalid, and long or huge programs as too large', () => {
    assert.equal((compileGrep('(a)\\1') as { refused: string }).refused, 'invalid');
    assert.equal((compileGrep('a(?=b)') as { refused: string }).refused, 'invalid');
    assert.equal((compileGrep('a'.repeat(MAX_PATTERN_CHARS + 1)) as { refused: string }).refused, 'too-large');
    assert.equal((compileGrep('[a-z]{1000}x') as { refused: string }).refused, 'too-large');
  });
});

describe('matchingLines', () => {
  it('finds a match deep inside a line longer than one window', async () => {
    const grep = compiled('needle\\d');
    const long = `${'hay '.repeat(200_000)}needle7${' hay'.repeat(10)}`;
    assert.ok(long.length > grep.windowChars * 4);
    assert.deepEqual(await matchingLines(['needle', long, 'needle1'], grep), [1, 2]);
  });

  it('reads `^`, `$` and `\\b` as the line does, not as a window edge does', async () => {
    const starts = compiled('^foo\\d+x');
    const step = starts.windowChars - Math.floor(starts.windowChars / 4);
    const filler = 'y'.repeat(starts.windowChars * 3);
    // `foo1x` at the start of the second window, in the middle of the line: no `^` there.
    assert.deepEqual(await matchingLines([`${'z'.repeat(step)}foo1x${filler}`, `foo1x${filler}`], starts), [1]);
    // `foo1x` ending where the first window ends: no `$` there either.
    const ends = compiled('foo\\d+x$');
    const cut = `${'z'.repeat(ends.windowChars - 5)}foo1x${filler}`;
    assert.deepEqual(await matchingLines([cut, `${filler}foo1x`], ends), [1]);
    const word = compiled('\\bneedle\\b');
    const glued = `${'a'.repeat(word.windowChars - 6)}needle${'b'.repeat(word.windowChars * 2)}`;
    assert.deepEqual(await matchingLines([glued, `${glued} needle`], word), [1]);
  });

  it('gives every one of many parallel greps its own hits', async () => {
    const lines = Array.from({ length: 5000 }, (_, index) => `line ${index} code ${index % 7}`);
    const results = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((code) => matchingLines(lines, compiled(`code ${code}$`))));
    results.forEach((hits, code) => {
      assert.equal(hits.length, lines.filter((_, index) => index % 7 === code).length);
      assert.ok(hits.every((index) => index % 7 === code));
    });
  });
});
