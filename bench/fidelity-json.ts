/*
 * Scoring rules for JSON (simdjson payloads, octokit fixtures). Same vocabulary as fidelity.ts:
 * a needle is visible, one unfold away (in a fold's original), or missing.
 *
 * - Rows: the objects of any array whose items are at least 80% objects, with at least 20 rows
 *   (and, for NDJSON whose first line is an array of strings, the following lines read as rows
 *   of that header). A row's fields are its primitives, nested objects flattened to `a.b` (3 deep).
 * - Rare records: a *categorical* field has string values in at least half of the rows, 2 to 20
 *   distinct values and at most one distinct value per 4 rows, and is not mostly timestamps; a
 *   row is rare when its value of such a field occurs in under 5% of the rows (e.g.
 *   apache_builds.json jobs whose `color` is not `blue`, github_events.json's one IssuesEvent).
 *   A rare row is *visible* when
 *   its identifier (the first field whose values are distinct across the rows, preferring `id`,
 *   `key`, `name`, `*_id`, `login`, `sha`, `url`, `title`, `number`) is visible and each of its
 *   rare values is visible within a window around it (twice the row's source length, at least 400
 *   chars), so a list of names next to a count of colours does not pass. Without an identifier
 *   the rare value anchors and up to five of the row's other short values are required nearby.
 *   Fields named like ids (`id`, `*_id`, `id_str`) are not categorical. Reported beside it, by the
 *   same test: *minority* records, whose value differs from a categorical field's majority value
 *   (one held by at least half of the rows): every red or aborted job of apache_builds.json.
 * - Key paths: every distinct path of object keys (array indexes and all-digit keys, which are
 *   ids used as keys, are ignored) must have each of its key names visible, at least as a substring.
 * - Values: every primitive (string or number; booleans, null and empty strings are not evidence)
 *   must be visible or one unfold away, matched by its *raw source slice* (so a rounded big
 *   integer or a reformatted number does not count) or, for strings, by its decoded text.
 *   Counted per occurrence.
 * - Octokit fixtures also get the needles of fidelity-octokit.ts (status codes, error messages,
 *   ids, URLs, pagination links).
 */
import type { JsonDocument } from './corpora.ts';
import type { FoldView, Tally, Where } from './fidelity.ts';
import { addTo, emptyTally, locate } from './fidelity.ts';
import type { OctokitCategory, OctokitNeedle } from './fidelity-octokit.ts';
import { octokitNeedles, statusWhere } from './fidelity-octokit.ts';
import type { PrimitiveNode, SourceNode } from './json-source.ts';
import { formsOf, parseSource, rawText, walk } from './json-source.ts';

interface Row {
  start: number;
  end: number;
  fields: Map<string, PrimitiveNode>;
}

interface RareRecord {
  where: string;
  /** Forms of the identifier (undefined: anchor on the first required needle). */
  anchor?: string[];
  /** Each needle as its acceptable forms (raw, decoded). */
  required: string[][];
  window: number;
}

interface Needle {
  forms: string[];
  weight: number;
}

/** What the rules need from one document, computed once and scored against each output. */
export interface JsonAnalysis {
  id: string;
  /** The largest row set has at least 10 rows and spans at least half of the document. */
  arrayShaped: boolean;
  largestRows: number;
  rare: RareRecord[];
  /** Rows off the majority value (>= 50% of rows) of a categorical field: a superset of `rare`. */
  minority: RareRecord[];
  keyNames: string[][];
  values: Needle[];
  octokit?: Record<OctokitCategory, OctokitNeedle[]>;
}

/** One output's JSON scores, as tallies of visible / one unfold away / missing. */
export interface JsonScore {
  rare: Tally;
  minority: Tally;
  keyPaths: Tally;
  values: Tally;
  octokit?: Record<OctokitCategory, Tally>;
  dangling: number;
}

