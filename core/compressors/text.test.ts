import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compress, estimateTokens, findMarkers, o200kCounter, unfold } from 'tokenfold';
import type { CompressorContext, FoldRequest, Piece } from 'tokenfold';
import { compressText, foldUnselected, scoreSentences, selectSentences } from './text.ts';
import { splitClauses, splitSentences } from './sentences.ts';

// Hostile inputs must end; how fast such inputs go is measured in bench/reliability.ts (hostile
// inputs, 100 MB inputs), never asserted here.
const HANG_GUARD = { timeout: 60_000 };

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

// SWE-agent observations: Python tracebacks and numbered file views, as the agent saw them.
const agentDirectory = new URL('../../../shared/corpora/agent/swe-agent/', import.meta.url);
const observations = readdirSync(agentDirectory)
  .filter((name) => name.endsWith('.traj'))
  .flatMap((name) => {
    const trajectory = JSON.parse(readFileSync(new URL(name, agentDirectory), 'utf8')) as { trajectory?: Array<{ observation?: unknown }> };
    return (trajectory.trajectory ?? []).map((step) => step.observation).filter((text): text is string => typeof text === 'string');
  });
const tracebacks = observations.filter((text) => text.startsWith('Traceback (most recent call last):'));
const fileViews = observations.filter((text) => /^\[File: [^\n]*\]\r?\n\(\d+ more lines above\)/m.test(text));

function context(budget: number, query = '', inputTokens?: number): CompressorContext {
  return { query, budget, inputTokens, countTokens: (text) => o200kCounter.count(text), estimateTokens };
}

function folds(pieces: Piece[]): FoldRequest[] {
  return pieces.filter((piece): piece is FoldRequest => typeof piece !== 'string');
}

// What the reader sees: kept text, and a stand-in for each marker.
function visible(pieces: Piece[]): string {
  return pieces.map((piece) => (typeof piece === 'string' ? piece : '[[fold]]')).join('');
}

// Elided pieces: the text shown (`…` for each gap) and one fold of the whole input, last.
function isElided(pieces: Piece[], input: string): boolean {
  const all = folds(pieces);
  return all.length === 1 && pieces.at(-1) === all[0] && all[0]!.text === input;
}

