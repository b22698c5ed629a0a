import type { Compressor, FoldRequest } from '../types.ts';
import { describeHidden, foldedRowsText, foldedValueText, lineIndex } from './json-folds.ts';
import { MARKER_TOKENS, createPlan, hasQueryHit, isElidable, isShortScalarList, selectiveTerms } from './json-plan.ts';
import type { Plan } from './json-plan.ts';
import { MUST, NOTABLE, analyseRows } from './json-rows.ts';
import type { RowAnalysis } from './json-rows.ts';
import { ARRAY, ATOM, OBJECT, RAW, SEQUENCE, STRING, childrenOf, keyOf, rawOf, scanJson } from './json-scan.ts';
import type { JsonTree } from './json-scan.ts';
import { tableOf } from './json-table.ts';

/*
 * JSON and NDJSON: minify, write big arrays as tables, keep the rows that matter, fold the rest.
 *
 * The model sees the document's own shape, minified (whitespace outside strings removed), with
 * three changes, all lossless:
 *
 * - Collections go one row per line: big arrays, NDJSON lines, and objects whose members are
 *   similar entries (a catalog keyed by id is the same problem as an array). Rows that are
 *   objects with the same few keys become a table, keys once:
 *       "jobs":[
 *       # 875 rows as a table, one per line, cells in the key order ["name","url","color"]
 *       ["Abdera-trunk","https://builds.apache.org/job/Abdera-trunk/","blue"]
 *       ]
 *   An empty cell (`["a",,"c"]`) means the key is absent; a row that does not fit the columns
 *   stays an object line. Map entries start with their key: `["138586341","Concert",…]`.
 * - Past the budget a collection keeps the rows that matter (failures, non-2xx statuses, rare
 *   and anomalous values, outliers, query matches: json-rows.ts), its first and last rows, rows
 *   that show key paths no other visible row shows, then others in order. The rest go into one
 *   fold, one row per line (json-folds.ts), so that unfold's `grep` and `lines` reach one row or
 *   one map entry, numbered as in the input only when each row sat alone on one input line:
 *   `[[fold …: 481 rows; "color" "blue" 481]]`, `[[fold …: 2769 items; keys "2.4.0" to "5.5.0",
 *   dates 2017-05-13 to 2024-03-29]]`. A fold that would hide about what its marker costs does not
 *   happen, and a list of a few scalars (ids, tags, codes: json-plan.ts) is never cut.
 * - An object too big for its share keeps every key, shrinks its collections first, then shows
 *   long string values (URLs first) as `…`, never ids, codes or the rare value that made its row
 *   stand out; a fold right after it holds the whole object, one member per line.
 *
 * Small outputs come with `context.lossless`: then only the lossless steps above happen.
 *
 * Every value shown or folded is a slice of the input's source text: never a re-serialized one,
 * since `JSON.parse` rounds big ids and rewrites `1.50` and `\u00e9`. Truncated input keeps its
 * complete part structured and says where it ends; a syntax error falls back to line by line
 * (NDJSON with bad lines), and to passing through when most lines are not JSON.
 */

const MIN_ELISION_SAVING = 40; // eliding values must save more than the marker it needs
const BLOCK_MIN_TOKENS = 120; // smaller collections stay on one line
// A fold must hide more than this: a smaller one costs about what its marker costs.
const MIN_FOLD_TOKENS = 2 * MARKER_TOKENS;

/**
 * Compresses a JSON document or NDJSON stream (see the header). Pure and deterministic. With
 * `context.lossless` nothing is folded or shown as `…`: the output is the input minified, big
 * collections one row per line and as tables where that is smaller, or `undefined`.
 *
 * @example
 * compressJson(prettyPrinted, { ...context, lossless: true }); // ['{"user_id":"mia_li_3668",…}']
 */
export const compressJson: Compressor = (text, context) => {
  const tree = scanJson(text) ?? scanJson(text, { lineMode: true });
  if (!tree || mostlyNotJson(tree)) return undefined;
  const plan = createPlan(tree, context, lineIndex(text));
  const budget = context.lossless ? Number.POSITIVE_INFINITY : context.budget / plan.ratio;
  renderValue(plan, tree.root, budget, false, false);
  if (tree.incomplete.size > 0) emit(plan, '\n(the input ends here: truncated JSON)');
  if (plan.buffer !== '') plan.pieces.push(plan.buffer);
  // Without a fold, only minifying is left: not worth it when it saves next to nothing.
  if (plan.pieces.every((piece) => typeof piece === 'string') && plan.pieces.join('').length > text.length * 0.95) return undefined;
  return plan.pieces;
};

