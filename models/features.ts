import { bm25, indexTerms, queryTerms, type TermIndex } from '../core/compressors/bm25.ts';
import type { Clause } from '../core/compressors/sentences.ts';

/*
 * What the shipped relevance model sees of a (query, unit) pair: a row of numeric features and the
 * hashed terms of the unit and of the query. The same code prepares the training data (see
 * models/recipe/prepare.ts) and feeds the model at run time, so the two can never drift apart.
 *
 * Features are relative to the document, so that one model fits a tweet and a book: BM25 of the
 * unit, of its sentence and of its neighbours (each over the document's best), how much of the
 * query's weight the unit and its sentence cover, exactly and by word prefix ("founded" finds
 * "foundation"), the unit's rank, its distance to the best sentence, its position, what the query
 * asks for (who, when, how many...) and what kind of facts the unit holds (years, numbers, names
 * the query does not already say). The model learns which of these matter together: a "when"
 * question wants the year next to the matching words, not the matching words themselves.
 *
 * The hashed terms are BM25's own terms (lowercase, stemmed, no stopwords), each mapped to one of
 * `buckets` ids; id 0 is padding. This hashing is the model's tokenizer: `relevance.json` records
 * its settings, and a model trained with other settings is refused at load time.
 *
 * One linear pass over the text for the term index, one over each unit's characters for the
 * content flags; no string is made per word.
 */

/** The settings of the feature extractor, as recorded next to a model in its JSON file. */
export interface FeatureSettings {
  /** Number of hash buckets for terms, id 0 included (padding). */
  buckets: number;
  /** Terms of a unit fed to the model; later ones are cut. */
  unitTerms: number;
  /** Terms of the query fed to the model; later ones are cut. */
  queryTerms: number;
}

/** The features of every unit of one document for one query, row-major. */
export interface UnitFeatures {
  /** `count` rows of `FEATURE_NAMES.length` values. */
  values: Float32Array;
  /** `count` rows of `settings.unitTerms` term ids (0 = padding). */
  unitIds: Int32Array;
  /** `count` rows of `settings.queryTerms` term ids, the same row repeated (the model takes one per unit). */
  queryIds: Int32Array;
  count: number;
}

export const DEFAULT_FEATURE_SETTINGS: FeatureSettings = { buckets: 4096, unitTerms: 32, queryTerms: 12 };

// What the query asks for. Tested on the lowercased query, each one flag.
const QUERY_PATTERNS: Array<[string, RegExp]> = [
  ['asks_who', /\bwho\b/],
  ['asks_whom', /\b(whom|whose)\b/],
  ['asks_when', /\bwhen\b/],
  ['asks_where', /\bwhere\b/],
  ['asks_why', /\bwhy\b/],
  ['asks_which', /\bwhich\b/],
  ['asks_what', /\bwhat\b/],
  ['asks_how_many', /\bhow many\b/],
  ['asks_how_much', /\bhow much\b/],
  ['asks_how_measure', /\bhow (long|old|far|large|big|tall|high|often|fast|heavy|deep|wide|small)\b/],
  ['asks_how', /\bhow\b/],
  ['asks_time_word', /\b(year|years|century|decade|date|day|month|time|period|era|age)\b/],
  ['asks_percent', /\b(percent|percentage|proportion|fraction|rate|ratio)\b/],
  ['asks_naming', /\b(name|named|called|call|term|known as|title)\b/],
  ['asks_place_word', /\b(country|city|state|place|location|region|town|area|continent|river|island)\b/],
  ['asks_quantity_word', /\b(number|amount|population|size|cost|price|total)\b/],
  ['asks_person_word', /\b(person|people|man|woman|king|leader|president|author|founder|scientist)\b/],
];

/** Names of the feature columns, in order. A model records the list it was trained on. */
export const FEATURE_NAMES: readonly string[] = [
  'unit_bm25', 'unit_bm25_raw', 'sentence_bm25', 'previous_unit_bm25', 'next_unit_bm25',
  'previous_sentence_bm25', 'next_sentence_bm25', 'window_bm25',
  'unit_rank', 'sentence_rank', 'best_sentence', 'sentence_distance',
  'unit_coverage', 'sentence_coverage', 'window_coverage', 'unit_matches', 'prefix_coverage', 'sentence_prefix_coverage',
  'new_words', 'new_capitalized', 'capitalized', 'has_year', 'has_digit', 'has_number_word', 'has_month_or_era',
  'has_percent', 'has_currency', 'has_quote', 'has_parenthesis', 'starts_with_reference',
  'length', 'terms', 'clause_index', 'clauses_in_sentence', 'last_clause', 'unit_position', 'first_unit',
  'first_in_paragraph', 'document_size', 'query_terms', 'query_in_document',
  ...QUERY_PATTERNS.map(([name]) => name),
  'asks_nothing', 'holds_wanted', 'holds_wanted_in_match', 'holds_wanted_rank', 'sentence_holds_wanted',
  'unit_distance', 'coverage_over_best', 'unit_bigrams', 'sentence_bigrams',
];