/** Parses the document and extracts every needle the rules will look for. */
export function analyzeJson(document: JsonDocument, collection: 'simdjson' | 'octokit'): JsonAnalysis {
  const { text } = document;
  const root = parseSource(text, document.format);
  const rowSets = collectRowSets(text, root, document.format);
  const largest = rowSets.reduce<{ rows: Row[]; span: number } | undefined>(
    (best, set) => (!best || set.span > best.span ? set : best),
    undefined,
  );
  const outliers = rowSets.map((set) => outlierRecords(text, set.rows, set.where));
  const keyPaths = new Map<string, string[]>();
  const valueCounts = new Map<string, Needle>();
  walk(root, [], (node, path) => {
    if (node.type === 'object') {
      for (const entry of node.entries) {
        if (/^\d+$/.test(entry.key)) continue;
        const names = [...path.filter((name) => name !== ''), entry.key];
        keyPaths.set(names.join('\u0001'), names);
      }
      return;
    }
    if (node.type !== 'string' && node.type !== 'number') return;
    const raw = rawText(text, node);
    if (raw === '') return;
    const key = `${node.type}\u0000${raw}`;
    const needle = valueCounts.get(key);
    if (needle) needle.weight++;
    else valueCounts.set(key, { forms: formsOf(text, node), weight: 1 });
  });
  return {
    id: document.id,
    arrayShaped: !!largest && largest.rows.length >= 10 && largest.span >= text.length / 2,
    largestRows: largest?.rows.length ?? 0,
    rare: outliers.flatMap((set) => set.rare),
    minority: outliers.flatMap((set) => set.minority),
    keyNames: [...keyPaths.values()],
    values: [...valueCounts.values()],
    ...(collection === 'octokit' ? { octokit: octokitNeedles(text, root) } : {}),
  };
}

/** Scores one output (tokenfold's or a baseline's) against an analysis. */
export function scoreJson(analysis: JsonAnalysis, view: FoldView): JsonScore {
  const present = new Presence(view);
  const shown = (records: RareRecord[]) => {
    const tally = emptyTally();
    for (const record of records) {
      if (rareShown(view.visible, record)) addTo(tally, 'visible');
      else addTo(tally, [...view.folds.values()].some((text) => rareShown(text, record)) ? 'folded' : 'missing');
    }
    return tally;
  };
  const rare = shown(analysis.rare);
  const minority = shown(analysis.minority);
  const keyPaths = emptyTally();
  const nameWhere = new Map<string, Where>();
  for (const names of analysis.keyNames) {
    const found = names.map((name) => {
      let where = nameWhere.get(name);
      if (where === undefined) nameWhere.set(name, (where = present.where([name])));
      return where;
    });
    addTo(keyPaths, found.includes('missing') ? 'missing' : found.includes('folded') ? 'folded' : 'visible');
  }
  const values = emptyTally();
  for (const needle of analysis.values) addTo(values, present.where(needle.forms), needle.weight);

  let octokit: JsonScore['octokit'];
  if (analysis.octokit) {
    octokit = { status: emptyTally(), errors: emptyTally(), ids: emptyTally(), urls: emptyTally(), pagination: emptyTally() };
    for (const [category, needles] of Object.entries(analysis.octokit) as Array<[keyof typeof octokit, OctokitNeedle[]]>) {
      for (const needle of needles) {
        addTo(octokit[category], category === 'status' ? statusWhere(view, needle) : present.where(needle.forms));
      }
    }
  }
  return { rare, minority, keyPaths, values, ...(octokit ? { octokit } : {}), dangling: view.dangling.length };
}

// ---------------------------------------------------------------------------------------------



function collectRowSets(text: string, root: SourceNode, format: JsonDocument['format']): Array<{ rows: Row[]; span: number; where: string }> {
  const sets: Array<{ rows: Row[]; span: number; where: string }> = [];
  if (format === 'ndjson' && root.type === 'array') {
    const [header, ...lines] = root.items;
    if (header?.type === 'array' && header.items.every((item) => item.type === 'string')) {
      const names = header.items.map((item) => (item as { value: string }).value);
      const rows = lines
        .filter((line): line is Extract<SourceNode, { type: 'array' }> => line.type === 'array')
        .map((line) => {
          const fields = new Map<string, PrimitiveNode>();
          line.items.forEach((item, index) => {
            if (item.type !== 'object' && item.type !== 'array' && names[index]) fields.set(names[index]!, item);
          });
          return { start: line.start, end: line.end, fields };
        });
      if (rows.length >= 20) sets.push({ rows, span: text.length, where: 'lines' });
    }
  }
  walk(root, [], (node, path) => {
    if (node.type !== 'array' || node.items.length < 20) return;
    const objects = node.items.filter((item) => item.type === 'object');
    if (objects.length < node.items.length * 0.8) return;
    const rows = objects.map((item) => ({ start: item.start, end: item.end, fields: flatten(item) }));
    sets.push({ rows, span: node.end - node.start, where: path.filter(Boolean).join('.') || '(root)' });
  });
  return sets;
}

