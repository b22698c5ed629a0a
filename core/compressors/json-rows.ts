import { ARRAY, ATOM, OBJECT, STRING, keyOf, rawOf } from './json-scan.ts';
import type { JsonTree } from './json-scan.ts';
import { quoteValue } from '../folds.ts';

/*
 * Which rows of a collection matter, judged from their raw values.
 *
 * A row is an array item, an NDJSON line or a member of a map-like object. Its fields are its
 * scalar members, one level of nested objects included (`metadata.result_type`), read as raw
 * source text: no parsing, so `"red"` and `505874924095815681` compare exactly.
 *
 * - must keep: failures (`"color":"red"`, `"status":"failed"`, `"conclusion":"failure"`), HTTP
 *   statuses that are not 2xx, a non-empty `error`/`errors`, `"success":false`, error words in a
 *   message, rows that contain a query term, and, in lists of strings, items with error words
 *   or pagination links (`rel="next"`) plus the item before them (a header name, say).
 * - notable: rare values of categorical fields, departures from a dominant value (any row that
 *   is not `blue` when most jobs are), and the two most extreme numeric outliers per field. The
 *   rare values themselves are reported too (`standout`), so that a row shown never hides them.
 *
 * It also tells what the hidden rows were, for the fold's summary: `color blue 470, red 11`.
 */

/** How much a row matters: kept first, then notable ones while the budget allows. */
export const MUST = 2;
export const NOTABLE = 1;

export interface RowAnalysis {
  /** MUST, NOTABLE or 0, per row. */
  level: Uint8Array;
  /** How rare a notable row is (the share of its rarest value; lower first), per row. */
  rarity: Float64Array;
  /** The value nodes that made rows notable (a rare `lang`, a custom profile URL): never `…`. */
  standout: number[];
  /** A one-line account of the given rows: counts per value of the telling fields. */
  summarize(rows: readonly number[]): string;
}

// Field names whose values say how a thing went.
const STATUS_KEY = /^(colou?r|(\w*[_-])?(status|state|result|conclusion|outcome|level|severity|health|phase|verdict))$/i;
const CAMEL_STATUS_KEY = /[a-z](Status|State|Result|Conclusion|Outcome|Level|Severity|Health|Phase)$/;
const HTTP_STATUS_KEY = /^(status|statuscode|status_code|http_status|httpstatus|response_code|responsecode|code)$/i;
const FAILURE_VALUE =
  /^(red|red_anime|fail\w*|error\w*|abort\w*|cancel+ed|timed?[_ -]?out|crash\w*|broken|fatal|critical|unstable|rejected|denied|invalid|unhealthy|down|dead|killed|oom\w*|panic\w*)$/i;
const ERROR_KEY = /^(error|errors|err|exception|exceptions|failure|failures|error_message|errormessage|stacktrace|stack_trace)$/i;
const SUCCESS_KEY = /^(success|succeeded|ok|passed|successful)$/i;
const MESSAGE_KEY = /^(message|msg|reason|detail|details|description|log|output|stderr)$/i;
const ERROR_TEXT =
  /\b(errors?|exception|fail(ed|ure|ing)?|fatal|denied|forbidden|unauthori[sz]ed|invalid|conflict|timeout|timed out|abort(ed)?|traceback)\b/i;
// Web links (`<https://…?page=2>; rel="next"`, the HTTP Link header) and bare pagination rels.
const PAGINATION_TEXT = /<[^<>\s]+>;\s*rel=|rel=\\?"?(next|prev|last|first)\b/i;

// Bounds that keep the analysis linear and its verdicts sane.
const MAX_FIELDS_PER_ROW = 64;
const NESTED_LEVELS = 3; // fields as deep as `retweeted_status.user.lang`
const MAX_CATEGORIES = 16;
const OUTLIERS_PER_FIELD = 2;

interface Field {
  name: string;
  /** Which of the failure rules its key falls under (bits of `Rule`). */
  rules: number;
  rows: number[];
  values: string[];
  /** The value node of each entry of `rows`. */
  nodes: number[];
  /** Fields of the object under this key, one level down. */
  nested?: Map<string, Field>;
}

const Rule = { error: 1, success: 2, http: 4, status: 8, message: 16 } as const;

function rulesFor(key: string): number {
  return (
    (ERROR_KEY.test(key) ? Rule.error : 0) |
    (SUCCESS_KEY.test(key) ? Rule.success : 0) |
    (HTTP_STATUS_KEY.test(key) ? Rule.http : 0) |
    (isStatusKey(key) ? Rule.status : 0) |
    (MESSAGE_KEY.test(key) ? Rule.message : 0)
  );
}

/**
 * Scores the rows of a collection: `rows` are its item nodes (map entries are their value nodes);
 * `hasQueryHit(row)` says whether a row's raw text contains a query term.
 */
