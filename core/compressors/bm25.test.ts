import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bm25, centrality, indexTerms, queryTerms, termHash } from './bm25.ts';

const ranges = (parts: string[]): { text: string; units: Array<{ start: number; end: number }> } => {
  const units: Array<{ start: number; end: number }> = [];
  let text = '';
  for (const part of parts) {
    if (text) text += ' ';
    units.push({ start: text.length, end: text.length + part.length });
    text += part;
  }
  return { text, units };
};

describe('termHash', () => {
  it('folds case, accents and light inflections onto one term', () => {
    for (const [a, b] of [
      ['located', 'locate'],
      ['locates', 'Locate'],
      ['cities', 'city'],
      ['Normans', 'norman'],
      ['classes', 'class'],
      ['fiancée', 'FIANCEE'],
      ['building', 'build'],
      ['carried', 'carry'],
    ]) {
      assert.equal(termHash(a!), termHash(b!), `${a} ~ ${b}`);
    }
    assert.notEqual(termHash('normandy'), termHash('norman'));
    assert.notEqual(termHash('status'), termHash('statu'), 'a word in -us keeps its s');
  });

  it('drops stopwords and single letters but keeps single digits', () => {
    for (const word of ['the', 'Which', 'were', 'a', 'x']) assert.equal(termHash(word), 0, word);
    assert.notEqual(termHash('7'), 0);
  });
});

describe('queryTerms', () => {
  it('keeps each distinct content word once', () => {
    assert.equal(queryTerms('In what country is Normandy located? Normandy!').length, 3);
    assert.equal(queryTerms('what is it?').length, 0);
  });
});

describe('bm25', () => {
  it('ranks the unit that holds the query terms first, and weighs rare terms above common ones', () => {
    const { text, units } = ranges([
      'The Normans lived in Normandy.',
      'The Normans spoke French and built castles.',
      'Rollo was the leader of the Normans.',
      'Castles were built of stone.',
    ]);
    const scores = bm25(indexTerms(text, units), queryTerms('Who was the leader of the Normans?'));
    assert.deepEqual(
      [...scores.keys()].sort((a, b) => scores[b]! - scores[a]!),
      [2, 0, 1, 3],
    );
    assert.equal(scores[3], 0);
  });

  it('scores groups of units as one document when given groups', () => {
    const { text, units } = ranges(['Rollo led', 'the Vikings.', 'Castles stood.']);
    const scores = bm25(indexTerms(text, units), queryTerms('Rollo vikings'), { group: [0, 0, 1] });
    assert.equal(scores.length, 2);
    assert.ok(scores[0]! > 0 && scores[1] === 0);
  });

  it('gives zeros, not NaN, for an empty query or no units', () => {
    const { text, units } = ranges(['Some words here.']);
    assert.deepEqual([...bm25(indexTerms(text, units), queryTerms(''))], [0]);
    assert.deepEqual([...bm25(indexTerms('', []), queryTerms('words'))], []);
  });
});

describe('centrality', () => {
  it('scores sentences on the recurring topic above an aside', () => {
    const { text, units } = ranges([
      'The compressor folds tool output.',
      'Folded tool output stays recoverable.',
      'My cat likes sunshine.',
      'The compressor keeps what the agent needs from tool output.',
    ]);
    const scores = centrality(indexTerms(text, units));
    assert.ok(scores[2]! < Math.min(scores[0]!, scores[1]!, scores[3]!));
  });

  it('handles many distinct terms (table growth) without losing counts', () => {
    const words = Array.from({ length: 20_000 }, (_, i) => `term${i.toString(36)}`);
    const { text, units } = ranges([words.join(' '), words.slice(0, 10).join(' '), 'unrelated words only']);
    const scores = centrality(indexTerms(text, units));
    assert.ok(scores[1]! > 0 && scores[2] === 0);
  });
});

describe('terms of text without spaces', () => {
  it('makes each CJK ideograph a term, so that Chinese and Japanese queries still match', () => {
    const { text, units } = ranges(['東京は日本の首都です。', '大阪は食べ物で有名です。']);
    const scores = bm25(indexTerms(text, units), queryTerms('首都はどこ'));
    assert.ok(scores[0]! > scores[1]!);
  });
});
