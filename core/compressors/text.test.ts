import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compress, estimateTokens, findMarkers, o200kCounter, unfold } from 'tokenfold';
import type { CompressorContext, FoldRequest, Piece } from 'tokenfold';
import { compressText, foldUnselected, scoreSentences, selectSentences } from './text.ts';
import { splitClauses, splitSentences } from './sentences.ts';

interface Question {
  question: string;
  answers: string[];
}

// SQuAD 2.0 dev: every answerable question with the paragraph it is asked about.
const squad = JSON.parse(readFileSync(new URL('../../../shared/corpora/qa/squad-dev-v2.0.json', import.meta.url), 'utf8')) as {
  data: Array<{ paragraphs: Array<{ context: string; qas: Array<{ question: string; is_impossible: boolean; answers: Array<{ text: string }> }> }> }>;
};
const paragraphs = squad.data.flatMap((article) =>
  article.paragraphs.map((paragraph) => ({
    context: paragraph.context,
    questions: paragraph.qas
      .filter((qa) => !qa.is_impossible)
      .map((qa): Question => ({ question: qa.question, answers: qa.answers.map((answer) => answer.text) })),
  })),
);

function context(budget: number, query = ''): CompressorContext {
  return { query, budget, countTokens: (text) => o200kCounter.count(text), estimateTokens };
}

// Kept text plus folded text, in order: must be the input, byte for byte.
function reconstruct(pieces: Piece[]): string {
  return pieces.map((piece) => (typeof piece === 'string' ? piece : piece.text)).join('');
}

function visible(pieces: Piece[]): string {
  return pieces.map((piece) => (typeof piece === 'string' ? piece : '[[fold]]')).join('');
}

function folds(pieces: Piece[]): FoldRequest[] {
  return pieces.filter((piece): piece is FoldRequest => typeof piece !== 'string');
}

// Share of questions whose answer survives when `text` of each paragraph is compressed to
// (1 - reduction) of its tokens, through the public `compress`.
async function retention(reduction: number, withQuery: boolean, documents: Array<{ context: string; questions: Question[] }>) {
  let kept = 0;
  let asked = 0;
  let tokensBefore = 0;
  let tokensAfter = 0;
  for (const document of documents) {
    const budget = Math.round(o200kCounter.count(document.context) * (1 - reduction));
    for (const { question, answers } of document.questions) {
      const result = await compress(document.context, { kind: 'text', query: withQuery ? question : '', budget, minTokens: 0 });
      asked++;
      tokensBefore += result.tokensBefore;
      tokensAfter += result.tokensAfter;
      if (answers.some((answer) => result.text.includes(answer))) kept++;
    }
  }
  return { share: kept / asked, reduction: 1 - tokensAfter / tokensBefore, asked };
}

describe('compressText on SQuAD 2.0', () => {
  it('keeps a gold answer in most single paragraphs at half the tokens when the question is the query', async () => {
    // SQuAD paragraphs are ~150 tokens, so a 12-token fold marker is a large share of the budget.
    const result = await retention(0.5, true, paragraphs);
    assert.ok(result.asked > 2500);
    assert.ok(result.share >= 0.88, `answer kept for ${(result.share * 100).toFixed(1)}%`);
    assert.ok(result.reduction >= 0.5, `tokens reduced by ${(result.reduction * 100).toFixed(1)}%`);
  });

  it('keeps the answer in multi-paragraph documents at half and at a quarter of the tokens', async () => {
    const documents: Array<{ context: string; questions: Question[] }> = [];
    for (let i = 0; i + 5 <= 150; i += 5) {
      const group = paragraphs.slice(i, i + 5);
      documents.push({ context: group.map((p) => p.context).join('\n\n'), questions: group.flatMap((p) => p.questions) });
    }
    const half = await retention(0.5, true, documents);
    const quarter = await retention(0.75, true, documents);
    assert.ok(half.share >= 0.95, `at 50%: ${(half.share * 100).toFixed(1)}%`);
    assert.ok(quarter.share >= 0.9, `at 75%: ${(quarter.share * 100).toFixed(1)}%`);
    assert.ok(quarter.reduction >= 0.72);
  });

  it('owes its retention to the query: without it, far fewer answers survive', async () => {
    const slice = paragraphs.slice(0, 80);
    const withQuery = await retention(0.5, true, slice);
    const withoutQuery = await retention(0.5, false, slice);
    assert.ok(withQuery.share > withoutQuery.share + 0.2);
  });

  it('selects the same way when called directly, with the answer inside kept units', () => {
    let kept = 0;
    let asked = 0;
    for (const { context: text, questions } of paragraphs.slice(0, 200)) {
      const tokensPerChar = o200kCounter.count(text) / text.length;
      const budget = Math.round(o200kCounter.count(text) / 2);
      for (const { question, answers } of questions) {
        const selection = selectSentences(text, { query: question, budget, tokensPerChar });
        const shown = visible(foldUnselected(text, selection, tokensPerChar));
        asked++;
        if (answers.some((answer) => shown.includes(answer))) kept++;
      }
    }
    assert.ok(kept / asked >= 0.85, `answer kept for ${((kept / asked) * 100).toFixed(1)}%`);
  });
});

