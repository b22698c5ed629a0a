/*
 * Term statistics for ranking text units: BM25 against a query, and a query-free centrality.
 *
 * A term is a lowercase word or number, accents folded, lightly stemmed, stopwords and single
 * letters left out. Terms are 32-bit hashes computed straight from the text's char codes, so
 * indexing a multi-megabyte document allocates no string per word; a rare hash collision only
 * blurs a score. Everything is linear in the length of the text.
 */

/** The terms of each unit, back to back: unit `u` has `terms[offsets[u]]` to `terms[offsets[u + 1] - 1]`. */
export interface TermIndex {
  terms: Int32Array;
  offsets: Int32Array;
}

/** A range of the text: a sentence, a clause, a whole document. */
export interface TextRange {
  start: number;
  end: number;
}

export interface Bm25Options {
  /** Scores groups of consecutive units instead: `group[u]`, non-decreasing from 0. */
  group?: ArrayLike<number>;
  /** Term-frequency saturation. Default 1.2. */
  k1?: number;
  /** Length normalisation, 0 (none) to 1 (full). Default 0.75. */
  b?: number;
}

// Lowercase forms of non-ASCII char codes, filled on first use (see `lowerChar`).
let foldedChars: Uint16Array | undefined;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
// The hash after each of a word's last 8 prefixes, and its last 8 chars, indexed by position & 7:
// stemming looks back at most 6 chars, so the stem's hash is already computed when the word ends.
const prefixHashes = new Int32Array(8);
const lastChars = new Int32Array(8);

// Common English function words, plus question words: they carry no topic.
const STOPWORDS = (
  'a an and are as at be been being but by can could did do does doing done for from had has have having he her ' +
  'hers him his how i if in into is it its itself me my no nor not of off on once only or other our ours out over ' +
  'own same she should so some such than that the their theirs them then there these they this those through to ' +
  'too under until up very was we were what when where which while who whom whose why will with would you your ' +
  'yours also about after again against all am any because before below between both during each few further ' +
  'here more most just now many much may might must shall us upon per via'
).split(' ');
// Stopword hashes in an open-addressing table (0 = empty): checked for most words of a text, and
// an integer array beats a Set of numbers that do not fit a small integer.
const STOPWORD_TABLE = new Int32Array(1024);
for (const word of STOPWORDS) {
  let slot = hashRange(word, 0, word.length) & 1023;
  while (STOPWORD_TABLE[slot] !== 0) slot = (slot + 1) & 1023;
  STOPWORD_TABLE[slot] = hashRange(word, 0, word.length);
}

function isStopwordHash(hash: number): boolean {
  for (let slot = hash & 1023; STOPWORD_TABLE[slot] !== 0; slot = (slot + 1) & 1023) {
    if (STOPWORD_TABLE[slot] === hash) return true;
  }
  return false;
}

/**
 * The distinct terms of a text (a query), as hashes comparable with a `TermIndex`'s.
 *
 * @example
 * queryTerms('In what country is Normandy located?').length // 3: country, normandy, locat(e|ed)
 */
export function queryTerms(text: string): Int32Array {
  const out = { terms: new Int32Array(64), count: 0 };
  scanTerms(text, 0, text.length, out);
  return Int32Array.from(new Set(out.terms.subarray(0, out.count)));
}

/** Indexes the terms of each range of `text`, in one scan without per-word strings. */
export function indexTerms(text: string, ranges: readonly TextRange[]): TermIndex {
  const offsets = new Int32Array(ranges.length + 1);
  const out = { terms: new Int32Array(Math.max(64, text.length >> 3)), count: 0 };
  for (let u = 0; u < ranges.length; u++) {
    scanTerms(text, ranges[u]!.start, ranges[u]!.end, out);
    offsets[u + 1] = out.count;
  }
  return { terms: out.terms.subarray(0, out.count), offsets };
}

/** The term hash of one word (`text.slice(start, end)`), or 0 for a stopword or a single letter. */
export function termHash(text: string, start = 0, end = text.length): number {
  const out = { terms: new Int32Array(4), count: 0 };
  scanTerms(text, start, end, out);
  return out.count > 0 ? out.terms[0]! : 0;
}