function flatten(node: SourceNode, prefix = '', depth = 0, fields = new Map<string, PrimitiveNode>()): Map<string, PrimitiveNode> {
  if (node.type !== 'object') return fields;
  for (const entry of node.entries) {
    const name = prefix + entry.key;
    const value = entry.value;
    if (value.type === 'object') {
      if (depth < 2) flatten(value, `${name}.`, depth + 1, fields);
    } else if (value.type !== 'array') fields.set(name, value);
  }
  return fields;
}

// Timestamps repeat within a second or a day, but their values are not categories.
const DATE_LIKE = /\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}:\d{2}/;

const IDENTIFIER_PREFERENCE = [/^id$/i, /^key$/i, /^name$/i, /(_id|Id)$/, /^login$/, /^sha$/, /^url$/, /^title$/, /^number$/];

// Fields named like identifiers are never categories, however often a value repeats.
const ID_LIKE = /(^|[._])id(_str)?$|_id$|Id$/;

function outlierRecords(text: string, rows: Row[], where: string): { rare: RareRecord[]; minority: RareRecord[] } {
  const valuesByField = new Map<string, Array<PrimitiveNode | undefined>>();
  rows.forEach((row, index) => {
    for (const [name, node] of row.fields) {
      let values = valuesByField.get(name);
      if (!values) valuesByField.set(name, (values = new Array(rows.length)));
      values[index] = node;
    }
  });
  type Outliers = Map<number, Array<{ field: string; node: PrimitiveNode }>>;
  const rareByRow: Outliers = new Map();
  const minorityByRow: Outliers = new Map();
  const mark = (byRow: Outliers, index: number, field: string, node: PrimitiveNode) => {
    const list = byRow.get(index) ?? [];
    list.push({ field, node });
    byRow.set(index, list);
  };
  const uniqueFields: string[] = [];
  for (const [field, values] of valuesByField) {
    const present = values.filter((node): node is PrimitiveNode => node !== undefined);
    const raws = present.map((node) => rawText(text, node));
    if (present.length === rows.length && present.every((node) => node.type === 'string' || node.type === 'number')) {
      if (new Set(raws).size === rows.length) uniqueFields.push(field);
    }
    if (present.length < rows.length / 2 || !present.every((node) => node.type === 'string')) continue;
    if (ID_LIKE.test(field)) continue;
    const counts = new Map<string, number>();
    for (const raw of raws) counts.set(raw, (counts.get(raw) ?? 0) + 1);
    if (counts.size < 2 || counts.size > Math.min(20, rows.length / 4)) continue;
    if (raws.filter((raw) => DATE_LIKE.test(raw)).length > raws.length / 2) continue;
    const [majority, majorityCount] = [...counts.entries()].reduce((best, entry) => (entry[1] > best[1] ? entry : best));
    values.forEach((node, index) => {
      if (!node) return;
      const raw = rawText(text, node);
      if (counts.get(raw)! < rows.length * 0.05) mark(rareByRow, index, field, node);
      if (majorityCount >= present.length / 2 && raw !== majority) mark(minorityByRow, index, field, node);
    });
  }
  let identifier: string | undefined;
  for (const preference of IDENTIFIER_PREFERENCE) {
    identifier ??= uniqueFields.find((field) => preference.test(field.split('.').pop()!));
  }
  identifier ??= uniqueFields[0];

  const toRecords = (byRow: Outliers): RareRecord[] =>
    [...byRow.entries()].map(([index, outliers]) => {
      const row = rows[index]!;
      const window = Math.max(400, 2 * (row.end - row.start));
      const outlierForms = outliers.map(({ node }) => formsOf(text, node));
      const label = `${where}[${index}] ${outliers.map(({ field, node }) => `${field}=${rawText(text, node)}`).join(', ')}`;
      if (identifier) return { where: label, anchor: formsOf(text, row.fields.get(identifier)!), required: outlierForms, window };
      const others = [...row.fields.values()]
        .filter((node) => (node.type === 'string' || node.type === 'number') && !outliers.some((outlier) => outlier.node === node))
        .map((node) => formsOf(text, node))
        .filter((forms) => forms[0]!.length >= 2 && forms[0]!.length <= 80)
        .slice(0, 5);
      return { where: label, required: [...outlierForms, ...others], window };
    });
  return { rare: toRecords(rareByRow), minority: toRecords(minorityByRow) };
}

