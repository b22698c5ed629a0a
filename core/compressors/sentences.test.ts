import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { looksLineStructured, splitClauses, splitSentences } from './sentences.ts';

// Hostile inputs must end; how fast such inputs go is measured in bench/reliability.ts (hostile
// inputs, 100 MB inputs), never asserted here.
const HANG_GUARD = { timeout: 60_000 };

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

  it('handles 5 MB without punctuation or line breaks, cutting mid-word when there are no spaces', HANG_GUARD, () => {
    const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit '.repeat(100_000);
    const noSpaces = 'x'.repeat(5_000_000);
    for (const text of [words, noSpaces]) {
      const split = splitSentences(text);
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

describe('splitSentences by line', () => {
  const lines = (text: string, maxLength?: number): string[] => splitSentences(text, { byLine: true, maxLength }).map((unit) => text.slice(unit.start, unit.end));

  it('makes every non-blank line one unit, indentation included, whatever its punctuation', () => {
    const text = 'Traceback (most recent call last):\n  File "a.py", line 3, in <module>\n    f(x. y, z)\n\r\nKeyError: 1. Then more.  \r\n';
    assert.deepEqual(lines(text), ['Traceback (most recent call last):', '  File "a.py", line 3, in <module>', '    f(x. y, z)', 'KeyError: 1. Then more.']);
    assert.deepEqual(
      splitSentences(text, { byLine: true }).map((unit) => unit.paragraph),
      [0, 0, 0, 1],
    );
  });

  it('cuts only lines over maxLength, at a space, and never a surrogate pair in half', () => {
    const long = `    x = "${'word '.repeat(100)}"`;
    const split = lines(`short line\n${long}\nlast`, 120);
    assert.equal(split[0], 'short line');
    assert.equal(split.at(-1), 'last');
    assert.ok(split.length > 5 && split.every((unit) => unit.length <= 120));
    for (const unit of splitSentences('😀'.repeat(3000), { byLine: true, maxLength: 101 })) assert.ok(unit.start % 2 === 0 && unit.end % 2 === 0);
  });

  it('handles a 5 MB line without spaces and 5 MB of short lines', HANG_GUARD, () => {
    for (const text of ['x'.repeat(5_000_000), 'a = 1\n'.repeat(800_000)]) {
      const split = splitSentences(text, { byLine: true });
      assert.ok(split.length > 1000 && split.every((unit) => unit.end - unit.start <= 1200));
    }
  });
});

describe('looksLineStructured', () => {
  it('recognises tracebacks, numbered file views, indented code and aligned command output', () => {
    const samples = [
      'Traceback (most recent call last):\n  File "/app/run.py", line 17, in <module>\n    main()\n  File "/app/run.py", line 9, in main\n    raise KeyError(key)\nKeyError: \'id\'',
      '[File: /src/fields.py (1997 lines total)]\n(1456 more lines above)\n1457:            self.MINUTES,\n1458:            self.HOURS,\n1459:        )\n1460:\n1461:        if precision not in units:',
      'def total(items):\n    result = 0\n    for item in items:\n        result += item.price\n    return result',
      'drwxr-xr-x 2 root root 4096 Jan  1 00:00 bin\n-rw-r--r-- 1 root root  220 Jan  1 00:00 .bashrc\n-rw-r--r-- 1 root root 3771 Jan  1 00:00 .profile',
    ];
    for (const sample of samples) assert.equal(looksLineStructured(sample), true, sample.slice(0, 40));
  });

  it('leaves prose to sentences: paragraphs, wrapped prose and Markdown lists', () => {
    const samples = [
      'The Normans were the people who gave their name to Normandy, a region in France. They descended from Norse raiders and pirates from Denmark, Iceland and Norway, and their leader Rollo swore fealty to King Charles III.',
      'This is a long line of wrapped prose that goes on and on until the\nnext line ends the sentence. Another sentence starts here and it\nwraps onto the line below as well, the way e-mails are written.',
      '# Things to know\n\n- Romanesque architecture with rounded arches\n- The conquest of England in 1066\n- Knights and castles across southern Italy',
      'One line only',
    ];
    for (const sample of samples) assert.equal(looksLineStructured(sample), false, sample.slice(0, 40));
  });
});
