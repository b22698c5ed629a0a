import { quoteValue } from '../folds.ts';
import { countBelow } from './json-plan.ts';
import { unquote } from './json-rows.ts';
import { ARRAY, ATOM, OBJECT, STRING, childrenOf, keyOf, rawOf } from './json-scan.ts';
import type { JsonTree } from './json-scan.ts';

/*
 * What a JSON fold holds and what its marker says, so that a model can reach one value in it.
 *
 * - Text: one entry per line. A collection's hidden rows are one per line (so `grep "5.0.2"`
 *   returns the one release it names, and `lines` pages row by row); a row or an object too long
 *   for one line is laid out with one member per line, nested collections the same way, two
 *   spaces of indent per level. Only whitespace outside strings changes: every value is the
 *   source's raw slice, and the text is still JSON.
 * - Summary: words for what is inside. The categorical counts of json-rows.ts when there are
 *   some (`color blue 470, red 11`); for scalars, the first and last hidden value or key and the
 *   range of their numbers or dates: `keys "0.8.1-1" to "5.7.2", dates 2012-10-01 to 2024-11-22`;
 *   for rows of objects, the first and last value of the field that names them.
 */

/** A row longer than this is laid out over lines rather than kept on one (about 1,000 tokens). */
const MAX_ROW_CHARS = 4000;
/** Inside a laid-out value, a collection that fits in this many characters stays on one line. */
const MAX_INLINE_CHARS = 200;
const MAX_QUOTED_CHARS = 24;
const ISO_DATE = /^"(\d{4}-\d\d-\d\d)/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
// Fields that name a row, in order of preference.
const NAMING_KEY = /^"(id|key|name|login|sha|number|title|slug|\w*_id|\w*Id|\w*_name|path|url)"$/;

/**
 * The text of a fold of some rows of a collection: one row per line, raw and minified; a map's
 * rows carry their key (`"5.0.2":"2023-03-16T…"`). A row over `MAX_ROW_CHARS` is laid out.
 * When each row sat alone on one input line (pretty-printed JSON with one row a line, NDJSON)
 * and none was laid out, `lineNumbers` gives each fold line the input line that holds that row,
 * so that `unfold`'s `lines` and `grep` speak of the input's lines. A row spread over several
 * input lines (`JSON.stringify(rows, null, 2)`), or sharing its line, leaves the fold unnumbered:
 * numbering it by the line of its `{` would send `lines` and `grep` to the wrong line.
 *
 * @example
 * foldedRowsText(tree, [releaseNode], true, lineIndex(text)); // { text: '"5.0.2":"2023-03-16T17:09:36.391Z"', lineNumbers: [1045] }
 */
export function foldedRowsText(
  tree: JsonTree,
  rows: readonly number[],
  withKeys: boolean,
  lineOf: LineOf,
): { text: string; lineNumbers?: number[] } {
  const lines = rows.map((row) => layout(tree, row, withKeys, '', MAX_ROW_CHARS));
  const text = lines.join('\n');
  if (!lineOf.holds || lines.some((line) => line.includes('\n'))) return { text };
  const lineNumbers = rows.map((row) => lineOf(tree.source[row]!));
  for (let index = 1; index < lineNumbers.length; index++) if (lineNumbers[index]! <= lineNumbers[index - 1]!) return { text };
  for (let index = 0; index < lines.length; index++) if (!lineOf.holds(lineNumbers[index]!, lines[index]!)) return { text };
  return { text, lineNumbers };
}

/**
 * The input line of an input offset; from `lineIndex`, also whether an input line holds exactly
 * one row. A plain function numbers no fold.
 */
export type LineOf = ((offset: number) => number) & { holds?: (line: number, row: string) => boolean };

/**
 * The 1-based line of an offset of `text`, by binary search over its line breaks (found on the
 * first call: a fold of a minified document never pays for them), and `holds(line, row)`: whether
 * that input line is `row` (minified) up to whitespace outside strings and one trailing comma.
 *
 * @example
 * lineIndex('a\nb')(2); // 2
 * lineIndex('[\n  {"id": 1},\n  {"id": 2}\n]').holds(2, '{"id":1}'); // true
 */
export function lineIndex(text: string): LineOf & { holds: NonNullable<LineOf['holds']> } {
  let breaks: number[] | undefined;
  const breaksOf = () => {
    if (!breaks) {
      breaks = [];
      for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) breaks.push(at);
    }
    return breaks;
  };
  const lineOf = (offset: number) => countBelow(breaksOf(), offset) + 1;
  const holds = (line: number, row: string) => {
    const all = breaksOf();
    if (line < 1 || line > all.length + 1) return false;
    return lineIs(text, line === 1 ? 0 : all[line - 2]! + 1, line <= all.length ? all[line - 1]! : text.length, row);
  };
  return Object.assign(lineOf, { holds });
}

// Whether text[from, to) is `row` once whitespace outside strings goes from both (a `RAW` line
// keeps its own), with at most one comma after it. Stops at the first difference, so a long line
// costs about what the row costs.
function lineIs(text: string, from: number, to: number, row: string): boolean {
  const blank = (c: number) => c === 32 || c === 9 || c === 13 || c === 10;
  let at = 0;
  let inString = false;
  let escaped = false;
  let comma = false;
  for (let index = from; index < to; index++) {
    const c = text.charCodeAt(index);
    if (!inString && blank(c)) continue;
    while (!inString && at < row.length && blank(row.charCodeAt(at))) at++;
    if (at === row.length) {
      if (c !== 44 || comma) return false;
      comma = true;
      continue;
    }
    if (c !== row.charCodeAt(at++)) return false;
    if (escaped) escaped = false;
    else if (inString && c === 92) escaped = true;
    else if (c === 34) inString = !inString;
  }
  while (!inString && at < row.length && blank(row.charCodeAt(at))) at++;
  return at === row.length;
}