// ---------------------------------------------------------------------------------------------
// Rendering

function emit(plan: Plan, text: string): void {
  plan.buffer += text;
}

function emitFold(plan: Plan, fold: FoldRequest): void {
  if (plan.buffer !== '') plan.pieces.push(plan.buffer);
  plan.buffer = '';
  plan.pieces.push(fold);
}

/**
 * Renders one value within `budget` estimated tokens. `inline` keeps it on one line (inside a
 * row); `covered` means an enclosing object already folds this value whole. Returns how many
 * values it showed as `…` that still need a fold.
 */
function renderValue(plan: Plan, id: number, budget: number, inline: boolean, covered: boolean): number {
  const kind = plan.tree.kind[id];
  if (kind === OBJECT && !plan.isMap[id]) return renderRecord(plan, id, budget, inline, covered);
  if (kind === OBJECT || kind === ARRAY || kind === SEQUENCE) renderCollection(plan, id, budget, inline);
  else emit(plan, rawOf(plan.tree, id));
  return 0;
}

/** An object with distinct keys: every key stays; past its budget, see `allocate`. */
function renderRecord(plan: Plan, id: number, budget: number, inline: boolean, covered: boolean): number {
  const { tree } = plan;
  const members = childrenOf(tree, id);
  const { elided, shares } = plan.cost[id]! > budget ? allocate(plan, members, budget) : { elided: new Set<number>(), shares: undefined };
  let pending = elided.size;
  emit(plan, '{');
  members.forEach((member, index) => {
    emit(plan, `${index > 0 ? ',' : ''}${keyOf(tree, member)}:`);
    if (elided.has(member)) emit(plan, '…');
    else pending += renderValue(plan, member, shares?.get(member) ?? plan.cost[member]!, inline, covered || elided.size > 0);
  });
  emit(plan, closing(tree, id, '}'));
  if (pending === 0 || covered) return pending;
  emitFold(plan, {
    text: foldedValueText(tree, id),
    unit: 'items',
    count: pending,
    summary: 'the whole object above, one member per line, with the values shown as …',
  });
  return 0;
}

/**
 * Shares an object's budget: its collections shrink first (water-filling, so small ones stay
 * whole); if even their floors do not fit, long string values go, the longest and URLs first.
 */
function allocate(plan: Plan, members: number[], budget: number): { elided: Set<number>; shares: Map<number, number> } {
  const { cost, floor, keyCost, tree } = plan;
  let fixed = 2;
  let scalars = 0;
  let containerFloors = 0;
  const containers: number[] = [];
  const candidates: number[] = [];
  for (const member of members) {
    fixed += keyCost[member]! + 1;
    const kind = tree.kind[member];
    if (kind === OBJECT || kind === ARRAY) {
      containers.push(member);
      containerFloors += floor[member]!;
    } else {
      scalars += cost[member]!;
      if (isElidable(plan, member)) candidates.push(member);
    }
  }
  const elided = new Set<number>();
  const overshoot = fixed + scalars + containerFloors - budget;
  if (overshoot > 0) {
    // The longest go first; a URL counts double, as it says least for its length.
    const weight = (member: number) => cost[member]! * (rawOf(tree, member).startsWith('"http') ? 2 : 1);
    candidates.sort((a, b) => weight(b) - weight(a) || a - b);
    let saved = 0;
    for (const member of candidates) {
      if (saved >= overshoot) break;
      elided.add(member);
      saved += cost[member]! - 1;
    }
    if (saved < MIN_ELISION_SAVING) elided.clear();
    else scalars -= saved;
  }
  const shares = waterFill(containers, Math.max(0, budget - fixed - scalars), (member) => cost[member]!, (member) => floor[member]!);
  return { elided, shares };
}

/**
 * Splits `total`: every item first gets its floor, then what is left goes out evenly, items
 * that need less than an even share keeping their full cost (water-filling).
 */
function waterFill<Item>(items: readonly Item[], total: number, costOf: (item: Item) => number, floorOf: (item: Item) => number): Map<Item, number> {
  const entries = items.map((item, index) => {
    const floor = Math.min(floorOf(item), costOf(item));
    return { item, index, floor, extra: costOf(item) - floor };
  });
  entries.sort((a, b) => a.extra - b.extra || a.index - b.index);
  let surplus = total - entries.reduce((sum, entry) => sum + entry.floor, 0);
  let left = entries.length;
  const shares = new Map<Item, number>();
  for (const { item, floor, extra } of entries) {
    const granted = Math.min(extra, Math.max(0, surplus) / left);
    shares.set(item, floor + granted);
    surplus -= granted;
    left--;
  }
  return shares;
}