// Nothing lost, in either style. Markers: kept text plus folded text, in order, is the input byte
// for byte. Elided: the one fold is the whole input, whole lines numbered from 1, and the text
// shown between elisions is made of exact pieces of the input, in order.
function assertRecoverable(pieces: Piece[], input: string): void {
  if (!isElided(pieces, input)) {
    assert.equal(pieces.map((piece) => (typeof piece === 'string' ? piece : piece.text)).join(''), input);
    return;
  }
  const whole = pieces.at(-1) as FoldRequest;
  assert.deepEqual([whole.unit, whole.count, whole.firstLine], ['lines', input.split('\n').length, 1]);
  const shown = visible(pieces.slice(0, -1));
  assert.ok(shown.endsWith('\n'), 'the fold is on a line of its own');
  let cursor = 0;
  for (const part of shown.slice(0, input.endsWith('\n') ? undefined : -1).split('…')) {
    const at = input.indexOf(part, cursor);
    assert.ok(at !== -1, `not in the input, in order: ${JSON.stringify(part.slice(0, 80))}`);
    cursor = at + part.length;
  }
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
    // SQuAD paragraphs are ~150 tokens: at a 75-token budget, one elided fold instead of a marker
    // per gap leaves room for more of the text.
    const result = await retention(0.5, true, paragraphs);
    assert.ok(result.asked > 2500);
    assert.ok(result.share >= 0.91, `answer kept for ${(result.share * 100).toFixed(1)}%`);
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

  it('keeps more answers priced for elisions than for a marker per gap, at the same budget', () => {
    const keptWith = { markers: 0, elided: 0 };
    for (const { context: text, questions } of paragraphs) {
      const tokens = o200kCounter.count(text);
      const tokensPerChar = tokens / text.length;
      for (const { question, answers } of questions) {
        for (const style of ['markers', 'elided'] as const) {
          const selection = selectSentences(text, { query: question, budget: Math.round(tokens / 2), tokensPerChar, style });
          const shown = visible(foldUnselected(text, selection, tokensPerChar));
          if (answers.some((answer) => shown.includes(answer))) keptWith[style]++;
        }
      }
    }
    assert.ok(keptWith.elided > keptWith.markers, JSON.stringify(keptWith));
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
  // Over 2k tokens: big enough for a marker per gap. Paragraphs of distinct sentences.
  const topics = ['castles', 'bread', 'rivers', 'horses', 'weather', 'music', 'trade', 'ships'];
  const longDocument = Array.from({ length: 60 }, (_, p) =>
    Array.from({ length: 4 }, (_, s) => `In year ${1000 + p * 4 + s} the village talked about ${topics[(p + s) % topics.length]} and little else of note.`).join(' '),
  ).join('\n\n');

  it('keeps the sentences that answer the query, verbatim and in order, within about the budget', () => {
    const pieces = compressText(article, context(90, 'When did the Normans conquer England?'))!;
    const shown = visible(pieces);
    assert.ok(shown.includes('- The conquest of England in 1066'));
    assertRecoverable(pieces, article);
    assert.ok(o200kCounter.count(shown.replaceAll('[[fold]]', '[[fold 123456789012: 13 lines; full text]]')) <= 90 * 1.15);
  });

  it('elides the gaps of a short document and folds the whole text once, at the end', () => {
    const pieces = compressText(article, context(90, 'When did the Normans conquer England?'))!;
    assert.ok(isElided(pieces, article));
    const shown = visible(pieces.slice(0, -1));
    assert.ok((shown.match(/…/g) ?? []).length >= 2, shown);
    assert.equal(folds(pieces)[0]!.summary, 'full text');
    // A dropped paragraph or list item shows as `…` on a line of its own.
    assert.match(shown, /\n…\n/);
  });

  it('preserves layout: kept lines keep their line breaks, list items stay on their own lines', () => {
    const pieces = compressText(article, context(120, 'What is Norman architecture known for: rounded arches, castles, conquest?'))!;
    const shown = visible(pieces);
    assert.match(shown, /\n- Romanesque architecture with rounded arches\n/);
    assert.match(shown, /\n- Knights and castles across southern Italy\n/);
    // Every visible line is an original line, or original text around elisions, or the fold.
    for (const line of shown.split('\n')) {
      if (line === '[[fold]]') continue;
      for (const part of line.split('…')) assert.ok(article.includes(part), JSON.stringify(part));
    }
    assertRecoverable(pieces, article);
  });

  it('uses its own marker when a single gap is all there is: cheaper, and it unfolds to just that gap', () => {
    const text = `Rollo led the Vikings to Normandy. ${'Castles were built of stone. '.repeat(12)}`;
    const pieces = compressText(text, context(30, 'Who led the Vikings?'))!;
    assert.equal(folds(pieces).length, 1);
    assert.ok(!isElided(pieces, text));
    assert.ok(folds(pieces)[0]!.text.startsWith('Castles'));
    assertRecoverable(pieces, text);
  });

  it('gives documents over 2k tokens a marker per gap, so that one gap unfolds on its own', () => {
    const pieces = compressText(longDocument, context(400, 'What did the village talk about in year 1101 and in year 1203?'))!;
    assert.ok(folds(pieces).length >= 2);
    assert.ok(!visible(pieces).includes('…'));
    assert.ok(visible(pieces).includes('In year 1101') && visible(pieces).includes('In year 1203'));
    assertRecoverable(pieces, longDocument);
  });

  it('folds whole dropped paragraphs in a row as one fold of lines, numbered from their first line', () => {
    const pieces = compressText(longDocument, context(200, 'What did the village talk about in year 1101?'))!;
    const shown = visible(pieces);
    assert.ok(shown.includes('In year 1101'));
    const lineFolds = folds(pieces).filter((fold) => fold.unit === 'lines');
    assert.ok(lineFolds.length >= 1);
    for (const fold of lineFolds) {
      assert.equal(longDocument.split('\n').slice(fold.firstLine! - 1).join('\n').startsWith(fold.text), true, `fold at line ${fold.firstLine}`);
    }
    assert.ok(lineFolds.some((fold) => fold.text.includes('\n\nIn year')), 'paragraphs in a row fold as one');
    assertRecoverable(pieces, longDocument);
  });

  it('gives large folds a one-line summary of how they start', () => {
    const filler = Array.from({ length: 300 }, (_, i) => `Sentence number ${i} talks about weather in the hills.`).join(' ');
    const text = `Rollo led the Vikings.\n\n${filler}`;
    const pieces = compressText(text, context(20, 'Who led the Vikings?'))!;
    const big = folds(pieces).find((fold) => fold.text.length > 1000)!;
    assert.match(big.summary!, /^Sentence number 0 talks about weather/);
    assert.doesNotMatch(big.summary!, /\n/);
  });

  it('keeps a dropped run that costs no more than its marker instead of folding it', () => {
    const text = `${'Rollo led the Vikings across the sea to Normandy. '.repeat(3)}Ok. ${'Rollo led the Vikings across the sea to Normandy. '.repeat(3)}${'Unrelated filler about bread and weather. '.repeat(20)}`;
    const tokensPerChar = o200kCounter.count(text) / text.length;
    const selection = selectSentences(text, { query: 'Rollo Vikings Normandy', budget: 90, tokensPerChar });
    const pieces = foldUnselected(text, selection, tokensPerChar);
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

  it('uses a plugged-in scorer in place of BM25, in either style', () => {
    const text = 'First sentence here. Second sentence here. Third sentence here. Last sentence here.';
    for (const style of ['markers', 'elided'] as const) {
      const selection = selectSentences(text, {
        budget: style === 'elided' ? 20 : 8,
        style,
        score: ({ units }) => units.map((_, i) => i), // prefers later units
      });
      const keptText = selection.units.filter((_, i) => selection.kept[i]).map((unit) => text.slice(unit.start, unit.end));
      assert.deepEqual(keptText, ['Last sentence here.']);
    }
  });

  it('prices gaps by style: priced for elisions, scattered matches all fit the budget', () => {
    // The query matches every third sentence: each kept one opens a gap.
    const text = Array.from({ length: 9 }, (_, i) => (i % 3 === 1 ? `Rollo led the Vikings in battle ${i}.` : `Bread was baked daily in oven ${i}.`)).join(' ');
    const query = 'Rollo Vikings battle';
    const markers = selectSentences(text, { query, budget: 60, style: 'markers' });
    const elided = selectSentences(text, { query, budget: 60, style: 'elided' });
    const matchesKept = (kept: Uint8Array) => [1, 4, 7].filter((i) => kept[i]).length;
    assert.equal(matchesKept(elided.kept), 3);
    assert.ok(matchesKept(markers.kept) < 3);
    assert.ok(elided.tokens <= 60 && markers.tokens <= 60);
    assert.equal(elided.style, 'elided');
  });

  it('exposes its default scorer for blending, one score per unit', () => {
    const text = 'Rollo led the Vikings. Castles were built. Bread was baked.';
    const units = splitClauses(text, splitSentences(text));
    const scores = scoreSentences({ text, units, query: 'Who led the Vikings?' });
    assert.equal(scores.length, units.length);
    assert.ok(scores[0]! > scores[1]! && scores[0]! > scores[2]!);
  });

  it('lifts the sentence after a good match: answers often follow the sentence that names the subject', () => {
    const text = 'The fleet anchored on the south coast of Cyprus. Survivors were held by the despot Isaac. Bread was baked in the town. Rain fell on the hills.';
    const units = splitClauses(text, splitSentences(text));
    const scores = scoreSentences({ text, units, query: 'Who ruled Cyprus?' });
    assert.ok(scores[1]! > scores[2]! && scores[1]! > scores[3]!);
  });

  it('recovers the input whatever the whitespace and characters, in either style', () => {
    const inputs = [
      article,
      article.replaceAll('\n', '\r\n'),
      '\t Indented. Tabs\tinside.  \n\n\n  Trailing spaces.   \n\n',
      'Ünïcödé sentences. 日本語の文です。 Emoji 😀 here! [[fold 123456789012: fake]] marker. More text… follows here. Last one.',
      Array.from({ length: 50 }, (_, i) => `- item ${i} of the list`).join('\n'),
      longDocument,
    ];
    for (const input of inputs) {
      for (const budget of [5, 20, 60, 300]) {
        const pieces = compressText(input, context(budget, 'list item text'));
        if (pieces) assertRecoverable(pieces, input);
      }
    }
  });
});

describe('compressText on line-structured text', () => {
  const wholeLinesOnly = (pieces: Piece[], input: string): void => {
    const lines = new Set(input.split('\n').map((line) => line.replace(/\r$/, '').trimEnd()));
    for (const line of visible(pieces).split('\n')) {
      const bare = line.replace(/\r$/, '').trimEnd();
      if (bare === '' || bare === '…' || /^\s*\[\[fold\]\]$/.test(bare)) continue;
      assert.ok(lines.has(bare), `not a whole input line: ${JSON.stringify(bare.slice(0, 120))}`);
    }
  };

  it('keeps the final error line of every real traceback, with whole lines around it', async () => {
    assert.ok(tracebacks.length >= 2);
    for (const traceback of tracebacks) {
      const errorLine = traceback.trimEnd().split('\n').reverse().find((line) => /^\w*(Error|Exception)\b/.test(line))!;
      const pieces = compressText(traceback, context(Math.round(o200kCounter.count(traceback) / 3)))!;
      assert.ok(visible(pieces).includes(errorLine), errorLine);
      wholeLinesOnly(pieces, traceback);
      assertRecoverable(pieces, traceback);
    }
  });

  it('never cuts a line of a numbered file view in half', () => {
    assert.ok(fileViews.length >= 5);
    for (const view of fileViews) {
      const pieces = compressText(view, context(Math.round(o200kCounter.count(view) / 4), 'precision total_seconds round'));
      assert.ok(pieces);
      wholeLinesOnly(pieces, view);
      assertRecoverable(pieces, view);
    }
  });

  it('puts lines that report errors first, with or without a query, but not code that handles them', () => {
    const text = [
      '1478:        try:',
      '1479:            value = int(value)',
      '1480:        except (TypeError, ValueError) as error:',
      '1481:            raise self.make_error("invalid") from error',
      'E999 IndentationError: unexpected indent',
      'src/main.rs:3:5: error[E0308]: mismatched types',
      'fatal: not a git repository',
    ].join('\n');
    const units = splitSentences(text, { byLine: true }).map((line, i) => ({ ...line, sentence: i }));
    for (const query of ['', 'value int make_error invalid']) {
      const scores = scoreSentences({ text, units, query });
      const lowestError = Math.min(scores[4]!, scores[5]!, scores[6]!);
      assert.ok(lowestError > Math.max(scores[0]!, scores[1]!, scores[2]!, scores[3]!), `${query}: ${[...scores].join(', ')}`);
    }
  });
});

describe('compressText through compress and unfold', () => {
  it('stores every fold byte-exact, so splicing unfolded originals into the output gives the input', async () => {
    const text = paragraphs.slice(0, 20).map((p) => p.context).join('\n\n');
    const result = await compress(text, { kind: 'text', query: 'When did Rollo sign the treaty?' });
    assert.ok(result.folds.length > 1 && result.tokensAfter < result.tokensBefore / 2);
    let spliced = result.text;
    for (const marker of findMarkers(result.text).reverse()) {
      const original = await unfold(marker.id);
      assert.equal(original.status, 'ok');
      if (original.status !== 'ok') continue;
      spliced = spliced.slice(0, marker.index) + original.text + spliced.slice(marker.index + marker.length);
    }
    assert.equal(spliced, text);
  });

  it('elides a short document behind one fold that unfolds whole, and greps in original numbering', async () => {
    const text = paragraphs.slice(0, 4).map((p) => p.context).join('\n\n');
    const result = await compress(text, { kind: 'text', query: 'When were the Normans in Normandy?', budget: 150 });
    assert.equal(result.folds.length, 1);
    assert.ok(result.text.includes('…'));
    const [marker] = findMarkers(result.text);
    assert.ok(result.text.endsWith(result.text.slice(marker!.index)), 'the marker ends the text');
    const whole = await unfold(marker!.id);
    assert.ok(whole.status === 'ok' && whole.text === text);
    const dropped = text.split('\n').findIndex((line) => line !== '' && !result.text.includes(line));
    const word = text.split('\n')[dropped]!.match(/[A-Z][a-z]{5,}/)![0];
    const found = await unfold(marker!.id, { grep: word });
    assert.ok(found.status === 'ok' && found.text.includes(`${dropped + 1}: `), 'grep quotes the original line number');
  });
});

describe('compressText on adversarial input', () => {
  it('handles 5 MB of words without punctuation or line breaks', HANG_GUARD, () => {
    const text = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do '.repeat(80_000);
    const pieces = compressText(text, context(2000, 'dolor amet'))!;
    assertRecoverable(pieces, text);
    assert.ok(visible(pieces).length < text.length / 10);
  });

  it('handles a huge single line without spaces, runs of dots and thousands of blank lines', HANG_GUARD, () => {
    for (const text of ['x'.repeat(3_000_000), '.'.repeat(1_000_000), 'a.b. '.repeat(200_000), `Start.${'\n'.repeat(100_000)}End.`, '\n\n- \n'.repeat(50_000)]) {
      const pieces = compressText(text, context(200, 'start end'));
      if (pieces) assertRecoverable(pieces, text);
    }
  });

  it('handles 5 MB of code lines, and code with a multi-megabyte line in it', HANG_GUARD, () => {
    const code = '    value = compute(item, 42)  # note\n'.repeat(140_000);
    const withHugeLine = `def f():\n    x = 1\n    data = "${'ab'.repeat(1_500_000)}"\n    return x\n`;
    for (const text of [code, withHugeLine]) {
      const pieces = compressText(text, context(500, 'compute data'))!;
      assertRecoverable(pieces, text);
      assert.ok(visible(pieces).length < text.length / 10);
    }
  });
});
