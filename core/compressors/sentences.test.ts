import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitClauses, splitSentences } from './sentences.ts';

const units = (text: string): string[] => splitSentences(text).map((unit) => text.slice(unit.start, unit.end));

describe('splitSentences', () => {
  it('ends sentences at . ! ? and keeps abbreviations, initials, decimals and dotted forms inside', () => {
    assert.deepEqual(units('Dr. Smith paid $3.50 for it. He left! Did he? Yes.'), [
      'Dr. Smith paid $3.50 for it.',
      'He left!',
      'Did he?',
      'Yes.',
    ]);
    assert.deepEqual(units('The U.S. Army arrived, e.g. at dawn. J. R. R. Tolkien wrote it. Pi is 3.14 roughly.'), [
      'The U.S. Army arrived, e.g. at dawn.',
      'J. R. R. Tolkien wrote it.',
      'Pi is 3.14 roughly.',
    ]);
  });

  it('keeps closing quotes and brackets with the sentence they close', () => {
    assert.deepEqual(units('He said "Stop." Then he left. (See Fig. 3.) Next one?! Yes… fine.'), [
      'He said "Stop."',
      'Then he left.',
      '(See Fig. 3.)',
      'Next one?!',
      'Yes… fine.',
    ]);
  });

  it('treats "No." and "Fig." as abbreviations only before a number, and domains as sentence ends', () => {
    assert.deepEqual(units('See No. 5 above. He said no. Then left. Fig. 4 shows it. Visit example.com. Then go.'), [
      'See No. 5 above.',
      'He said no.',
      'Then left.',
      'Fig. 4 shows it.',
      'Visit example.com.',
      'Then go.',
    ]);
  });

  it('makes headings, list items and short lines without punctuation units of their own', () => {
    const text = '# Install\nRun the script. Then wait.\n\n1. First step\n2. Second step\n- a bullet\n\nIntroduction\nThe paper starts here.';
    assert.deepEqual(units(text), [
      '# Install',
      'Run the script.',
      'Then wait.',
      '1. First step',
      '2. Second step',
      '- a bullet',
      'Introduction',
      'The paper starts here.',
    ]);
  });

  it('joins wrapped prose and wrapped list items across line breaks', () => {
    const text =
      'This is a long line of wrapped prose that goes on and on until the\nnext line ends the sentence. Done.\n' +
      '- A list item that is long enough to wrap onto the line below\n  and continues here.\n- Next item';
    assert.deepEqual(units(text), [
      'This is a long line of wrapped prose that goes on and on until the\nnext line ends the sentence.',
      'Done.',
      '- A list item that is long enough to wrap onto the line below\n  and continues here.',
      '- Next item',
    ]);
  });

  it('numbers paragraphs by blank lines, including lines of spaces and CRLF endings', () => {
    const text = '  First one. Second one.  \r\n\r\nThird one.\n   \n\n Fourth one.\n';
    assert.deepEqual(
      splitSentences(text).map((unit) => [text.slice(unit.start, unit.end), unit.paragraph]),
      [['First one.', 0], ['Second one.', 0], ['Third one.', 1], ['Fourth one.', 2]],
    );
  });

  it('splits at CJK full stops without spaces', () => {
    assert.deepEqual(units('日本語の文です。次の文です。English follows.'), ['日本語の文です。', '次の文です。', 'English follows.']);
  });

  it('returns ordered, non-overlapping ranges with no whitespace at either end', () => {
    const text = ' A. b c. D e!\n\n\tF? "G." (H.) 1.5 i.e. J.\r\n- k\n';
    let previousEnd = 0;
    for (const unit of splitSentences(text)) {
      assert.ok(unit.start >= previousEnd && unit.end > unit.start);
      assert.doesNotMatch(text.slice(unit.start, unit.end), /^\s|\s$/);
      assert.doesNotMatch(text.slice(previousEnd, unit.start), /\S/, 'only whitespace lies between units');
      previousEnd = unit.end;
    }
    assert.doesNotMatch(text.slice(previousEnd), /\S/);
  });

  it('cuts a long run without punctuation at spaces, within maxLength', () => {
    const text = 'word '.repeat(1000).trim();
    const split = splitSentences(text, { maxLength: 200 });
    assert.ok(split.length >= 25);
    for (const unit of split) {
      assert.ok(unit.end - unit.start <= 200);
      assert.match(text.slice(unit.start, unit.end), /^word( word)*$/);
    }
  });

  it('handles 5 MB without punctuation or line breaks quickly, cutting mid-word when there are no spaces', () => {
    const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit '.repeat(100_000);
    const noSpaces = 'x'.repeat(5_000_000);
    for (const text of [words, noSpaces]) {
      const started = performance.now();
      const split = splitSentences(text);
      assert.ok(performance.now() - started < 5000);
      assert.ok(split.length > 1000);
      assert.ok(split.every((unit) => unit.end - unit.start <= 1200));
    }
  });

  it('never cuts a surrogate pair in half', () => {
    const text = '😀'.repeat(2000);
    for (const unit of splitSentences(text, { maxLength: 101 })) {
      assert.ok(unit.start % 2 === 0 && unit.end % 2 === 0);
    }
  });
});

describe('splitClauses', () => {
  it('cuts long sentences at commas and brackets but keeps short lists and dates whole', () => {
    const text =
      'In 1418, Maciot de Bethencourt sold the rights to the islands to Enrique Pérez de Guzmán, ' +
      'and the Normans, Danes and Swedes left on June 4, 1420 (after a storm that scattered their fleet). Short one, here.';
    const sentences = splitSentences(text);
    const clauses = splitClauses(text, sentences).map((clause) => text.slice(clause.start, clause.end));
    assert.deepEqual(clauses, [
      'In 1418, Maciot de Bethencourt sold the rights to the islands to Enrique Pérez de Guzmán,',
      'and the Normans, Danes and Swedes left on June 4, 1420',
      '(after a storm that scattered their fleet).',
      'Short one, here.',
    ]);
  });

  it('numbers each clause with its sentence and paragraph', () => {
    const text = 'One short sentence.\n\nA much longer sentence that runs on for quite a while, with a rather long clause right here, and another long clause after it.';
    const clauses = splitClauses(text, splitSentences(text));
    assert.deepEqual(
      clauses.map((clause) => [clause.sentence, clause.paragraph]),
      [[0, 0], [1, 1], [1, 1], [1, 1]],
    );
  });
});
