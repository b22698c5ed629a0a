import type { Plan } from './json-plan.ts';
import { OBJECT, childrenOf, keyOf, rawOf } from './json-scan.ts';

/*
 * The table form of a collection whose rows are objects with the same few keys: the keys once, in
 * a header line, then one line of cells per row (see json.ts). Lossless: an empty cell means the
 * key is absent, and a row that does not fit the columns stays an object line.
 */

const MAX_TABLE_COLUMNS = 16; // wider tables are hard to read by position
const MAX_TABLE_ROW_TOKENS = 300;

export interface Table {
  header: string;
  headerCost: number;
  /** Whether each row fits the columns (an object without duplicate or extra keys), and its cost as a line. */
  fits: Uint8Array;
  costs: Float64Array;
  /** The table line of a fitting row, built only for rows that show. */
  line(index: number): string;
}

/**
 * A table for rows that are objects with a few shared keys, when keys-once saves enough.
 *
 * @example
 * tableOf(plan, jobsNode, childrenOf(tree, jobsNode))?.header; // '# 875 rows as a table, one per line, cells in the key order ["name","url","color"]'
 */
export function tableOf(plan: Plan, id: number, rows: number[]): Table | undefined {
  const { tree, cost, keyCost } = plan;
  const isMap = tree.kind[id] === OBJECT;
  if (rows.length < 3) return undefined;
  const columns = new Map<string, number>();
  const fits = new Uint8Array(rows.length);
  const costs = new Float64Array(rows.length);
  const lastRowIn = new Int32Array(MAX_TABLE_COLUMNS + 1).fill(-1); // finds duplicate keys
  let fitting = 0;
  let saved = 0;
  let spent = 0;
  let cells = 0;
  rows.forEach((row, index) => {
    const memberCount = tree.childCount[row]!;
    if (tree.kind[row] !== OBJECT || tree.incomplete.has(row) || memberCount > MAX_TABLE_COLUMNS) return;
    let rowCost = 1 + (isMap ? keyCost[row]! : 0);
    let duplicate = false;
    for (let member = row + 1, k = 0; k < memberCount; k++, member = tree.next[member]!) {
      const key = keyOf(tree, member);
      let column = columns.get(key);
      if (column === undefined) {
        if (columns.size === MAX_TABLE_COLUMNS) return;
        columns.set(key, (column = columns.size));
      }
      if (lastRowIn[column] === index) duplicate = true;
      lastRowIn[column] = index;
      rowCost += cost[member]! + 1;
    }
    if (duplicate) return;
    fits[index] = 1;
    costs[index] = rowCost;
    fitting++;
    cells += memberCount;
    saved += cost[row]! + 1 + (isMap ? keyCost[row]! : 0) - rowCost;
    spent += rowCost;
  });
  if (columns.size === 0 || fitting < Math.max(3, rows.length * 0.8)) return undefined;
  for (let index = 0; index < rows.length; index++) {
    if (fits[index]) costs[index] = costs[index]! + columns.size - tree.childCount[rows[index]!]!; // empty cells' commas
  }
  const keyList = `[${[...columns.keys()].join(',')}]`;
  const absent = cells < fitting * columns.size ? ' (an empty cell means the key is absent)' : '';
  const header = isMap
    ? `# ${rows.length} entries as a table, one per line: the entry's key, then cells in the key order ${keyList}${absent}`
    : `# ${rows.length} rows as a table, one per line, cells in the key order ${keyList}${absent}`;
  const headerCost = keyList.length / 3 + 20;
  if (saved - headerCost < 0.15 * (spent + saved) || spent / fitting > MAX_TABLE_ROW_TOKENS) return undefined;
  const line = (index: number) => {
    const row = rows[index]!;
    const values = new Array<string>(columns.size).fill('');
    for (const member of childrenOf(tree, row)) values[columns.get(keyOf(tree, member))!] = rawOf(tree, member);
    return `[${isMap ? `${keyOf(tree, row)},` : ''}${values.join(',')}]`;
  };
  return { header, headerCost, fits, costs, line };
}
