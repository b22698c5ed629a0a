import { quoteValue } from '../folds.ts';

/*
 * What the columns of a table hold: numbers (with units: `4.0K`, `1.2G`, `12%`, `0:17`), or a few
 * categories (`root`, `S`, `LISTEN`), and which rows stand out in each: the largest and smallest
 * numbers, and rare categories. Also the fold summary: counts per category and number ranges of
 * the hidden rows, `USER root 92, www-data 3; RSS 0 to 15848`.
 */

export interface ColumnFacts {
  name: string;
  /** Each row's cell, as written. */
  cells: string[];
  /** Each row's value when the column is numeric (NaN where a cell is empty or not a number). */
  numbers?: Float64Array;
  /** When the column is categorical: how many rows have each value. */
  counts?: Map<string, number>;
}

const MIN_NUMERIC_SHARE = 0.8;
const MIN_DISTINCT_NUMBERS = 4; // fewer distinct numbers (nice levels, 0 and 1) are categories
const MAX_CATEGORIES = 12;
const MEDIAN_SAMPLE = 4096;
const UNIT_POWER: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };
const SIZE = /^(\d+(?:\.\d+)?)([kmgtpe])(?:i?b)?$/i;
const PLAIN = /^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;
const DURATION = /^(?:(\d+)-)?(\d+):(\d\d)(?::(\d\d))?(?:\.(\d+))?$/; // ps TIME, top TIME+, etime

/**
 * Reads a cell as a number: plain (`1,234`, `-0.5`), a size with a unit (`4.0K`, `12Gi`, `2.0g`,
 * in bytes), a percentage (`25%`) or a duration (`0:17`, `1-02:03:04`, in seconds).
 *
 * @example
 * numberOf('1.5K'); // 1536
 */
export function numberOf(cell: string): number | undefined {
  const text = cell.endsWith('%') ? cell.slice(0, -1) : cell;
  if (PLAIN.test(text)) return Number(text.replaceAll(',', ''));
  const size = SIZE.exec(text);
  if (size) return Number(size[1]) * 1024 ** UNIT_POWER[size[2]!.toLowerCase()]!;
  const duration = DURATION.exec(text);
  if (duration) {
    const [, days, first, second, third, fraction] = duration;
    const seconds = third === undefined ? Number(first) * 60 + Number(second) : Number(first) * 3600 + Number(second) * 60 + Number(third);
    return Number(days ?? 0) * 86400 + seconds + Number(`0.${fraction ?? 0}`);
  }
  return undefined;
}

/**
 * Classifies each column from its cells (`cells[row][column]`): numeric when 80% of its filled
 * cells are numbers of at least four distinct values; categorical when it has at most a dozen
 * distinct values (and no more than one per four rows).
 *
 * @example
 * describeColumns(['USER', 'RSS'], [['root', '15848'], …]); // USER categorical, RSS numeric
 */
export function describeColumns(names: readonly string[], cells: readonly string[][]): ColumnFacts[] {
  return names.map((name, column) => {
    const numbers = new Float64Array(cells.length).fill(Number.NaN);
    const distinctNumbers = new Set<number>();
    const counts = new Map<string, number>();
    let filled = 0;
    let parsed = 0;
    cells.forEach((row, index) => {
      const cell = row[column] ?? '';
      if (cell === '' || cell === '-') return;
      filled++;
      const value = numberOf(cell);
      if (value !== undefined) {
        parsed++;
        numbers[index] = value;
        if (distinctNumbers.size < MIN_DISTINCT_NUMBERS) distinctNumbers.add(value);
      }
      if (counts.size <= MAX_CATEGORIES) counts.set(cell, (counts.get(cell) ?? 0) + 1);
    });
    const facts: ColumnFacts = { name, cells: cells.map((row) => row[column] ?? '') };
    if (filled === 0) return facts;
    if (parsed >= filled * MIN_NUMERIC_SHARE && distinctNumbers.size >= MIN_DISTINCT_NUMBERS) facts.numbers = numbers;
    else if (counts.size <= Math.max(2, Math.min(MAX_CATEGORIES, cells.length / 4))) facts.counts = counts;
    return facts;
  });
}

/**
 * The rows that stand out in a column, most extreme first and at most `limit` of each: for
 * numbers, the largest (`top`) and smallest (`bottom`) values beyond the median, ties in row
 * order; for categories, the rows whose value is rare (under 5% of the rows, or once) next to a
 * commoner one. Linear in the rows: no sort of the whole column.
 *
 * @example
 * standouts(rssColumn, 3).top; // the rows of the three processes using the most memory
 */