const REFERENCE_WORDS = ['it', 'he', 'she', 'they', 'this', 'these', 'those', 'his', 'her', 'its', 'their', 'there', 'such'];
const MONTH_OR_ERA_WORDS = [
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november',
  'december', 'century', 'centuries', 'decade', 'decades', 'bc', 'ad', 'bce', 'ce', 'year', 'years', 'spring', 'summer',
  'autumn', 'winter',
];
const NUMBER_WORDS = [
  'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'twenty',
  'thirty', 'forty', 'fifty', 'hundred', 'hundreds', 'thousand', 'thousands', 'million', 'millions', 'billion',
  'trillion', 'dozen', 'half', 'percent', 'first', 'second', 'third',
];
// Words of a query that say nothing about the topic; the rest count for prefix matching.
const QUERY_FILLER = [
  'what', 'which', 'when', 'where', 'whom', 'whose', 'does', 'did', 'have', 'that', 'this', 'with', 'from', 'were',
  'many', 'much', 'name', 'called', 'type', 'kind', 'some', 'there', 'they', 'their', 'been', 'into', 'about', 'other',
];
const PREFIX = 5; // chars of a word compared for the prefix match
const COVERAGE_COLUMN = FEATURE_NAMES.indexOf('unit_coverage');

const referenceHashes = new Set(REFERENCE_WORDS.map((word) => wordHash(word, 0, word.length, 99)));
const monthHashes = new Set(MONTH_OR_ERA_WORDS.map((word) => wordHash(word, 0, word.length, 99)));
const numberHashes = new Set(NUMBER_WORDS.map((word) => wordHash(word, 0, word.length, 99)));
const fillerHashes = new Set(QUERY_FILLER.map((word) => wordHash(word, 0, word.length, 99)));

/**
 * Computes the model inputs for each unit of `text` (as split by `splitClauses`) for `query`.
 * Deterministic and linear in the length of the text.
 *
 * @example
 * const units = splitClauses(text, splitSentences(text));
 * const { values, unitIds, queryIds } = unitFeatures(text, units, 'Who founded it?');
 */
