import type { Compressor, CompressorContext, FoldRequest, Piece, UnitScorer } from '../types.ts';
import { bm25, centrality, indexTerms, queryTerms, termHash } from './bm25.ts';
import { looksLineStructured, splitClauses, splitSentences, type Clause } from './sentences.ts';

/*
 * Prose and RAG documents: keep the sentences that answer the query, fold the rest.
 *
 * The text is cut into sentences (headings and list items are units too), and long sentences into
 * clauses, so that the half of a long sentence that matters can stay without the other half. Text
 * made of lines rather than prose (code, tracebacks, numbered file views) is cut into whole lines
 * instead, since half a line of code misleads. Each unit is scored and the best are kept, highest
 * score first, while the token budget lasts. A unit costs its tokens plus whatever it changes in
 * gaps: keeping a unit between two kept ones closes a gap, keeping one in the middle of a dropped
 * run opens one. The best unit always stays, even over budget, since a text folded whole answers
 * nothing.
 *
 * Kept units are exact substrings in their original order, with the whitespace around them, so
 * paragraphs, line breaks and list layout survive. Dropped units in a row within a paragraph make
 * one gap, whole dropped paragraphs in a row make one gap, and a gap that would cost more than the
 * text it hides stays visible instead. A gap shows in one of two ways:
 *
 * - Elided (documents up to ELIDED_MAX_TOKENS): each gap is `…`, one token, and one fold at the end
 *   holds the whole original, whose lines and grep reach every gap in the original numbering. A
 *   marker costs about 12 tokens; at a 75-token budget for a SQuAD paragraph, a marker per gap left
 *   too little for the text itself.
 * - Markers (larger documents, or a single gap): each gap is its own fold, so the reader can unfold
 *   the part it wants instead of the whole document; and a single gap is cheaper under a marker
 *   of its own (12 tokens) than as an elision plus the whole-text fold (16).
 *
 * Either way, whatever is hidden is one unfold away, byte for byte.
 *
 * Scores: BM25 of the query against the unit's sentence and against the unit and its neighbours
 * in the sentence, a bonus for holding the kind of fact the query asks for (a year for "when", a
 * number for "how many", a name for "who"), a share of the previous sentence's match, and a small
 * prior for the first unit of the document and of each paragraph. Without a query: nearness to the
 * start of the document, how central the sentence is to the document's recurring terms, and a
 * stronger position prior. Lines that report an error (`AttributeError: …`, `error[E0308]: …`,
 * `Traceback …`) are kept first either way. `selectSentences` takes another scorer, so that a
 * model can replace or blend with this one.
 */

export type { UnitScorer } from '../types.ts';

/**
 * How dropped runs show: `'markers'`, a fold marker each; `'elided'`, an elision (`…`) each and
 * one fold of the whole text at the end.
 */
export type GapStyle = 'markers' | 'elided';

export interface SelectSentencesOptions {
  /** What the reader is after. Empty: rank by position and centrality. */
  query?: string;
  /** Target size of the output in tokens, fold markers included. A goal, not a cap. */
  budget: number;
  /**
   * Tokens per character of this text, to cost units without tokenizing each. Default 0.25
   * (English prose in o200k); `compressText` takes it from the input's token count.
   */
  tokensPerChar?: number;
  /** How the dropped runs will show, which decides what each costs. Default `'markers'`. */
  style?: GapStyle;
  /**
   * Cost of one fold marker: with `'markers'` the marker of each gap, default 13 (o200k, a marker
   * without summary); with `'elided'` the one marker of the whole text, default 17 (with its
   * summary and line break).
   */
  markerTokens?: number;
  /** Cost of one elision with `'elided'`. Default 1 (`…` is one o200k token). */
  elisionTokens?: number;
  /** Replaces the default `scoreSentences`. */
  score?: UnitScorer;
  /** Units to choose from. Default: `splitClauses(text, splitSentences(text))`. */
  units?: readonly Clause[];
}