// Appends the term hashes of text[start, end) to `out`. FNV-1a over lowercase, accent-folded char
// codes; the light stemmer (located, locate, locates -> locat; cities -> city) picks which prefix
// hash is the term's.
function scanTerms(text: string, start: number, end: number, out: { terms: Int32Array; count: number }): void {
  let i = start;
  while (i < end) {
    let c = text.charCodeAt(i);
    // Fast skip of ASCII spaces and punctuation.
    if (c < 48 || (c > 57 && c < 65) || (c > 90 && c < 97) || (c > 122 && c < 128)) {
      i++;
      continue;
    }
    c = lowerChar(c);
    if (!isTermChar(c)) {
      i++;
      continue;
    }
    // Chinese and Japanese have no spaces between words: each ideograph or kana is a term.
    const singleCharTerm = isDigit(c) || isIdeograph(c);
    let hash = FNV_OFFSET;
    let length = 0;
    prefixHashes[0] = hash;
    for (;;) {
      lastChars[length & 7] = c;
      hash = Math.imul(hash ^ c, FNV_PRIME);
      length++;
      prefixHashes[length & 7] = hash;
      if (++i >= end) break;
      c = lowerChar(text.charCodeAt(i));
      if (!isTermChar(c) || isIdeograph(c) || isIdeograph(lastChars[(length - 1) & 7]!)) break;
    }
    if (length === 1 && !singleCharTerm) continue;
    if (length <= 8 && isStopwordHash(hash)) continue;
    const drop = stemDrop(length);
    let term = prefixHashes[(length - (drop >> 1)) & 7]!;
    if (drop & 1) term = Math.imul(term ^ 121, FNV_PRIME); // the stem ends in a "y" the word did not have
    if (out.count === out.terms.length) {
      const grown = new Int32Array(out.terms.length * 2);
      grown.set(out.terms);
      out.terms = grown;
    }
    out.terms[out.count++] = term === 0 ? 1 : term;
  }
}

// How many chars the stemmer drops from the word in `lastChars` (times 2), plus 1 when it then
// appends "y". -ies -> -y, -sses -> -ss, -s (not -ss, -us, -is); then -ing, -ied -> -y, -ed;
// then a final -e.
function stemDrop(length: number): number {
  if (length <= 3) return 0;
  const at = (fromEnd: number): number => lastChars[(length - fromEnd) & 7]!;
  if (length > 4 && at(3) === 105 && at(2) === 101 && at(1) === 115) return (3 << 1) | 1;
  let drop = 0;
  if (at(1) === 115 && at(2) !== 115 && at(2) !== 117 && at(2) !== 105) drop = 1;
  else if (at(1) === 115 && at(2) === 115 && at(3) === 101 && at(4) === 115) drop = 2;
  const stemLength = length - drop;
  if (stemLength > 5 && at(drop + 3) === 105 && at(drop + 2) === 110 && at(drop + 1) === 103) drop += 3;
  else if (stemLength > 4 && at(drop + 3) === 105 && at(drop + 2) === 101 && at(drop + 1) === 100) return ((drop + 3) << 1) | 1;
  else if (stemLength > 4 && at(drop + 2) === 101 && at(drop + 1) === 100) drop += 2;
  if (length - drop > 4 && at(drop + 1) === 101) drop += 1;
  return drop << 1;
}

/**
 * Okapi BM25 of each unit (or group of units) against the query terms, with the units (groups)
 * themselves as the collection.
 */
export function bm25(index: TermIndex, query: Int32Array, options: Bm25Options = {}): Float64Array {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  const { groupCount, groupOf } = groups(index, options.group);
  const scores = new Float64Array(groupCount);
  const slotOf = new Map<number, number>();
  // Most terms are not in the query: a 4096-bit filter answers for them without the map.
  const filter = new Uint8Array(4096);
  for (const hash of query) {
    if (slotOf.has(hash)) continue;
    slotOf.set(hash, slotOf.size);
    filter[hash & 4095] = 1;
  }
  const slots = slotOf.size;
  if (slots === 0 || groupCount === 0) return scores;
  const unitCount = index.offsets.length - 1;
  const slotAt = (t: number): number => {
    const hash = index.terms[t]!;
    return filter[hash & 4095] ? (slotOf.get(hash) ?? -1) : -1;
  };

  // First pass: each group's length and how many groups hold each query term.
  const lengths = new Float64Array(groupCount);
  const frequency = new Float64Array(slots);
  const lastGroup = new Int32Array(slots).fill(-1);
  for (let u = 0; u < unitCount; u++) {
    const g = groupOf(u);
    lengths[g]! += index.offsets[u + 1]! - index.offsets[u]!;
    for (let t = index.offsets[u]!; t < index.offsets[u + 1]!; t++) {
      const slot = slotAt(t);
      if (slot === -1 || lastGroup[slot] === g) continue;
      lastGroup[slot] = g;
      frequency[slot]!++;
    }
  }
  const idf = frequency.map((f) => Math.log(1 + (groupCount - f + 0.5) / (f + 0.5)));
  let totalLength = 0;
  for (let g = 0; g < groupCount; g++) totalLength += lengths[g]!;
  const averageLength = totalLength / groupCount || 1;

  // Second pass: term frequencies per group (groups are runs of units), scored at each group's end.
  const tf = new Float64Array(slots);
  const touched: number[] = [];
  for (let u = 0; u < unitCount; u++) {
    const g = groupOf(u);
    for (let t = index.offsets[u]!; t < index.offsets[u + 1]!; t++) {
      const slot = slotAt(t);
      if (slot === -1) continue;
      if (tf[slot] === 0) touched.push(slot);
      tf[slot]!++;
    }
    if (u + 1 < unitCount && groupOf(u + 1) === g) continue;
    const norm = k1 * (1 - b + (b * lengths[g]!) / averageLength);
    let score = 0;
    for (const slot of touched) {
      score += (idf[slot]! * tf[slot]! * (k1 + 1)) / (tf[slot]! + norm);
      tf[slot] = 0;
    }
    touched.length = 0;
    scores[g] = score;
  }
  return scores;
}