export function unitFeatures(
  text: string,
  units: readonly Clause[],
  query: string,
  settings: FeatureSettings = DEFAULT_FEATURE_SETTINGS,
): UnitFeatures {
  const count = units.length;
  const width = FEATURE_NAMES.length;
  const values = new Float32Array(count * width);
  const unitIds = new Int32Array(count * settings.unitTerms);
  const queryIds = new Int32Array(count * settings.queryTerms);
  if (count === 0) return { values, unitIds, queryIds, count };

  const index = indexTerms(text, units);
  const terms = queryTerms(query.slice(0, 4000));
  const sentenceOf = new Int32Array(count);
  for (let u = 1; u < count; u++) sentenceOf[u] = sentenceOf[u - 1]! + (units[u]!.sentence !== units[u - 1]!.sentence ? 1 : 0);
  const sentenceCount = sentenceOf[count - 1]! + 1;

  const unitRaw = bm25(index, terms);
  const unitRelevance = overBest(unitRaw);
  const sentenceRelevance = overBest(bm25(index, terms, { group: sentenceOf }));
  const unitRank = ranks(unitRelevance);
  const sentenceRank = ranks(sentenceRelevance);
  let bestSentence = 0;
  for (let s = 1; s < sentenceCount; s++) if (sentenceRelevance[s]! > sentenceRelevance[bestSentence]!) bestSentence = s;
  const hasMatch = sentenceRelevance[bestSentence]! > 0;

  // Which query terms each unit holds (up to 31 terms), and each term's weight in the document.
  const { masks, weights } = queryTermMasks(index, terms, count);
  const sentenceMasks = new Int32Array(sentenceCount);
  for (let u = 0; u < count; u++) sentenceMasks[sentenceOf[u]!]! |= masks[u]!;
  let totalWeight = 0;
  for (const weight of weights) totalWeight += weight;
  let queryMaskInDocument = 0;
  for (let u = 0; u < count; u++) queryMaskInDocument |= masks[u]!;

  const lowerQuery = query.slice(0, 4000).toLowerCase();
  const queryFlags = QUERY_PATTERNS.map(([, pattern]) => (pattern.test(lowerQuery) ? 1 : 0));
  const asksNothing = queryFlags.slice(0, 11).some((flag) => flag) ? 0 : 1;
  const wanted = wantedType(queryFlags);
  const queryWords = wordsOf(query.slice(0, 4000));
  const queryPrefixes = new Set<number>();
  for (const word of queryWords.prefixes) if (!fillerHashes.has(word)) queryPrefixes.add(word);
  const queryIdRow = new Int32Array(settings.queryTerms);
  for (let t = 0; t < Math.min(terms.length, settings.queryTerms); t++) queryIdRow[t] = bucket(terms[t]!, settings.buckets);

  const scan = new UnitScan(queryWords.all);
  const holding = new Uint8Array(count);
  const holdsColumn = FEATURE_NAMES.indexOf('holds_wanted');
  const unitCoverage = new Float64Array(count);
  const sentencePrefixHits = new Float64Array(sentenceCount);
  const unitPrefixHits = new Float64Array(count);
  const prefixSeen = new Set<number>();
  for (let u = 0; u < count; u++) {
    const unit = units[u]!;
    scan.read(text, unit.start, unit.end);
    prefixSeen.clear();
    for (const prefix of scan.prefixes) if (queryPrefixes.has(prefix)) prefixSeen.add(prefix);
    unitPrefixHits[u] = prefixSeen.size;
    // Counted per unit then summed: a prefix repeated across a sentence's units counts again, a
    // small overcount that only matters for long sentences.
    sentencePrefixHits[sentenceOf[u]!]! += prefixSeen.size;

    const sentence = sentenceOf[u]!;
    const previous = u > 0 && sentenceOf[u - 1] === sentence ? unitRelevance[u - 1]! : 0;
    const next = u + 1 < count && sentenceOf[u + 1] === sentence ? unitRelevance[u + 1]! : 0;
    const windowMask = masks[u]! | (u > 0 && sentenceOf[u - 1] === sentence ? masks[u - 1]! : 0) | (u + 1 < count && sentenceOf[u + 1] === sentence ? masks[u + 1]! : 0);
    let clauseIndex = 0;
    while (u - clauseIndex > 0 && sentenceOf[u - clauseIndex - 1] === sentence) clauseIndex++;
    let clausesAfter = 0;
    while (u + clausesAfter + 1 < count && sentenceOf[u + clausesAfter + 1] === sentence) clausesAfter++;
    const termCount = index.offsets[u + 1]! - index.offsets[u]!;

    const row = [
      unitRelevance[u]!,
      unitRaw[u]! / (1 + unitRaw[u]!),
      sentenceRelevance[sentence]!,
      previous,
      next,
      sentence > 0 ? sentenceRelevance[sentence - 1]! : 0,
      sentence + 1 < sentenceCount ? sentenceRelevance[sentence + 1]! : 0,
      Math.max(unitRelevance[u]!, previous, next),
      1 / (1 + unitRank[u]!),
      1 / (1 + sentenceRank[sentence]!),
      hasMatch && sentence === bestSentence ? 1 : 0,
      hasMatch ? Math.min(Math.abs(sentence - bestSentence), 5) / 5 : 1,
      coverage(masks[u]!, weights, totalWeight),
      coverage(sentenceMasks[sentence]!, weights, totalWeight),
      coverage(windowMask, weights, totalWeight),
      terms.length ? popcount(masks[u]!) / Math.min(terms.length, 31) : 0,
      queryPrefixes.size ? unitPrefixHits[u]! / queryPrefixes.size : 0,
      0, // sentence prefix coverage, filled below once every unit of the sentence is read
      scan.words ? scan.newWords / scan.words : 0,
      Math.min(scan.newCapitalized, 4) / 4,
      Math.min(scan.capitalized, 6) / 6,
      scan.year,
      scan.digit,
      scan.numberWord,
      scan.monthOrEra,
      scan.percent,
      scan.currency,
      scan.quote,
      scan.parenthesis,
      scan.startsWithReference,
      Math.min(unit.end - unit.start, 600) / 600,
      Math.min(termCount, 40) / 40,
      Math.min(clauseIndex, 3) / 3,
      Math.min(clauseIndex + clausesAfter + 1, 4) / 4,
      clausesAfter === 0 ? 1 : 0,
      u / count,
      u === 0 ? 1 : 0,
      u === 0 || units[u - 1]!.paragraph !== unit.paragraph ? 1 : 0,
      Math.min(Math.log1p(count) / 6, 1),
      Math.min(terms.length, 12) / 12,
      terms.length ? popcount(queryMaskInDocument) / Math.min(terms.length, 31) : 0,
      ...queryFlags,
      asksNothing,
      0, // holds the kind of fact the query asks for, filled below
      0,
      ...[0, 0, 0, 0, 0, 0], // rank among holding units ... sentence bigrams: need every unit read, filled below
    ];
    const holds = wanted === 'time' ? scan.year || scan.monthOrEra : wanted === 'number' ? scan.digit || scan.numberWord : wanted === 'name' ? (scan.newCapitalized > 0 ? 1 : 0) : 0;
    holding[u] = holds;
    row[holdsColumn] = holds;
    row[holdsColumn + 1] = holds * sentenceRelevance[sentence]!;
    unitCoverage[u] = row[COVERAGE_COLUMN]!;
    values.set(row, u * width);
    const from = index.offsets[u]!;
    const to = Math.min(index.offsets[u + 1]!, from + settings.unitTerms);
    for (let t = from; t < to; t++) unitIds[u * settings.unitTerms + (t - from)] = bucket(index.terms[t]!, settings.buckets);
    queryIds.set(queryIdRow, u * settings.queryTerms);
  }
  const sentencePrefixColumn = FEATURE_NAMES.indexOf('sentence_prefix_coverage');
  if (queryPrefixes.size) {
    for (let u = 0; u < count; u++) {
      values[u * width + sentencePrefixColumn] = Math.min(sentencePrefixHits[sentenceOf[u]!]! / queryPrefixes.size, 1);
    }
  }
  fillBigramColumns(values, width, holdsColumn + 6, index, terms, sentenceOf);
  fillDocumentColumns(values, width, holdsColumn + 2, { units: count, sentenceOf, holding, unitRelevance, sentenceRelevance, unitCoverage });
  return { values, unitIds, queryIds, count };
}