export interface SentenceSelection {
  units: readonly Clause[];
  /** The scorer's score of each unit. */
  scores: ArrayLike<number>;
  /** 1 where the unit stays visible. */
  kept: Uint8Array;
  /** Estimated cost of the output, markers and elisions included. */
  tokens: number;
  /** How `foldUnselected` shows the dropped runs. Default `'markers'`. */
  style?: GapStyle;
}

const MARKER_TOKENS = 13;
// Elided: `…` stands for each gap (one o200k token, alone, after a space or before a line break),
// and `\n[[fold 482913075561417: 1 line; full text]]` ends the text: 17 tokens. A summary that also
// explains the `…` ("full text; … marks omissions", 4 tokens more) cost 1.4 points of SQuAD
// retention at half the tokens; readers take `…` for an omission without being told.
const ELISION = '…';
const ELISION_TOKENS = 1;
const ELIDED_SUMMARY = 'full text';
const ELIDED_MARKER_TOKENS = 17;
// Above this many tokens a document gets a marker per gap, so that seeing one gap does not take
// unfolding the whole. Elision gains less as documents grow (on SQuAD at half the tokens: +1.4
// points on single paragraphs, +0.3 on 5, +0.1 on 20, 0 on 50 paragraphs) and the whole costs more.
const ELIDED_MAX_TOKENS = 2048;
const DEFAULT_TOKENS_PER_CHAR = 0.25;
// Folds this large get a summary (their first words), worth its ~10 tokens next to what it hides.
const SUMMARY_MIN_TOKENS = 300;
const PREVIEW_CHARS = 48;
// Measuring tokens per char reads at most this much text with the exact counter.
const CALIBRATION_CHARS = 1024;

// Question words that say which kind of fact answers the query.
const ASKS_TIME = /\b(when|what (year|century|decade|date|day|month|time|period|era)|which (year|century|decade)|how long ago)\b/;
const ASKS_NUMBER = /\bhow (many|much|long|far|old|large|big|tall|high|often|fast|heavy|deep)\b|\bwhat (percentage|percent|number|amount|proportion|fraction|size|rate|population)\b/;
const ASKS_NAME = /\b(who|whom|whose|where|which (person|country|city|company|team|group|state|nation|organization))\b/;
const MONTH_OR_ERA = /\b(january|february|march|april|may|june|july|august|september|october|november|december|century|centuries|decade|bc|ad|bce|ce)\b/i;
const NUMBER_WORD = /\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|trillion|dozen|half|percent)\b/i;

/**
 * Compresses prose by keeping the sentences that matter most for the query within the budget and
 * folding the rest: elided with one fold of the whole text when that is cheaper and the document
 * is small, a marker per gap otherwise. Passes through (returns `undefined`) when the whole text
 * fits the budget.
 */
export const compressText: Compressor = (text, context) => {
  const tokensPerChar = measureTokensPerChar(text, context);
  const units = looksLineStructured(text) ? lineUnits(text) : splitClauses(text, splitSentences(text));
  const scores = modelScores(text, units, context) ?? scoreSentences({ text, units, query: context.query });
  const options: SelectSentencesOptions = { query: context.query, budget: context.budget, tokensPerChar, units, score: () => scores };
  let selection: SentenceSelection | undefined;
  if (text.length * tokensPerChar <= ELIDED_MAX_TOKENS) {
    selection = selectSentences(text, { ...options, style: 'elided' });
    // A single gap is cheaper under its own marker, which also unfolds to just that gap.
    if (countGaps(selection) < 2) selection = undefined;
  }
  selection ??= selectSentences(text, options);
  if (context.evidence) keepEvidence(text, selection, context.evidence.keep);
  if (!selection.kept.includes(0)) return undefined;
  return foldUnselected(text, selection, tokensPerChar);
};