/**
 * An array, a map or the NDJSON sequence: all rows when they fit, else the chosen ones and one
 * fold for the rest. Outside a row, big collections go one row per line, as a table when it pays.
 */
function renderCollection(plan: Plan, id: number, budget: number, inline: boolean): void {
  const { tree, cost, keyCost, floor } = plan;
  const isSequence = tree.kind[id] === SEQUENCE;
  const isMap = tree.kind[id] === OBJECT;
  if (inline && cost[id]! <= budget) {
    emit(plan, rawOf(tree, id));
    return;
  }
  const rows = childrenOf(tree, id);
  const table = inline ? undefined : tableOf(plan, id, rows);
  const rowsAreContainers = rows.some((row) => tree.kind[row] !== STRING && tree.kind[row] !== ATOM);
  const block = !inline && (isSequence || table !== undefined || (rows.length >= 2 && cost[id]! > BLOCK_MIN_TOKENS && rowsAreContainers));
  const rowCost = rows.map((row, index) => (table?.fits[index] ? table.costs[index]! : cost[row]! + keyCost[row]! + 1));
  const rowFloor = rows.map((row, index) => (table?.fits[index] ? rowCost[index]! : floor[row]! + keyCost[row]! + 1));
  const overhead = 2 + (table ? table.headerCost : 0);
  const total = rowCost.reduce((sum, value) => sum + value, overhead);

  let chosen: Uint8Array = new Uint8Array(rows.length).fill(1);
  let rowBudget = budget - overhead;
  let summarize = (hidden: number[]) => describeHidden(tree, rows, hidden, isMap);
  let listKeys = false;
  if (total > budget && rows.length > 1 && !isShortScalarList(tree, id, cost[id]!)) {
    const terms = selectiveTerms(plan, rows);
    const analysis = analyseRows(tree, rows, (row) => hasQueryHit(plan, row, terms));
    for (const node of analysis.standout) plan.standout[node] = 1;
    summarize = (hidden) => analysis.summarize(hidden) || describeHidden(tree, rows, hidden, isMap);
    // A map's hidden entries keep their keys in view (they name the entries), unless the keys
    // alone would take half the budget, or are much of what the entries hold (`"5.0.2":"2023-…"`).
    const keysCost = isMap ? rows.reduce((sum, row) => sum + keyCost[row]!, 0) : 0;
    listKeys = isMap && keysCost <= budget / 2 && keysCost <= cost[id]! / 5;
    rowBudget -= MARKER_TOKENS + (listKeys ? keysCost : 0);
    chosen = selectRows(plan, rows, analysis, rowCost, rowFloor, rowBudget);
    let hiddenCost = 0;
    chosen.forEach((isChosen, index) => {
      if (!isChosen) hiddenCost += rowCost[index]!;
    });
    if (hiddenCost <= MIN_FOLD_TOKENS) chosen.fill(1);
  }
  const kept = rows.map((_, index) => index).filter((index) => chosen[index]);
  const shares = waterFill(kept, Math.max(0, rowBudget), (index) => rowCost[index]!, (index) => rowFloor[index]!);

  const open = isSequence ? '' : isMap ? '{' : '[';
  const newline = block ? '\n' : '';
  emit(plan, open + (block && !isSequence ? '\n' : ''));
  if (table) emit(plan, `${table.header}\n`);
  const hidden = rows.map((_, index) => index).filter((index) => !chosen[index]);
  // One run of hidden rows folds where it was; scattered ones fold after the last row shown.
  const foldAt = hidden.length > 0 && hidden[hidden.length - 1]! - hidden[0]! === hidden.length - 1 ? hidden[0]! : rows.length;
  let first = true;
  const separate = () => {
    if (!first) emit(plan, block ? '\n' : ',');
    first = false;
  };
  rows.forEach((row, index) => {
    if (index === foldAt) emitHidden(plan, id, rows, hidden, summarize, separate, block, listKeys);
    if (!chosen[index]) return;
    separate();
    if (table?.fits[index]) emit(plan, table.line(index));
    else {
      if (isMap) emit(plan, `${keyOf(tree, row)}:`);
      renderValue(plan, row, shares.get(index) ?? cost[row]!, true, false);
    }
  });
  const tail = tree.tail.get(id);
  if (tail !== undefined) emit(plan, tree.minified.slice(tail, tree.end[id]));
  if (foldAt === rows.length && hidden.length > 0) emitHidden(plan, id, rows, hidden, summarize, separate, block, listKeys);
  if (!isSequence && !tree.incomplete.has(id)) emit(plan, newline + (isMap ? '}' : ']'));
}