export function standouts(facts: ColumnFacts, limit: number): { top: number[]; bottom: number[]; rare: number[] } {
  if (facts.numbers) {
    const median = medianOf(facts.numbers);
    return { top: extremes(facts.numbers, limit, median, 1), bottom: extremes(facts.numbers, limit, median, -1), rare: [] };
  }
  if (!facts.counts || facts.counts.size < 2) return { top: [], bottom: [], rare: [] };
  const { cells: values, counts } = facts;
  const most = Math.max(...counts.values());
  const rare = values
    .map((value, row) => ({ row, count: counts.get(value) ?? 0 }))
    .filter(({ row, count }) => values[row] !== '' && count < most && (count === 1 || count < values.length * 0.05));
  rare.sort((a, b) => a.count - b.count || a.row - b.row);
  return { top: [], bottom: [], rare: rare.slice(0, limit).map(({ row }) => row) };
}

// The median of the numbers (NaN skipped), from an even sample of at most MEDIAN_SAMPLE of them.
function medianOf(values: Float64Array): number {
  const step = Math.max(1, Math.floor(values.length / MEDIAN_SAMPLE));
  const sample: number[] = [];
  for (let row = 0; row < values.length; row += step) if (!Number.isNaN(values[row]!)) sample.push(values[row]!);
  sample.sort((a, b) => a - b);
  return sample[sample.length >> 1] ?? Number.NaN;
}

// The `limit` rows furthest beyond `median` in `direction` (1: largest, -1: smallest), most
// extreme first, ties in row order: one pass, keeping a short sorted list.
function extremes(values: Float64Array, limit: number, median: number, direction: 1 | -1): number[] {
  const chosen: number[] = [];
  const beyond = (value: number, than: number) => (value - than) * direction > 0;
  for (let row = 0; row < values.length; row++) {
    const value = values[row]!;
    if (!beyond(value, median)) continue; // NaN compares false too
    if (chosen.length === limit && !beyond(value, values[chosen[limit - 1]!]!)) continue;
    let at = chosen.length;
    while (at > 0 && beyond(value, values[chosen[at - 1]!]!)) at--;
    chosen.splice(at, 0, row);
    if (chosen.length > limit) chosen.pop();
  }
  return chosen;
}

/**
 * One line on hidden rows: counts per value of the two most telling categorical columns (words
 * before numbers, fewest values first; a column with one value in the whole table tells
 * nothing), and the range of the first numeric column that is not in row order (a `PID` column's
 * range says little).
 *
 * @example
 * summarizeRows(columns, [3, 4, 5]); // 'USER root 3; RSS 0 to 15848'
 */
export function summarizeRows(columns: readonly ColumnFacts[], rows: readonly number[]): string {
  const parts: string[] = [];
  const wordy = (facts: ColumnFacts) => Number([...facts.counts!.keys()].every((value) => numberOf(value) !== undefined));
  const categorical = columns
    .filter((facts) => facts.counts && facts.counts.size > 1)
    .sort((a, b) => wordy(a) - wordy(b) || a.counts!.size - b.counts!.size);
  for (const facts of categorical.slice(0, 2)) {
    const counts = new Map<string, number>();
    for (const row of rows) {
      const value = facts.cells[row]!;
      if (value !== '') counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    if (counts.size === 0) continue;
    const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    // Names and values come from the input: quoted, so that none reads as tokenfold's own words.
    const shown = sorted.slice(0, 3).map(([value, count]) => `${quoteValue(value, 24)} ${count}`);
    if (sorted.length > 3) shown.push(`${sorted.length - 3} more values`);
    parts.push(`${quoteValue(facts.name)} ${shown.join(', ')}`);
  }
  const numeric = columns.find((facts) => facts.numbers && !ascending(facts.numbers)) ?? columns.find((facts) => facts.numbers);
  if (numeric) {
    const values = numeric.numbers!;
    let low = -1;
    let high = -1;
    for (const row of rows) {
      if (Number.isNaN(values[row]!)) continue;
      if (low === -1 || values[row]! < values[low]!) low = row;
      if (high === -1 || values[row]! > values[high]!) high = row;
    }
    // The cells read as numbers (digits, a unit, `:`), so they need no quotes.
    if (low !== -1) parts.push(`${quoteValue(numeric.name)} ${numeric.cells[low]} to ${numeric.cells[high]}`);
  }
  return parts.join('; ');
}

function ascending(values: Float64Array): boolean {
  let previous = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (Number.isNaN(value)) continue;
    if (value < previous) return false;
    previous = value;
  }
  return true;
}