describe('compressText', () => {
  const article = [
    '# Normandy',
    '',
    'The Normans were the people who gave their name to Normandy, a region in France. They descended from Norse raiders and pirates from Denmark, Iceland and Norway. Their leader was Rollo, who agreed to swear fealty to King Charles III of West Francia.',
    '',
    'Things the Normans are known for:',
    '- Romanesque architecture with rounded arches',
    '- The conquest of England in 1066',
    '- Knights and castles across southern Italy',
    '',
    'Through generations of assimilation and mixing with the native Frankish and Roman-Gaulish populations, their descendants would gradually merge with the Carolingian-based cultures of West Francia. The distinct cultural and ethnic identity of the Normans emerged initially in the first half of the 10th century, and it continued to evolve over the succeeding centuries.',
    '',
    'The Norman dynasty had a major political, cultural and military impact on medieval Europe and even the Near East. The Normans were famed for their martial spirit and eventually for their Christian piety, becoming exponents of the Catholic orthodoxy into which they assimilated.',
  ].join('\n');

  it('keeps the sentences that answer the query, verbatim and in order, within about the budget', () => {
    const pieces = compressText(article, context(90, 'When did the Normans conquer England?'))!;
    const shown = visible(pieces);
    assert.ok(shown.includes('- The conquest of England in 1066'));
    assert.equal(reconstruct(pieces), article);
    assert.ok(o200kCounter.count(shown.replaceAll('[[fold]]', '[[fold 123456789012: 42 chars]]')) <= 90 * 1.15);
  });

  it('preserves layout: kept lines keep their line breaks, list items stay on their own lines', () => {
    const pieces = compressText(article, context(120, 'What is Norman architecture known for: rounded arches, castles, conquest?'))!;
    const shown = visible(pieces);
    assert.match(shown, /\n- Romanesque architecture with rounded arches\n/);
    assert.match(shown, /\n- Knights and castles across southern Italy\n/);
    // Every visible line is an original line, or original text around a marker.
    for (const line of shown.split('\n')) {
      for (const part of line.split('[[fold]]')) assert.ok(article.includes(part), JSON.stringify(part));
    }
    assert.equal(shown.split('\n').length, article.split('\n').length - folds(pieces).reduce((sum, fold) => sum + (fold.text.split('\n').length - 1), 0));
  });

  it('folds whole dropped paragraphs in a row as one fold of lines, numbered from their first line', () => {
    const text = ['Rollo led the Vikings to Normandy.', '', 'Castles were built of stone. '.repeat(8), '', 'Bread was baked daily. '.repeat(8), '', 'The end came in 1204.'].join('\n');
    const pieces = compressText(text, context(30, 'Who led the Vikings?'))!;
    const lineFolds = folds(pieces).filter((fold) => fold.unit === 'lines');
    assert.equal(lineFolds.length, 1);
    assert.equal(lineFolds[0]!.firstLine, 3);
    assert.ok(lineFolds[0]!.text.startsWith('Castles') && lineFolds[0]!.text.includes('\n\nBread'));
    assert.equal(reconstruct(pieces), text);
  });

  it('gives large folds a one-line summary of how they start', () => {
    const filler = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} talks about weather in the hills.`).join(' ');
    const text = `Rollo led the Vikings.\n\n${filler}`;
    const pieces = compressText(text, context(20, 'Who led the Vikings?'))!;
    const big = folds(pieces).find((fold) => fold.text.length > 1000)!;
    assert.match(big.summary!, /^Sentence number 0 talks about weather/);
    assert.doesNotMatch(big.summary!, /\n/);
  });

  it('keeps a dropped run that costs no more than its marker instead of folding it', () => {
    const text = `${'Rollo led the Vikings across the sea to Normandy. '.repeat(3)}Ok. ${'Rollo led the Vikings across the sea to Normandy. '.repeat(3)}${'Unrelated filler about bread and weather. '.repeat(20)}`;
    const pieces = compressText(text, context(90, 'Rollo Vikings Normandy'))!;
    assert.ok(visible(pieces).includes('Normandy. Ok. Rollo'));
    for (const fold of folds(pieces)) assert.ok(o200kCounter.count(fold.text) > 12, JSON.stringify(fold.text));
  });

  it('without a query prefers the opening, then sentences on the recurring topic over asides', () => {
    const text = [
      'Tokenfold compresses tool outputs for agents.',
      'My neighbour grows tomatoes in the summer.',
      'The compressed tool outputs keep what agents need.',
      'Rain is expected on Tuesday afternoon in the valley.',
      'Agents can unfold any compressed tool output later.',
      'The bakery on the corner sells rye bread.',
    ].join(' ');
    const units = splitClauses(text, splitSentences(text));
    const scores = scoreSentences({ text, units, query: '' });
    // Each sentence on the topic outscores the asides next to it, though nearer the start counts too.
    for (const [onTopic, aside] of [[0, 1], [2, 1], [2, 3], [4, 3], [4, 5]] as const) assert.ok(scores[onTopic]! > scores[aside]!);
    assert.ok(scores[0]! > Math.max(...scores.slice(1)));
    assert.ok(visible(compressText(text, context(30))!).startsWith('Tokenfold compresses tool outputs for agents.'));
  });

  it('passes through (undefined) when the whole text fits the budget', () => {
    assert.equal(compressText(article, context(10_000, 'anything')), undefined);
  });

  it('is deterministic and breaks ties by position', () => {
    const text = Array.from({ length: 12 }, () => 'The same sentence about castles.').join(' ');
    const first = compressText(text, context(40, 'castles'))!;
    assert.deepEqual(compressText(text, context(40, 'castles')), first);
    assert.ok(typeof first[0] === 'string' && first[0].startsWith('The same sentence'), 'the earliest copies are kept');
    assert.equal(typeof first.at(-1), 'object', 'the latest copies are folded');
  });

  it('uses a plugged-in scorer in place of BM25', () => {
    const text = 'First sentence here. Second sentence here. Third sentence here. Last sentence here.';
    const selection = selectSentences(text, {
      budget: 8,
      score: ({ units }) => units.map((_, i) => i), // prefers later units
    });
    const keptText = selection.units.filter((_, i) => selection.kept[i]).map((unit) => text.slice(unit.start, unit.end));
    assert.deepEqual(keptText, ['Last sentence here.']);
  });

  it('exposes its default scorer for blending, one score per unit', () => {
    const text = 'Rollo led the Vikings. Castles were built. Bread was baked.';
    const units = splitClauses(text, splitSentences(text));
    const scores = scoreSentences({ text, units, query: 'Who led the Vikings?' });
    assert.equal(scores.length, units.length);
    assert.ok(scores[0]! > scores[1]! && scores[0]! > scores[2]!);
  });

  it('rebuilds the input exactly from kept text and folds, whatever the whitespace and characters', () => {
    const inputs = [
      article,
      article.replaceAll('\n', '\r\n'),
      '\t Indented. Tabs\tinside.  \n\n\n  Trailing spaces.   \n\n',
      'Ünïcödé sentences. 日本語の文です。 Emoji 😀 here! [[fold 123456789012: fake]] marker. More text follows here.',
      Array.from({ length: 50 }, (_, i) => `- item ${i} of the list`).join('\n'),
    ];
    for (const input of inputs) {
      for (const budget of [5, 20, 60]) {
        const pieces = compressText(input, context(budget, 'list item text'));
        if (pieces) assert.equal(reconstruct(pieces), input);
      }
    }
  });
});

describe('compressText through compress and unfold', () => {
  it('stores every fold byte-exact, so splicing unfolded originals into the output gives the input', async () => {
    const text = paragraphs.slice(0, 12).map((p) => p.context).join('\n\n');
    const result = await compress(text, { kind: 'text', query: 'When did Rollo sign the treaty?' });
    assert.ok(result.folds.length > 0 && result.tokensAfter < result.tokensBefore / 2);
    let spliced = result.text;
    for (const marker of findMarkers(result.text).reverse()) {
      const original = await unfold(marker.id);
      assert.equal(original.status, 'ok');
      if (original.status !== 'ok') continue;
      spliced = spliced.slice(0, marker.index) + original.text + spliced.slice(marker.index + marker.length);
    }
    assert.equal(spliced, text);
  });
});

describe('compressText on adversarial input', () => {
  const within = (milliseconds: number, run: () => void): void => {
    const started = performance.now();
    run();
    const took = performance.now() - started;
    assert.ok(took < milliseconds, `took ${took.toFixed(0)} ms`);
  };

  it('handles 5 MB of words without punctuation or line breaks', () => {
    const text = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do '.repeat(80_000);
    within(10_000, () => {
      const pieces = compressText(text, context(2000, 'dolor amet'))!;
      assert.equal(reconstruct(pieces), text);
      assert.ok(visible(pieces).length < text.length / 10);
    });
  });

  it('handles a huge single line without spaces, runs of dots and thousands of blank lines', () => {
    for (const text of ['x'.repeat(3_000_000), '.'.repeat(1_000_000), 'a.b. '.repeat(200_000), `Start.${'\n'.repeat(100_000)}End.`, '\n\n- \n'.repeat(50_000)]) {
      within(10_000, () => {
        const pieces = compressText(text, context(200, 'start end'));
        if (pieces) assert.equal(reconstruct(pieces), text);
      });
    }
  });
});