/**
 * How central each unit (or group) is to the document without a query: the sum, over its distinct
 * terms, of the log of how many units share the term, over the square root of its length. Units
 * that restate the document's recurring topics score high; asides and boilerplate score low.
 */
export function centrality(index: TermIndex, options: Pick<Bm25Options, 'group'> = {}): Float64Array {
  const { groupCount, groupOf } = groups(index, options.group);
  const unitCount = index.offsets.length - 1;
  const table = new TermTable();
  const slotOfTerm = new Int32Array(index.terms.length);
  for (let u = 0; u < unitCount; u++) {
    const g = groupOf(u);
    for (let t = index.offsets[u]!; t < index.offsets[u + 1]!; t++) slotOfTerm[t] = table.countOnce(index.terms[t]!, g);
  }
  const scores = new Float64Array(groupCount);
  const lengths = new Float64Array(groupCount);
  const seen = new Int32Array(table.size).fill(-1);
  for (let u = 0; u < unitCount; u++) {
    const g = groupOf(u);
    lengths[g]! += index.offsets[u + 1]! - index.offsets[u]!;
    for (let t = index.offsets[u]!; t < index.offsets[u + 1]!; t++) {
      const slot = slotOfTerm[t]!;
      if (seen[slot] === g) continue;
      seen[slot] = g;
      scores[g]! += Math.log(table.frequency(slot));
    }
  }
  for (let g = 0; g < groupCount; g++) scores[g] = lengths[g] ? scores[g]! / Math.sqrt(lengths[g]! + 4) : 0;
  return scores;
}

// FNV-1a over the lowercased, accent-folded char codes of a range.
function hashRange(text: string, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ lowerChar(text.charCodeAt(i)), 0x01000193);
  return hash;
}

// Lowercase, accent-folded char code: `É` -> `e`. ASCII is inline; the rest is computed once.
function lowerChar(c: number): number {
  if (c < 128) return c >= 65 && c <= 90 ? c + 32 : c;
  foldedChars ??= new Uint16Array(65536);
  let folded = foldedChars[c]!;
  if (folded === 0) {
    folded = String.fromCharCode(c).toLowerCase().normalize('NFD').charCodeAt(0) || c;
    foldedChars[c] = folded;
  }
  return folded;
}

// CJK ideographs, kana and hangul syllables.
function isIdeograph(c: number): boolean {
  return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// Letters and digits; non-ASCII counts as a letter except the punctuation and space blocks.
function isTermChar(c: number): boolean {
  if ((c >= 97 && c <= 122) || isDigit(c)) return true;
  if (c < 0xc0) return false;
  return !(c >= 0x2000 && c <= 0x206f) && !(c >= 0x3000 && c <= 0x303f) && !(c >= 0xff00 && c <= 0xff0f) && c !== 0xd7 && c !== 0xf7;
}

function groups(index: TermIndex, group: ArrayLike<number> | undefined): { groupCount: number; groupOf: (u: number) => number } {
  const unitCount = index.offsets.length - 1;
  if (!group) return { groupCount: unitCount, groupOf: (u) => u };
  return { groupCount: unitCount ? group[unitCount - 1]! + 1 : 0, groupOf: (u) => group[u]! };
}

/** Open-addressing hash table from term hash to the number of groups holding it. */
class TermTable {
  size = 0;
  private keys = new Int32Array(4096);
  private slots = new Int32Array(4096).fill(-1);
  private frequencies: number[] = [];
  private lastGroup: number[] = [];

  /** The term's slot; counts `group` once per term. */
  countOnce(hash: number, group: number): number {
    if (this.size * 2 >= this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    let i = hash & mask;
    while (this.slots[i] !== -1 && this.keys[i] !== hash) i = (i + 1) & mask;
    let slot = this.slots[i]!;
    if (slot === -1) {
      slot = this.size++;
      this.keys[i] = hash;
      this.slots[i] = slot;
      this.frequencies.push(0);
      this.lastGroup.push(-1);
    }
    if (this.lastGroup[slot] !== group) {
      this.lastGroup[slot] = group;
      this.frequencies[slot]!++;
    }
    return slot;
  }

  frequency(slot: number): number {
    return this.frequencies[slot]!;
  }

  private grow(): void {
    const keys = this.keys;
    const slots = this.slots;
    this.keys = new Int32Array(keys.length * 2);
    this.slots = new Int32Array(keys.length * 2).fill(-1);
    const mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      if (slots[j] === -1) continue;
      let i = keys[j]! & mask;
      while (this.slots[i] !== -1) i = (i + 1) & mask;
      this.keys[i] = keys[j]!;
      this.slots[i] = slots[j]!;
    }
  }
}