// Units on a line the evidence layer keeps (core/evidence.ts) stay, whatever their score.
function keepEvidence(text: string, selection: SentenceSelection, keep: Uint8Array): void {
  if (!keep.includes(1)) return;
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (let line = 0; start <= text.length && line < keep.length; line++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (keep[line]) ranges.push([start, end]);
    start = end + 1;
  }
  let next = 0;
  selection.units.forEach((unit, index) => {
    while (next < ranges.length && ranges[next]![1] <= unit.start) next++;
    const range = ranges[next];
    if (range && range[0] < unit.end && unit.start < range[1]) selection.kept[index] = 1;
  });
}

/** Scores from the caller's relevance model (`compress`'s `relevance` option), if it gave usable ones. */
function modelScores(text: string, units: readonly Clause[], context: CompressorContext): ArrayLike<number> | undefined {
  if (!context.scoreUnits || !context.query) return undefined;
  try {
    const scores = context.scoreUnits({ text, units, query: context.query });
    if (scores.length !== units.length) return undefined;
    for (let index = 0; index < scores.length; index++) if (!Number.isFinite(scores[index])) return undefined;
    return scores;
  } catch {
    return undefined; // a model that fails leaves the built-in scorer in charge
  }
}

/**
 * Chooses which units to keep: highest score first (ties by position), each taken when its cost,
 * including any gap it opens or closes (a marker or an elision, after `style`), fits the budget;
 * the best unit is taken regardless. Then every dropped run that costs no more than its gap is kept
 * after all. Pure and deterministic.
 *
 * @example
 * const { units, kept } = selectSentences(document, { query: 'who founded it?', budget: 300 });
 * const visible = units.filter((_, i) => kept[i]).map((unit) => document.slice(unit.start, unit.end));
 *
 * // Priced for `…` in each gap and one fold of the whole text, as `foldUnselected` then renders it:
 * foldUnselected(document, selectSentences(document, { query, budget: 80, style: 'elided' }));
 *
 * // A model's scores instead of BM25 (one score per unit, higher is kept first):
 * selectSentences(document, { query, budget, score: ({ text, units, query }) => model.score(text, units, query) });
 */