export function analyseRows(tree: JsonTree, rows: readonly number[], hasQueryHit: (row: number) => boolean): RowAnalysis {
  const level = new Uint8Array(rows.length);
  const rarity = new Float64Array(rows.length).fill(1);
  const standout: number[] = [];
  const fields = new Map<string, Field>();
  const all: Field[] = [];
  const fieldOf = (within: Map<string, Field>, rawKey: string, prefix: string) => {
    let field = within.get(rawKey);
    if (!field) {
      const key = unquote(rawKey);
      field = { name: prefix + key, rules: rulesFor(key), rows: [], values: [], nodes: [] };
      within.set(rawKey, field);
      all.push(field);
    }
    return field;
  };
  // Records a member under its field, and says whether it tells of a failure.
  const visit = (field: Field, node: number, row: number) => {
    const kind = tree.kind[node];
    if (kind === STRING || kind === ATOM) {
      field.rows.push(row);
      field.values.push(rawOf(tree, node));
      field.nodes.push(node);
    }
    if (field.rules !== 0 && isFailure(tree, field.rules, node)) level[row] = MUST;
  };
  // A row's members, and those of its nested objects down to NESTED_LEVELS (`user.lang`,
  // `retweeted_status.user.lang`), each under its own field.
  const visitMembers = (node: number, within: Map<string, Field>, prefix: string, depth: number, row: number): void => {
    const isObject = tree.kind[node] === OBJECT;
    const count = Math.min(tree.childCount[node]!, MAX_FIELDS_PER_ROW);
    for (let child = node + 1, k = 0; k < count; k++, child = tree.next[child]!) {
      const field = fieldOf(within, isObject ? keyOf(tree, child) : `[${k}]`, prefix);
      visit(field, child, row);
      if (depth + 1 >= NESTED_LEVELS || tree.kind[child] !== OBJECT || tree.childCount[child]! > MAX_FIELDS_PER_ROW) continue;
      visitMembers(child, (field.nested ??= new Map()), `${field.name}.`, depth + 1, row);
    }
  };

  rows.forEach((node, row) => {
    if (hasQueryHit(node)) level[row] = MUST;
    const kind = tree.kind[node];
    if (kind === STRING) {
      if (mentionsTrouble(rawOf(tree, node))) {
        level[row] = MUST;
        if (row > 0) level[row - 1] = MUST; // the name before a value in a flat name/value list
      }
      return; // items of a plain list: only their text decides
    }
    if (kind !== OBJECT && kind !== ARRAY) return;
    visitMembers(node, fields, '', 0, row);
  });

  const categorical: Array<{ field: Field; counts: Map<string, number>; departures: number }> = [];
  for (const field of all) {
    const present = field.rows.length;
    if (present === 0) continue;
    const most = Math.max(2, Math.min(MAX_CATEGORIES, present / 4));
    const counts = new Map<string, number>();
    for (const value of field.values) {
      counts.set(value, (counts.get(value) ?? 0) + 1);
      if (counts.size > most) break; // too many values to be categories
    }
    if (present >= 4 && counts.size <= most) {
      const departures = markCategorical(field, counts, level, rarity, standout);
      categorical.push({ field, counts, departures });
    } else if (present >= 8) {
      markOutliers(field, level, rarity);
    }
  }
  // The telling fields: how-it-went fields first, then top-level ones, words before numbers,
  // fields with departures, and fewest values.
  const rank = (field: Field) => [
    Number(!isStatusKey(field.name)),
    Number(field.name.includes('.')),
    Number(field.values[0]!.charCodeAt(0) !== 34),
  ];
  categorical.sort(
    (a, b) =>
      compareRanks(rank(a.field), rank(b.field)) ||
      b.departures - a.departures ||
      a.counts.size - b.counts.size ||
      (a.field.name < b.field.name ? -1 : a.field.name > b.field.name ? 1 : 0),
  );
  // A field that is mostly null tells nothing about the rows; counts of numbers read badly.
  const useful = categorical.filter((entry) => (entry.counts.get('null') ?? 0) * 2 < entry.field.rows.length);
  const words = useful.filter((entry) => entry.field.values[0]!.charCodeAt(0) === 34 || /^(true|false)$/.test(entry.field.values[0]!));
  const telling = (words.length > 0 ? words : useful).slice(0, 2);

  return {
    level,
    standout,
    rarity,
    summarize(hidden) {
      const wanted = new Uint8Array(rows.length);
      for (const row of hidden) wanted[row] = 1;
      const parts: string[] = [];
      for (const { field } of telling) {
        const counts = new Map<string, number>();
        field.rows.forEach((row, index) => {
          if (wanted[row]) counts.set(field.values[index]!, (counts.get(field.values[index]!) ?? 0) + 1);
        });
        if (counts.size === 0) continue;
        const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
        // Keys and values come from the input: quoted, so that none reads as tokenfold's own words.
        const shown = sorted.slice(0, 4).map(([value, count]) => `${quoteValue(unquote(value), 30)} ${count}`);
        if (sorted.length > 4) shown.push(`${sorted.length - 4} more values`);
        parts.push(`${quoteValue(field.name)} ${shown.join(', ')}`);
      }
      return parts.join('; ');
    },
  };
}