// How many of the query's word pairs (consecutive terms, "Norman conquest") a unit and its
// sentence repeat, over the number of pairs: questions often copy a phrase of the answer's sentence.
function fillBigramColumns(values: Float32Array, width: number, column: number, index: TermIndex, terms: Int32Array, sentenceOf: Int32Array): void {
  if (terms.length < 2) return;
  const pairs = new Map<number, number>();
  for (let t = 1; t < terms.length && pairs.size < 31; t++) {
    const pair = pairHash(terms[t - 1]!, terms[t]!);
    if (!pairs.has(pair)) pairs.set(pair, pairs.size);
  }
  const units = index.offsets.length - 1;
  const masks = new Int32Array(units);
  for (let u = 0; u < units; u++) {
    for (let t = index.offsets[u]! + 1; t < index.offsets[u + 1]!; t++) {
      const slot = pairs.get(pairHash(index.terms[t - 1]!, index.terms[t]!));
      if (slot !== undefined) masks[u]! |= 1 << slot;
    }
  }
  const sentenceMasks = new Int32Array(sentenceOf[units - 1]! + 1);
  for (let u = 0; u < units; u++) sentenceMasks[sentenceOf[u]!]! |= masks[u]!;
  for (let u = 0; u < units; u++) {
    values[u * width + column] = popcount(masks[u]!) / pairs.size;
    values[u * width + column + 1] = popcount(sentenceMasks[sentenceOf[u]!]!) / pairs.size;
  }
}

function pairHash(first: number, second: number): number {
  return Math.imul(first, 31) ^ second;
}

