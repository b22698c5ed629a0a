import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateTokens } from 'tokenfold';
import type { FoldRequest, Piece } from '../types.ts';
import { countTerms, foldLineList, foldLines, itemsFromSpans, queryTerms, renderItems, splitLines, worthFolding } from './lines.ts';

// Renders pieces with the fold's text in place of its marker: what unfold would give back.
function expand(pieces: Piece[]): string {
  return pieces.map((piece) => (typeof piece === 'string' ? piece : piece.text)).join('');
}

describe('splitLines', () => {
  for (const text of ['a\nb\nc', 'a\nb\n', 'a\r\nb\r\n', '\n\n', 'single', '', '\n']) {
    it(`gives back ${JSON.stringify(text)} when joined`, () => {
      const { lines, trailingNewline } = splitLines(text);
      assert.equal(lines.join('\n') + (trailingNewline ? '\n' : ''), text);
    });
  }
});

describe('renderItems', () => {
  const text = 'one\ntwo\nthree\nfour\nfive\n';
  const { lines, trailingNewline } = splitLines(text);

  it('restores the input when folds are put back, folds first, last or in the middle', () => {
    for (const spans of [[{ start: 0, end: 2 }], [{ start: 1, end: 3 }], [{ start: 3, end: 5 }], [{ start: 0, end: 1 }, { start: 4, end: 5 }]]) {
      const pieces = renderItems(lines, itemsFromSpans(lines, spans), trailingNewline);
      assert.equal(expand(pieces), text, JSON.stringify(spans));
    }
    const noTrailing = splitLines('one\ntwo\nthree');
    const pieces = renderItems(noTrailing.lines, itemsFromSpans(noTrailing.lines, [{ start: 2, end: 3 }]), noTrailing.trailingNewline);
    assert.equal(expand(pieces), 'one\ntwo\nthree');
  });

  it('puts each fold on a line of its own and merges kept lines into one string', () => {
    const pieces = renderItems(lines, itemsFromSpans(lines, [{ start: 1, end: 3, summary: 'two and three' }]), trailingNewline);
    assert.equal(pieces.length, 4);
    assert.equal(pieces[0], 'one\n');
    assert.deepEqual(pieces[1], { text: 'two\nthree', unit: 'lines', count: 2, firstLine: 2, summary: 'two and three' });
    assert.equal(pieces[2], '\n');
    assert.equal(pieces[3], 'four\nfive\n');
  });
});

describe('folds of lines', () => {
  const lines = ['a', 'b', 'c', 'd'];

  it('number a contiguous run from its first line in the input', () => {
    assert.equal(foldLines(lines, 2, 4).firstLine, 3);
    assert.equal(foldLineList(lines, [1, 2]).firstLine, 2);
  });

  it('leave scattered lines unnumbered, since no single numbering would be true', () => {
    const fold: FoldRequest = foldLineList(lines, [0, 2], 'a and c');
    assert.equal(fold.text, 'a\nc');
    assert.equal(fold.firstLine, undefined);
    assert.equal(fold.count, 2);
  });
});

describe('worthFolding', () => {
  it('says no to a span cheaper than a marker and yes to a long one, reading only what it needs', () => {
    assert.equal(worthFolding(['ok'], 0, 1, estimateTokens), false);
    const many = Array.from({ length: 100_000 }, (_, i) => `line ${i} of some output`);
    let reads = 0;
    const counting = (text: string) => {
      reads++;
      return estimateTokens(text);
    };
    assert.equal(worthFolding(many, 0, many.length, counting), true);
    assert.ok(reads < 20);
  });
});

describe('queryTerms', () => {
  it('keeps words and path-like tokens, lowercased, without stop words', () => {
    const terms = queryTerms('Why does TimeDelta serialization in "src/marshmallow/fields.py" round down?');
    assert.deepEqual(terms, ['timedelta', 'serialization', 'src/marshmallow/fields.py', 'src', 'marshmallow', 'fields', 'round', 'down']);
    assert.equal(countTerms('class timedelta(field): # rounds down', terms), 3);
  });

  it('gives nothing for an empty or punctuation-only query', () => {
    assert.deepEqual(queryTerms(''), []);
    assert.deepEqual(queryTerms('?? !! --'), []);
  });
});