// Some occurrence of the anchor has every required needle within the window around it. All
// occurrences are considered (a one-letter rare value occurs everywhere), through sorted positions.
function rareShown(haystack: string, record: RareRecord): boolean {
  const needles = record.anchor ? [record.anchor, ...record.required] : record.required;
  if (needles.length === 0) return false;
  const positions = needles.map((forms) => occurrences(haystack, forms));
  if (positions.some((list) => list.length === 0)) return false;
  const [anchor, ...required] = positions;
  return anchor!.some((at) => required.every((list) => hasWithin(list, at - record.window, at + record.window)));
}

const MAX_OCCURRENCES = 100_000;

function occurrences(haystack: string, forms: string[]): number[] {
  const positions: number[] = [];
  for (const form of forms) {
    if (form === '') continue;
    for (let at = haystack.indexOf(form); at !== -1 && positions.length < MAX_OCCURRENCES; at = haystack.indexOf(form, at + 1)) {
      positions.push(at);
    }
  }
  return forms.length > 1 ? positions.sort((a, b) => a - b) : positions;
}

// Whether the sorted list has a value in [from, to].
function hasWithin(sorted: number[], from: number, to: number): boolean {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < from) low = middle + 1;
    else high = middle;
  }
  return low < sorted.length && sorted[low]! <= to;
}

/**
 * Answers "is this value in the visible text / in a fold?" quickly: a set of the atoms each text
 * is made of (JSON string contents, delimiter-separated tokens, table cells) answers most needles;
 * a substring search answers the rest.
 */
class Presence {
  private readonly view: FoldView;
  private visibleAtoms?: Set<string>;
  private foldedAtoms?: Set<string>;

  constructor(view: FoldView) {
    this.view = view;
  }

  where(forms: string[]): Where {
    this.visibleAtoms ??= atomsOf(this.view.visible);
    if (forms.some((form) => this.visibleAtoms!.has(form) || this.view.visible.includes(form))) return 'visible';
    if (this.view.folded === '') return 'missing';
    this.foldedAtoms ??= atomsOf(this.view.folded);
    if (forms.some((form) => this.foldedAtoms!.has(form) || this.view.folded.includes(form))) return 'folded';
    return forms.some((form) => locate(this.view, form) === 'folded') ? 'folded' : 'missing';
  }
}

function atomsOf(text: string): Set<string> {
  const atoms = new Set<string>();
  for (let i = text.indexOf('"'); i !== -1; ) {
    let j = i + 1;
    while (j < text.length && text.charCodeAt(j) !== 34 && text.charCodeAt(j) !== 10) j += text.charCodeAt(j) === 92 ? 2 : 1;
    if (text.charCodeAt(j) === 34) {
      const inner = text.slice(i + 1, j);
      atoms.add(inner);
      if (inner.includes('\\')) {
        try {
          atoms.add(JSON.parse(`"${inner}"`) as string);
        } catch {
          // not a JSON string after all
        }
      }
      i = text.indexOf('"', j + 1);
    } else i = text.indexOf('"', j);
  }
  for (const token of text.split(/[\s,:;|[\]{}()"=]+/)) atoms.add(token);
  for (const line of text.split('\n')) {
    const body = line.replace(/^\s*(- )?/, '');
    const colon = body.indexOf(': ');
    const cells = colon === -1 ? body : body.slice(colon + 2);
    atoms.add(cells.trim());
    for (const cell of cells.split(/[,\t|]/)) atoms.add(cell.trim().replace(/^"(.*)"$/, '$1'));
  }
  return atoms;
}