// Columns that compare a unit with the rest of the document: among the units holding the wanted
// kind of fact, its rank by the match around it; whether its sentence holds one; its distance in
// units to the best-matching unit; its query coverage over the best unit's.
function fillDocumentColumns(
  values: Float32Array,
  width: number,
  column: number,
  document: { units: number; sentenceOf: Int32Array; holding: Uint8Array; unitRelevance: Float64Array; sentenceRelevance: Float64Array; unitCoverage: Float64Array },
): void {
  const { units, sentenceOf, holding, unitRelevance, sentenceRelevance, unitCoverage } = document;
  const sentenceHolds = new Uint8Array(sentenceOf[units - 1]! + 1);
  for (let u = 0; u < units; u++) if (holding[u]) sentenceHolds[sentenceOf[u]!] = 1;
  // A holding unit's match: its sentence's, plus its own and its neighbours' in the sentence.
  const match = new Float64Array(units).fill(-1);
  for (let u = 0; u < units; u++) {
    if (!holding[u]) continue;
    const sentence = sentenceOf[u]!;
    const previous = u > 0 && sentenceOf[u - 1] === sentence ? unitRelevance[u - 1]! : 0;
    const next = u + 1 < units && sentenceOf[u + 1] === sentence ? unitRelevance[u + 1]! : 0;
    match[u] = sentenceRelevance[sentence]! + 0.5 * Math.max(unitRelevance[u]!, previous, next);
  }
  const rank = ranks(match);
  let bestUnit = 0;
  let bestCoverage = 0;
  for (let u = 0; u < units; u++) {
    if (unitRelevance[u]! > unitRelevance[bestUnit]!) bestUnit = u;
    bestCoverage = Math.max(bestCoverage, unitCoverage[u]!);
  }
  const anyMatch = unitRelevance[bestUnit]! > 0;
  for (let u = 0; u < units; u++) {
    const row = u * width + column;
    values[row] = holding[u] ? 1 / (1 + rank[u]!) : 0;
    values[row + 1] = sentenceHolds[sentenceOf[u]!]!;
    values[row + 2] = anyMatch ? Math.min(Math.abs(u - bestUnit), 5) / 5 : 1;
    values[row + 3] = bestCoverage > 0 ? unitCoverage[u]! / bestCoverage : 0;
  }
}

// The kind of fact the query asks for, from its flags (see QUERY_PATTERNS): a year or date, a
// number, or a name; undefined for "what", "why", "how".
function wantedType(flags: number[]): 'time' | 'number' | 'name' | undefined {
  const flag = (name: string): number => flags[QUERY_PATTERNS.findIndex(([key]) => key === name)]!;
  if (flag('asks_when') || ((flag('asks_what') || flag('asks_which')) && flag('asks_time_word'))) return 'time';
  if (flag('asks_how_many') || flag('asks_how_much') || flag('asks_how_measure') || flag('asks_percent') || flag('asks_quantity_word')) return 'number';
  if (flag('asks_who') || flag('asks_whom') || flag('asks_where') || flag('asks_person_word') || flag('asks_place_word')) return 'name';
  return undefined;
}

/** The id of a term hash among `buckets` ids, 1 to buckets - 1 (0 is padding). */
export function bucket(hash: number, buckets: number): number {
  return ((hash >>> 0) % (buckets - 1)) + 1;
}

// Reads one unit's words and what kind of facts it holds. Reused across units: no allocation.
class UnitScan {
  readonly queryWords: Set<number>;
  prefixes: number[] = [];
  words = 0;
  newWords = 0;
  capitalized = 0;
  newCapitalized = 0;
  year = 0;
  digit = 0;
  numberWord = 0;
  monthOrEra = 0;
  percent = 0;
  currency = 0;
  quote = 0;
  parenthesis = 0;
  startsWithReference = 0;

  constructor(queryWords: Set<number>) {
    this.queryWords = queryWords;
  }