// The fold of a collection's hidden rows, raw and minified, one per line; a map names them too.
function emitHidden(
  plan: Plan,
  id: number,
  rows: number[],
  hidden: number[],
  summarize: (hidden: number[]) => string,
  separate: () => void,
  block: boolean,
  listKeys: boolean,
): void {
  const { tree } = plan;
  const isMap = tree.kind[id] === OBJECT;
  separate();
  if (listKeys) {
    const keys = hidden.map((index) => keyOf(tree, rows[index]!)).join(',');
    emit(plan, block ? `# keys of the folded entries: ${keys}\n` : `${keys}:`);
  }
  const summary = summarize(hidden);
  // plan.lineOf comes from lineIndex: it also tells whether an input line holds just one row.
  const folded = foldedRowsText(tree, hidden.map((index) => rows[index]!), isMap, plan.lineOf);
  emitFold(plan, {
    ...folded,
    unit: hidden.some((index) => tree.kind[rows[index]!] !== STRING && tree.kind[rows[index]!] !== ATOM) ? 'rows' : 'items',
    count: hidden.length,
    ...(summary ? { summary } : {}),
  });
}

/**
 * Picks the rows to show: the ones that must stay (up to twice the budget), first and last,
 * notable ones, rarest first, while their floors fit, rows that show otherwise unseen key paths,
 * then others in order while their full cost fits.
 */
function selectRows(plan: Plan, rows: number[], analysis: RowAnalysis, rowCost: number[], rowFloor: number[], budget: number): Uint8Array {
  const { level, rarity } = analysis;
  const chosen = new Uint8Array(rows.length);
  let floors = 0;
  let full = 0;
  const choose = (index: number) => {
    if (chosen[index]) return;
    chosen[index] = 1;
    floors += rowFloor[index]!;
    full += rowCost[index]!;
  };
  level.forEach((value, index) => value === MUST && floors + rowFloor[index]! <= 2 * budget && choose(index));
  choose(0);
  choose(rows.length - 1);
  const notable = rows.map((_, index) => index).filter((index) => level[index] === NOTABLE);
  notable.sort((a, b) => rarity[a]! - rarity[b]! || a - b);
  for (const index of notable) if (floors + rowFloor[index]! <= budget) choose(index);
  coverKeyPaths(plan, rows, chosen, choose);
  // Fill in order, and stop at the first row that does not fit, so that what shows is a run.
  for (let index = 0; index < rows.length && full < budget; index++) {
    if (chosen[index]) continue;
    if (full + rowCost[index]! > budget) break;
    choose(index);
  }
  return chosen;
}

// Every key path must stay visible: add rows whose subtree has a path no chosen row shows.
function coverKeyPaths(plan: Plan, rows: number[], chosen: Uint8Array, choose: (index: number) => void): void {
  const { tree, pathId, pathMark } = plan;
  const stamp = ++plan.markStamp;
  const markAll = (row: number) => {
    for (let node = row; node < tree.next[row]!; node++) pathMark[pathId[node]!] = stamp;
  };
  rows.forEach((row, index) => chosen[index] && markAll(row));
  rows.forEach((row, index) => {
    if (chosen[index]) return;
    for (let node = row; node < tree.next[row]!; node++) {
      if (pathMark[pathId[node]!] !== stamp) {
        choose(index);
        markAll(row);
        return;
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers

// The closing bracket, or for a container cut by the end of input, the text after its last child.
function closing(tree: JsonTree, id: number, bracket: string): string {
  const tail = tree.tail.get(id);
  return tail === undefined ? bracket : tree.minified.slice(tail, tree.end[id]);
}

function mostlyNotJson(tree: JsonTree): boolean {
  if (tree.root !== 0) return false;
  let raw = 0;
  for (const row of childrenOf(tree, 0)) if (tree.kind[row] === RAW) raw++;
  return raw * 2 > tree.childCount[0]!;
}