/**
 * The text of a fold that holds one whole value: one member (or item) per line, nested values
 * over `MAX_INLINE_CHARS` laid out the same way, so that each value sits on a line of its own.
 *
 * @example
 * foldedValueText(tree, objectNode); // '{\n  "id":7,\n  "message":"the job ran …"\n}'
 */
export function foldedValueText(tree: JsonTree, id: number): string {
  return layout(tree, id, false, '', 0);
}

// One value as lines: on one line when it fits `limit` characters, else opened member by member.
function layout(tree: JsonTree, id: number, withKey: boolean, indent: string, limit: number): string {
  const key = withKey ? `${keyOf(tree, id)}:` : '';
  const raw = rawOf(tree, id);
  const kind = tree.kind[id];
  const container = kind === OBJECT || kind === ARRAY;
  if (!container || raw.length + key.length <= limit || tree.incomplete.has(id) || tree.childCount[id] === 0) {
    return indent + key + raw;
  }
  const inner = `${indent}  `;
  const members = childrenOf(tree, id).map((child) => layout(tree, child, kind === OBJECT, inner, MAX_INLINE_CHARS));
  const [open, close] = kind === OBJECT ? ['{', '}'] : ['[', ']'];
  return `${indent}${key}${open}\n${members.join(',\n')}\n${indent}${close}`;
}

/**
 * Words for hidden rows when json-rows.ts found no categorical field to count: for scalars, the
 * first and last hidden item (or a map's keys) and the range of their numbers or dates; for
 * objects, the first and last value of the field that names them. '' when nothing fits.
 *
 * @example
 * describeHidden(tree, timeEntries, hiddenIndexes, true);
 * // 'keys "0.8.1-1" to "5.7.2", dates 2012-10-01 to 2024-11-22'
 */
export function describeHidden(tree: JsonTree, rows: readonly number[], hidden: readonly number[], isMap: boolean): string {
  if (hidden.length === 0) return '';
  const nodes = hidden.map((index) => rows[index]!);
  const scalars = nodes.every((node) => tree.kind[node] === STRING || tree.kind[node] === ATOM);
  if (!scalars) return describeObjects(tree, nodes, isMap);
  const parts: string[] = [];
  const ends = isMap ? nodes.map((node) => keyOf(tree, node)) : nodes.map((node) => rawOf(tree, node));
  parts.push(`${isMap ? 'keys ' : ''}${range(ends[0]!, ends[ends.length - 1]!)}`);
  const values = nodes.map((node) => rawOf(tree, node));
  const spread = spreadOf(values);
  if (spread) parts.push(spread);
  return parts.join(', ');
}

// `dates 2012-10-01 to 2024-11-22` or `values 3 to 970`, when every value is one or the other.
function spreadOf(values: readonly string[]): string {
  if (values.every((value) => NUMBER.test(value))) {
    const numbers = values.map(Number);
    let low = 0;
    let high = 0;
    numbers.forEach((number, index) => {
      if (number < numbers[low]!) low = index;
      if (number > numbers[high]!) high = index;
    });
    return low === high ? '' : `values ${values[low]} to ${values[high]}`;
  }
  const dates: string[] = [];
  for (const value of values) {
    const date = ISO_DATE.exec(value)?.[1];
    if (!date) return '';
    dates.push(date);
  }
  dates.sort();
  return `dates ${dates[0]} to ${dates[dates.length - 1]}`;
}

// Rows of objects: the first and last hidden value of the first field that names them.
function describeObjects(tree: JsonTree, nodes: readonly number[], isMap: boolean): string {
  const first = nodes[0]!;
  const last = nodes[nodes.length - 1]!;
  if (isMap) return `keys ${range(keyOf(tree, first), keyOf(tree, last))}`;
  if (tree.kind[first] !== OBJECT || tree.kind[last] !== OBJECT) return '';
  for (const member of childrenOf(tree, first)) {
    const key = keyOf(tree, member);
    if (!NAMING_KEY.test(key) || (tree.kind[member] !== STRING && tree.kind[member] !== ATOM)) continue;
    const twin = childrenOf(tree, last).find((other) => keyOf(tree, other) === key);
    if (twin === undefined || (tree.kind[twin] !== STRING && tree.kind[twin] !== ATOM)) continue;
    return `${quoteValue(unquote(key))} ${range(rawOf(tree, member), rawOf(tree, twin))}`;
  }
  return '';
}

function range(first: string, last: string): string {
  return first === last ? short(first) : `${short(first)} to ${short(last)}`;
}

// A raw value for a marker: strings quoted the way summaries quote input, long ones cut with …;
// numbers, booleans and null as they are (their characters cannot be mistaken for anything).
function short(raw: string): string {
  return raw.charCodeAt(0) === 34 ? quoteValue(unquote(raw), MAX_QUOTED_CHARS) : raw.slice(0, MAX_QUOTED_CHARS);
}