function isStatusKey(name: string): boolean {
  const key = name.slice(name.lastIndexOf('.') + 1);
  return STATUS_KEY.test(key) || CAMEL_STATUS_KEY.test(key);
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

// Does this member, under a key with these rules, say that something failed?
function isFailure(tree: JsonTree, rules: number, node: number): boolean {
  const kind = tree.kind[node];
  if (rules & Rule.error) {
    if (kind === OBJECT || kind === ARRAY) return tree.childCount[node]! > 0;
    const raw = rawOf(tree, node);
    return raw !== 'null' && raw !== 'false' && raw !== '""' && raw !== '0';
  }
  if (kind !== ATOM && kind !== STRING) return false;
  const value = unquote(rawOf(tree, node));
  if (rules & Rule.http && /^[1-5]\d\d$/.test(value)) return value[0] !== '2';
  if (kind === ATOM) return (rules & Rule.success) !== 0 && value === 'false';
  if (rules & Rule.status && FAILURE_VALUE.test(value)) return true;
  return (rules & Rule.message) !== 0 && mentionsTrouble(value);
}

// Rare values (under 5% of the rows), and departures from a dominant value, are notable; rare
// ones first. Returns how many rows departed.
function markCategorical(field: Field, counts: Map<string, number>, level: Uint8Array, rarity: Float64Array, standout: number[]): number {
  let mode = '';
  let modeCount = 0;
  for (const [value, count] of counts) {
    if (count > modeCount) [mode, modeCount] = [value, count];
  }
  const present = field.rows.length;
  const dominance = isStatusKey(field.name) ? 0.5 : 0.9;
  const dominated = counts.size > 1 && modeCount / present >= dominance;
  let departures = 0;
  field.rows.forEach((row, index) => {
    const value = field.values[index]!;
    const count = counts.get(value)!;
    const rare = counts.size > 1 && (count < present * 0.05 || count === 1) && count < modeCount;
    if ((dominated && value !== mode) || rare) {
      departures++;
      standout.push(field.nodes[index]!);
      if (level[row] === 0) level[row] = NOTABLE;
      rarity[row] = Math.min(rarity[row]!, rare ? count / present : 0.5 + count / present);
    }
  });
  return departures;
}

// Numbers far from the median, measured in median absolute deviations: the most extreme few.
function markOutliers(field: Field, level: Uint8Array, rarity: Float64Array): void {
  const values = new Float64Array(field.values.length);
  for (let index = 0; index < values.length; index++) {
    const raw = field.values[index]!;
    const first = raw.charCodeAt(0);
    if (!(first === 45 || (first >= 48 && first <= 57))) return; // not a numeric field
    values[index] = Number(raw);
    if (!Number.isFinite(values[index])) return;
  }
  // Median and spread from an even sample: exact enough, and linear on huge fields.
  const step = Math.max(1, Math.floor(values.length / 4096));
  const sorted = values.filter((_, index) => index % step === 0).sort();
  const median = sorted[sorted.length >> 1]!;
  const deviations = sorted.map((value) => Math.abs(value - median)).sort();
  const mad = deviations[deviations.length >> 1]!;
  if (mad === 0) return;
  const far: Array<{ row: number; score: number }> = [];
  values.forEach((value, index) => {
    const score = Math.abs(value - median) / (1.4826 * mad);
    if (score <= 5) return;
    far.push({ row: field.rows[index]!, score });
    far.sort((a, b) => b.score - a.score || a.row - b.row);
    if (far.length > OUTLIERS_PER_FIELD) far.pop();
  });
  for (const { row } of far) {
    if (level[row] === 0) level[row] = NOTABLE;
    rarity[row] = 0;
  }
}

/**
 * True for a sentence with error words, or a pagination link: text never hidden behind `…`.
 * A single token such as a URL that happens to contain `errors` does not count.
 */
export function mentionsTrouble(raw: string): boolean {
  return (raw.includes(' ') && ERROR_TEXT.test(raw)) || PAGINATION_TEXT.test(raw);
}

/** A raw JSON string without its quotes (escapes kept); other raw values as they are. */
export function unquote(raw: string): string {
  return raw.length >= 2 && raw.charCodeAt(0) === 34 && raw.charCodeAt(raw.length - 1) === 34 ? raw.slice(1, -1) : raw;
}