  read(text: string, start: number, end: number): void {
    this.prefixes.length = 0;
    this.words = this.newWords = this.capitalized = this.newCapitalized = 0;
    this.year = this.digit = this.numberWord = this.monthOrEra = 0;
    this.percent = this.currency = this.quote = this.parenthesis = this.startsWithReference = 0;
    let i = start;
    let first = true;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (isLetter(c)) {
        let wordEnd = i + 1;
        while (wordEnd < end && (isLetter(text.charCodeAt(wordEnd)) || text.charCodeAt(wordEnd) === 39)) wordEnd++;
        const full = wordHash(text, i, wordEnd, 99);
        const upper = c >= 65 && c <= 90;
        this.words++;
        const isNew = !this.queryWords.has(full);
        if (isNew) this.newWords++;
        if (upper && !first) {
          this.capitalized++;
          if (isNew) this.newCapitalized++;
        }
        if (first && referenceHashes.has(full)) this.startsWithReference = 1;
        if (monthHashes.has(full)) this.monthOrEra = 1;
        if (numberHashes.has(full)) this.numberWord = 1;
        if (wordEnd - i >= 4) this.prefixes.push(wordHash(text, i, wordEnd, PREFIX));
        first = false;
        i = wordEnd;
        continue;
      }
      if (c >= 48 && c <= 57) {
        let numberEnd = i + 1;
        while (numberEnd < end && isDigit(text.charCodeAt(numberEnd))) numberEnd++;
        this.digit = 1;
        if (numberEnd - i === 4 && !isDigit(text.charCodeAt(i - 1))) {
          const value = Number(text.slice(i, numberEnd));
          if (value >= 1000 && value <= 2099) this.year = 1;
        }
        first = false;
        i = numberEnd;
        continue;
      }
      if (c === 37) this.percent = 1;
      else if (c === 36 || c === 0xa3 || c === 0x20ac || c === 0xa5) this.currency = 1;
      else if (c === 34 || c === 0x201c || c === 0x201d) this.quote = 1;
      else if (c === 40) this.parenthesis = 1;
      i++;
    }
  }
}

// The lowercase hashes of a text's words: whole (`all`) and their first PREFIX chars (`prefixes`,
// words of 4+ letters).
function wordsOf(text: string): { all: Set<number>; prefixes: Set<number> } {
  const all = new Set<number>();
  const prefixes = new Set<number>();
  let i = 0;
  while (i < text.length) {
    if (!isLetter(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < text.length && (isLetter(text.charCodeAt(end)) || text.charCodeAt(end) === 39)) end++;
    all.add(wordHash(text, i, end, 99));
    if (end - i >= 4) prefixes.add(wordHash(text, i, end, PREFIX));
    i = end;
  }
  return { all, prefixes };
}

// FNV-1a of the first `limit` chars of a word, ASCII letters lowercased.
function wordHash(text: string, start: number, end: number, limit: number): number {
  let hash = 0x811c9dc5 | 0;
  const stop = Math.min(end, start + limit);
  for (let i = start; i < stop; i++) {
    let c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    hash = Math.imul(hash ^ c, 0x01000193);
  }
  return hash;
}

// For each unit, a bit per query term it holds; each term's weight is its IDF over the units.
function queryTermMasks(index: TermIndex, terms: Int32Array, count: number): { masks: Int32Array; weights: Float64Array } {
  const slotOf = new Map<number, number>();
  for (const term of terms) if (!slotOf.has(term) && slotOf.size < 31) slotOf.set(term, slotOf.size);
  const masks = new Int32Array(count);
  const frequency = new Float64Array(slotOf.size);
  if (slotOf.size === 0) return { masks, weights: frequency };
  for (let u = 0; u < count; u++) {
    let mask = 0;
    for (let t = index.offsets[u]!; t < index.offsets[u + 1]!; t++) {
      const slot = slotOf.get(index.terms[t]!);
      if (slot !== undefined) mask |= 1 << slot;
    }
    masks[u] = mask;
    for (let slot = 0; slot < frequency.length; slot++) if (mask & (1 << slot)) frequency[slot]!++;
  }
  const weights = frequency.map((f) => Math.log(1 + (count - f + 0.5) / (f + 0.5)));
  return { masks, weights };
}

function coverage(mask: number, weights: Float64Array, total: number): number {
  if (total <= 0) return 0;
  let covered = 0;
  for (let slot = 0; slot < weights.length; slot++) if (mask & (1 << slot)) covered += weights[slot]!;
  return covered / total;
}

function popcount(mask: number): number {
  let bits = 0;
  for (let m = mask >>> 0; m; m &= m - 1) bits++;
  return bits;
}

// Values over the best value (0 when all are 0).
function overBest(values: Float64Array): Float64Array {
  let best = 0;
  for (const value of values) if (value > best) best = value;
  return best > 0 ? values.map((value) => value / best) : new Float64Array(values.length);
}

// 0 for the highest value, ties by position.
function ranks(values: Float64Array): Int32Array {
  const order = Array.from(values.keys()).sort((x, y) => values[y]! - values[x]! || x - y);
  const rank = new Int32Array(values.length);
  order.forEach((unit, position) => (rank[unit] = position));
  return rank;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && c < 0x2000);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