export function selectSentences(text: string, options: SelectSentencesOptions): SentenceSelection {
  const query = options.query ?? '';
  const tokensPerChar = options.tokensPerChar ?? DEFAULT_TOKENS_PER_CHAR;
  const style = options.style ?? 'markers';
  // What each gap costs, and what the output costs once whatever is kept: the whole-text marker.
  const gapTokens = style === 'elided' ? (options.elisionTokens ?? ELISION_TOKENS) : (options.markerTokens ?? MARKER_TOKENS);
  const fixedTokens = style === 'elided' ? (options.markerTokens ?? ELIDED_MARKER_TOKENS) : 0;
  const units = options.units ?? splitClauses(text, splitSentences(text));
  const count = units.length;
  const scores = (options.score ?? scoreSentences)({ text, units, query });
  // A plugged-in scorer may return NaN or too few scores: those count as 0.
  const value = Float64Array.from({ length: count }, (_, i) => Number(scores[i]) || 0);

  // A unit's cost includes the whitespace after it, which stays visible when it is kept.
  const cost = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    cost[i] = ((i + 1 < count ? units[i + 1]!.start : text.length) - units[i]!.start) * tokensPerChar;
  }
  const paragraphCount = count ? units[count - 1]!.paragraph + 1 : 0;
  const firstOfParagraph = new Int32Array(paragraphCount + 1).fill(count);
  for (let i = count - 1; i >= 0; i--) firstOfParagraph[units[i]!.paragraph] = i;

  const kept = new Uint8Array(count);
  const keptInParagraph = new Int32Array(paragraphCount);
  // Whether a gap starts at unit j: the gap layout follows from `kept`, so a change at one unit
  // only moves gap starts at itself, the next unit and the two paragraph starts around it.
  const foldStartsAt = (j: number): number => {
    if (j >= count || kept[j]) return 0;
    if (j === 0 || kept[j - 1]) return 1;
    const before = units[j - 1]!.paragraph;
    const here = units[j]!.paragraph;
    return before !== here && (keptInParagraph[before]! > 0 || keptInParagraph[here]! > 0) ? 1 : 0;
  };
  const foldStartsAround = (i: number): number => {
    const paragraph = units[i]!.paragraph;
    const paragraphStart = firstOfParagraph[paragraph]!;
    const nextParagraphStart = firstOfParagraph[paragraph + 1]!;
    let starts = foldStartsAt(i) + foldStartsAt(i + 1);
    if (paragraphStart !== i && paragraphStart !== i + 1) starts += foldStartsAt(paragraphStart);
    if (nextParagraphStart !== i + 1 && nextParagraphStart !== paragraphStart) starts += foldStartsAt(nextParagraphStart);
    return starts;
  };
  const setKept = (i: number, value: 0 | 1): void => {
    kept[i] = value;
    keptInParagraph[units[i]!.paragraph]! += value ? 1 : -1;
  };

  const order = Array.from({ length: count }, (_, i) => i);
  order.sort((x, y) => value[y]! - value[x]! || x - y);
  let total = count ? fixedTokens + gapTokens : 0; // everything in one gap
  for (const i of order) {
    const before = foldStartsAround(i);
    setKept(i, 1);
    const delta = cost[i]! + gapTokens * (foldStartsAround(i) - before);
    // The best unit stays even over budget: a text folded whole answers nothing.
    if (total + delta <= options.budget || i === order[0]) total += delta;
    else setKept(i, 0);
  }

  // A dropped run that costs no more than its gap is cheaper to show.
  for (const [first, last] of foldRuns(units, kept)) {
    let runCost = 0;
    for (let i = first; i <= last; i++) runCost += cost[i]!;
    if (runCost > gapTokens) continue;
    for (let i = first; i <= last; i++) setKept(i, 1);
    total += runCost - gapTokens;
  }
  return { units, scores, kept, tokens: total, style };
}

// Weights of the default scorer. With a query, on top of the unit's sentence's match (0 to 1);
// measured on SQuAD 2.0 dev: the unit's own match and its neighbours' matter (answers sit next to
// the question's words), the answer-type bonus adds about a point of retention, position little.
// A sentence that matches less than the one before it in the paragraph is lifted towards it (half
// a point of retention): answers often follow the sentence that names the question's subject
// ("… Berengaria was anchored on the south coast of Cyprus. Survivors … had been taken prisoner
// by the island's despot Isaac Komnenos.").
// Without a query, the reader's question is unknown and anything may matter: the opening part
// of the document (one contiguous block costs one marker) with each paragraph's lead and the
// central sentences kept more answers than centrality alone (52% against 48% at half the tokens).
const WEIGHTS = {
  unit: 0.5, // the unit's own match with the query
  neighbours: 0.3, // each of the clauses before and after it in the same sentence
  previousSentence: 0.5, // times how much better the sentence before in the paragraph matches
  answerType: 0.5, // holds the kind of fact the query asks for
  position: 0.1, // first unit of the document (1) or of a paragraph (0.5)
  salience: 0.5, // without a query: the sentence's centrality (0 to 1)
  lead: 1, // without a query: 1 at the start of the document, falling to 0 at its end
  positionWithoutQuery: 0.6,
  error: 2, // reports an error: above anything a query match gives
};

// A unit that reports a failure: an exception class with its message (`AttributeError: …`, `E999
// IndentationError: …`, a Java `…NullPointerException` at the end), the start of a Python
// traceback, or `error:`, `error[E0308]:`, `fatal:`, `panic:` at the start of a line or after `: `.
// Not `except ValueError as error:` or `raise ValueError(msg)`: code that handles errors.
const ERROR_WORDS = /Error|Exception|Traceback|error|ERROR|[Ff]atal|FATAL|[Pp]anic|PANIC/g;
const ERROR_LINE = /(?:^|[\s.(:])[A-Z]\w*(?:Error|Exception)(?::|$)|Traceback \(most recent call last\)|(?:^[\s\d:|>*-]*|: )(?:[Ee]rror|ERROR|[Ff]atal|FATAL|[Pp]anic|PANIC)(?:\[[\w-]{1,20}\])?:/;

/**
 * The default scorer: BM25 of the query against each unit's sentence, against the unit itself and
 * against its neighbours in the sentence (each normalised to the best match), a share of the
 * previous sentence's match when that is better, a bonus for holding the kind of fact the query
 * asks for, and the position prior. Without a query, or when no query term occurs in the text:
 * the sentence's centrality, nearness to the start, and position. Either way, units that report
 * an error (`KeyError: 'id'`, `error[E0308]: …`) get a bonus above any match.
 *
 * @example
 * const units = splitClauses(text, splitSentences(text));
 * const scores = scoreSentences({ text, units, query: 'When was the duchy founded?' });
 */
export function scoreSentences(input: { text: string; units: readonly Clause[]; query: string }): Float64Array {
  const { text, units, query } = input;
  const count = units.length;
  const scores = new Float64Array(count);
  const weights = WEIGHTS;
  const index = indexTerms(text, units);
  // Sentences numbered 0, 1, 2... over the units, whatever numbering the units carry.
  const sentenceOf = new Int32Array(count);
  for (let u = 1; u < count; u++) sentenceOf[u] = sentenceOf[u - 1]! + (units[u]!.sentence !== units[u - 1]!.sentence ? 1 : 0);

  const terms = queryTerms(query);
  const sentenceRelevance = normalise(bm25(index, terms, { group: sentenceOf }));
  if (!sentenceRelevance) {
    const salience = normalise(centrality(index, { group: sentenceOf })) ?? new Float64Array(count);
    for (let u = 0; u < count; u++) {
      scores[u] =
        weights.salience * salience[sentenceOf[u]!]! +
        weights.lead * (1 - u / count) +
        weights.positionWithoutQuery * positionPrior(units, u);
    }
    return addErrorBonus(text, units, scores);
  }
  const unitRelevance = normalise(bm25(index, terms))!;

  const lowerQuery = query.slice(0, 2000).toLowerCase();
  const wanted = ASKS_TIME.test(lowerQuery) ? 'time' : ASKS_NUMBER.test(lowerQuery) ? 'number' : ASKS_NAME.test(lowerQuery) ? 'name' : undefined;
  const queryTermSet = new Set(terms);
  // The match of the sentence before, when it is in the same paragraph.
  const previousSentence = new Float64Array(count);
  for (let u = 1, first = 0; u < count; u++) {
    if (sentenceOf[u] !== sentenceOf[u - 1]) first = u;
    const before = first - 1;
    if (before >= 0 && units[before]!.paragraph === units[u]!.paragraph) previousSentence[u] = sentenceRelevance[sentenceOf[before]!]!;
  }
  for (let u = 0; u < count; u++) {
    const sentence = sentenceOf[u]!;
    const previous = u > 0 && sentenceOf[u - 1] === sentence ? unitRelevance[u - 1]! : 0;
    const next = u + 1 < count && sentenceOf[u + 1] === sentence ? unitRelevance[u + 1]! : 0;
    let score =
      sentenceRelevance[sentence]! +
      weights.unit * unitRelevance[u]! +
      weights.neighbours * (previous + next) +
      weights.previousSentence * Math.max(0, previousSentence[u]! - sentenceRelevance[sentence]!) +
      weights.position * positionPrior(units, u);
    if (wanted && sentenceRelevance[sentence]! > 0 && holdsAnswerType(text.slice(units[u]!.start, units[u]!.end), wanted, queryTermSet)) {
      score += weights.answerType;
    }
    scores[u] = score;
  }
  return addErrorBonus(text, units, scores);
}

/**
 * Turns a selection into pieces: kept text verbatim (whitespace between units included), and the
 * dropped runs after the selection's style. With markers, one fold per dropped run, with its first
 * line number and a preview as summary when it is large (`tokensPerChar` sizes it), so that the
 * strings and the folds' `text` concatenated give `text` back. Elided, `…` for each dropped run,
 * then a line break and one fold that holds the whole of `text`.
 */
export function foldUnselected(text: string, selection: SentenceSelection, tokensPerChar = DEFAULT_TOKENS_PER_CHAR): Piece[] {
  if (selection.style === 'elided') return elideUnselected(text, selection);
  const { units, kept } = selection;
  const pieces: Piece[] = [];
  let cursor = 0;
  let line = 1; // line number at `cursor`
  for (const [first, last] of foldRuns(units, kept)) {
    const start = units[first]!.start;
    const end = units[last]!.end;
    if (start > cursor) pieces.push(text.slice(cursor, start));
    line += countNewlines(text, cursor, start);
    const folded = text.slice(start, end);
    const lines = countNewlines(folded, 0, folded.length) + 1;
    // A fold of whole lines counts lines, as unfold shows them; a fold inside a line counts chars.
    const wholeLines = onlySpacesBefore(text, start) && /^[ \t\r]*(\n|$)/.test(text.slice(end, end + 64));
    const fold: FoldRequest = wholeLines
      ? { text: folded, unit: 'lines', count: lines, firstLine: line }
      : { text: folded, unit: 'chars', count: folded.length, firstLine: line };
    if (folded.length * tokensPerChar >= SUMMARY_MIN_TOKENS) fold.summary = preview(text, units[first]!);
    pieces.push(fold);
    line += lines - 1;
    cursor = end;
  }
  if (cursor < text.length) pieces.push(text.slice(cursor));
  return pieces;
}

// Kept text with `…` for each dropped run, and the whole text as one fold on the line after it.
function elideUnselected(text: string, selection: SentenceSelection): Piece[] {
  const { units, kept } = selection;
  let shown = '';
  let cursor = 0;
  for (const [first, last] of foldRuns(units, kept)) {
    shown += text.slice(cursor, units[first]!.start) + ELISION;
    cursor = units[last]!.end;
  }
  shown += text.slice(cursor);
  const whole: FoldRequest = { text, unit: 'lines', count: countNewlines(text, 0, text.length) + 1, firstLine: 1, summary: ELIDED_SUMMARY };
  return [shown.endsWith('\n') ? shown : `${shown}\n`, whole];
}

function countGaps(selection: SentenceSelection): number {
  let gaps = 0;
  for (const _ of foldRuns(selection.units, selection.kept)) gaps++;
  return gaps;
}

// Line-structured text: each line a unit and a sentence of its own, and the whole text one
// paragraph, so that a dropped run of lines folds whole across the blank lines inside it.
function lineUnits(text: string): Clause[] {
  return splitSentences(text, { byLine: true }).map((line, i) => ({ start: line.start, end: line.end, paragraph: 0, sentence: i }));
}

/** Runs of dropped units that fold together, as [first, last] index pairs, in order. */
function* foldRuns(units: readonly Clause[], kept: Uint8Array): Generator<[number, number]> {
  const fullyDropped = new Uint8Array(units.length ? units[units.length - 1]!.paragraph + 1 : 0).fill(1);
  for (let i = 0; i < units.length; i++) if (kept[i]) fullyDropped[units[i]!.paragraph] = 0;
  let first = -1;
  for (let i = 0; i <= units.length; i++) {
    const dropped = i < units.length && !kept[i];
    if (dropped && first !== -1) {
      const before = units[i - 1]!.paragraph;
      const here = units[i]!.paragraph;
      // A run crosses a paragraph break only between whole dropped paragraphs.
      if (before === here || (fullyDropped[before] && fullyDropped[here])) continue;
    }
    if (first !== -1) yield [first, i - 1];
    first = dropped ? i : -1;
  }
}

// First sentence of the document most, first of each paragraph some.
function positionPrior(units: readonly Clause[], i: number): number {
  if (i === 0) return 1;
  return units[i - 1]!.paragraph !== units[i]!.paragraph ? 0.5 : 0;
}

// Error lines go first, with or without a query. Only units holding one of ERROR_WORDS, found in
// one native scan of the text, are tested: prose seldom has any.
function addErrorBonus(text: string, units: readonly Clause[], scores: Float64Array): Float64Array {
  ERROR_WORDS.lastIndex = 0;
  let u = 0;
  for (let match = ERROR_WORDS.exec(text); match && u < units.length; match = ERROR_WORDS.exec(text)) {
    while (u < units.length && units[u]!.end <= match.index) u++;
    if (u === units.length || units[u]!.start > match.index) continue;
    if (ERROR_LINE.test(text.slice(units[u]!.start, units[u]!.end))) scores[u]! += WEIGHTS.error;
    ERROR_WORDS.lastIndex = units[u]!.end;
    u++;
  }
  return scores;
}

// Does the sentence hold a year or date, a number, or a name that the query does not already say?
function holdsAnswerType(sentence: string, wanted: 'time' | 'number' | 'name', queryTerms: Set<number>): boolean {
  if (wanted === 'time') return /\b1\d{3}s?\b|\b20\d{2}s?\b|\b\d{1,2}(st|nd|rd|th)\b/.test(sentence) || MONTH_OR_ERA.test(sentence);
  if (wanted === 'number') return /\d/.test(sentence) || NUMBER_WORD.test(sentence);
  const words = sentence.match(/(?<=\s)[A-Z][\w'-]*/g) ?? [];
  return words.some((word) => !queryTerms.has(termHash(word, 0, word.length)));
}

// Tokens per character, so that budgets hold in the caller's tokens without tokenizing the whole
// input: from the input's count when the core has one, else measured on a sample.
function measureTokensPerChar(text: string, context: CompressorContext): number {
  if (context.inputTokens && context.inputTokens > 0 && text.length > 0) return context.inputTokens / text.length;
  return sampleTokensPerChar(text, context.countTokens);
}

/** Tokens per character of `text`, counted exactly on at most `sampleChars` spread over it. */
export function sampleTokensPerChar(text: string, countTokens: (text: string) => number, sampleChars = CALIBRATION_CHARS): number {
  let sample = text;
  if (text.length > sampleChars) {
    const part = sampleChars / 4;
    const stride = Math.floor((text.length - part) / 3);
    sample = '';
    for (let i = 0; i < 4; i++) sample += text.slice(i * stride, i * stride + part);
  }
  const perChar = countTokens(sample) / sample.length;
  return Number.isFinite(perChar) && perChar > 0 ? perChar : DEFAULT_TOKENS_PER_CHAR;
}

function preview(text: string, sentence: Clause): string {
  const head = text.slice(sentence.start, Math.min(sentence.end, sentence.start + PREVIEW_CHARS + 16)).replace(/\s+/g, ' ');
  if (head.length <= PREVIEW_CHARS) return head;
  const cut = head.lastIndexOf(' ', PREVIEW_CHARS);
  return `${head.slice(0, cut > PREVIEW_CHARS / 2 ? cut : PREVIEW_CHARS)}…`;
}

function onlySpacesBefore(text: string, at: number): boolean {
  for (let i = at - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 10) return true;
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

function countNewlines(text: string, from: number, to: number): number {
  let newlines = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) newlines++;
  return newlines;
}

// Scales scores so that the best is 1; undefined when none is above 0.
function normalise(values: Float64Array): Float64Array | undefined {
  let best = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > best) best = values[i]!;
  if (best === 0) return undefined;
  for (let i = 0; i < values.length; i++) values[i]! /= best;
  return values;
}
