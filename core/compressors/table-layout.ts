/*
 * Reads the columns of column-aligned command output (`ps aux`, `ls -l`, `df -h`, `ss -tan`,
 * `docker ps`, `kubectl get pods`, `top -b`, `lsof`) and of tab-separated output (`du -h`).
 *
 * Aligned output pads its cells with spaces, so every row has a space at the same positions:
 * the gutters between columns. A gutter is a character position that is blank in (almost) every
 * line that has text on both sides of it. Lines that cross several gutters are not rows (the
 * summary lines above `top`'s table, a note under it); they are found in a first, loose pass and
 * left out of the second, strict one. The table is then the longest run of lines that fit the
 * gutters. A cell is the text of the words that start in its column, so a value that overflows
 * its column still lands in the column where it starts; a row that a wide value pushed right
 * (`ps` does that) is read word by word instead.
 *
 * Text that only looks aligned is refused: a log whose date and time have fixed widths has
 * gutters but no padding (the blank at each gutter is one space wide on every line), and a tree
 * (`npm ls`) has a column of nothing but `├──`.
 */

export interface TableLayout {
  /** How many columns. */
  columns: number;
  /** The blank runs between columns (character positions, end exclusive); none when `tabs`. */
  gutters: Gutter[];
  /** Tab-separated fields rather than aligned columns. */
  tabs: boolean;
  /** Column names from the header, or `column 1`, `column 2`… */
  names: string[];
  /** The header line, or -1 (`ls -l` and `du` have none). */
  header: number;
  /** The table's first and last row lines (inclusive). Lines outside are not rows. */
  first: number;
  last: number;
  /** 1 for the lines from `first` to `last` that are rows; the others there are notes. */
  isRow: Uint8Array;
  /** Columns whose padding was seen: wider than one space in some rows. */
  paddedGutters: number;
}

const MAX_SAMPLE_LINES = 2000;
const MAX_WIDTH = 512; // gutters further right than this are not looked for
const LOOSE_CROSSINGS = 0.25; // first pass: a position blank in 75% of the lines may be a gutter
// Second pass: at most 10% of the rows may cross a gutter. `ps` lets a wide value push the rest of
// its row right instead of widening the column, so a few rows always do.
const STRICT_CROSSINGS = 0.1;
const MIN_SIDES = 0.6; // a gutter has text on its left and on its right in 60% of the lines
const MIN_ROWS = 4;
// The ls -l columns, read from the mode field: `drwxr-xr-x  2 root root 4096 Aug 18  2021 X11`.
const LS_MODE = /^[-dlcbpsD][rwxsStT-]{9}[.+@]?$/;
const LS_NAMES = ['mode', 'links', 'owner', 'group', 'size', 'month', 'day', 'time', 'name'];
const HEADER_CELL = /^[A-Za-z%#_][\w%#:/.+()\- ]{0,30}$/;
const TREE_GLYPHS = /^[│├└─┬┴┼╰╭|`\\+-]+$/;

/**
 * Finds the table in `lines`, or `undefined` when they are not one. Reads at most
 * `MAX_SAMPLE_LINES` lines (from the head, middle and tail) to find the columns, then every line
 * once.
 *
 * @example
 * const layout = findLayout(psAuxOutput.split('\n'));
 * layout?.names; // ['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND']
 */
export function findLayout(lines: readonly string[]): TableLayout | undefined {
  const sample = sampleLines(lines);
  if (sample.length < MIN_ROWS + 1) return undefined;
  const tabs = tabColumns(lines, sample);
  if (tabs !== undefined) return finish(lines, tabs, []);
  const loose = gutterRuns(lines, sample, LOOSE_CROSSINGS);
  if (loose.length === 0) return undefined;
  // The lines that keep to every candidate gutter find the columns; when too few do (`ps`
  // pushes many rows right), those that cross one at most.
  let rowsLike = sample.filter((index) => crossings(lines[index]!, loose) === 0);
  if (rowsLike.length < sample.length * MIN_SIDES) rowsLike = sample.filter((index) => crossings(lines[index]!, loose) <= 1);
  if (rowsLike.length < MIN_ROWS + 1) return undefined;
  const runs = gutterRuns(lines, rowsLike, STRICT_CROSSINGS);
  if (runs.length === 0) return undefined;
  return finish(lines, runs.length + 1, runs);
}

/**
 * The cells of one line under a layout, as written. A line that keeps to the gutters gets the
 * words that start in each column (a word inside a gutter belongs to the column on its right,
 * as right-aligned headers do); a line that crosses a gutter (a value that pushed the rest of
 * its row right) gets its words in order, the last column taking the rest.
 *
 * @example
 * cellsOf('root   1  0.2 /sbin/init splash', layout); // ['root', '1', '0.2', '/sbin/init splash']
 */
export function cellsOf(line: string, layout: Pick<TableLayout, 'columns' | 'gutters' | 'tabs'>): string[] {
  const { columns, gutters, tabs } = layout;
  const cells = new Array<string>(columns).fill('');
  if (tabs) {
    const fields = line.split('\t');
    fields.slice(0, columns - 1).forEach((field, index) => (cells[index] = field.trim()));
    cells[columns - 1] = fields.slice(columns - 1).join('\t').trim();
    return cells;
  }
  const byOrder = crossings(line, gutters) > 0;
  const spans: Array<[number, number] | undefined> = new Array(columns);
  const word = /\S+/g;
  let column = 0;
  let words = 0;
  for (let match = word.exec(line); match; match = word.exec(line)) {
    if (byOrder) column = Math.min(columns - 1, words++);
    else while (column + 1 < columns && match.index >= gutters[column]!.start) column++;
    const span = spans[column];
    spans[column] = span ? [span[0], match.index + match[0].length] : [match.index, match.index + match[0].length];
  }
  spans.forEach((span, index) => {
    if (span) cells[index] = line.slice(span[0], span[1]);
  });
  return cells;
}

/** A blank run between two columns: character positions `start` to `end`, end exclusive. */
export interface Gutter {
  start: number;
  end: number;
}

// Non-blank lines: all of them, or when there are many, three runs from the head, the middle and
// the tail (runs, not every n-th line, which could keep meeting the same row of a periodic output).
function sampleLines(lines: readonly string[]): number[] {
  const run = Math.floor(MAX_SAMPLE_LINES / 3);
  const starts = lines.length <= MAX_SAMPLE_LINES ? [0] : [0, (lines.length - run) >> 1, lines.length - run];
  const sample: number[] = [];
  for (const start of starts) {
    const end = lines.length <= MAX_SAMPLE_LINES ? lines.length : start + run;
    for (let index = start; index < end; index++) if (lines[index]!.trim() !== '') sample.push(index);
  }
  return sample;
}

// The number of tab-separated fields when 90% of the sampled lines have the same one (2 or more).
function tabColumns(lines: readonly string[], sample: readonly number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const index of sample) {
    const fields = lines[index]!.split('\t').length;
    counts.set(fields, (counts.get(fields) ?? 0) + 1);
  }
  for (const [fields, count] of counts) if (fields >= 2 && count >= sample.length * 0.9) return fields;
  return undefined;
}

// Runs of positions that are blank in all but `tolerance` of the lines, with text on both sides.
function gutterRuns(lines: readonly string[], sample: readonly number[], tolerance: number): Gutter[] {
  let width = 0;
  for (const index of sample) width = Math.max(width, Math.min(MAX_WIDTH, lines[index]!.trimEnd().length));
  const occupied = new Int32Array(width + 1);
  const sides = new Int32Array(width + 2); // difference array: lines with text left and right of p
  for (const index of sample) {
    const line = lines[index]!;
    const end = Math.min(width, line.trimEnd().length);
    let first = -1;
    for (let p = 0; p < end; p++) {
      const c = line.charCodeAt(p);
      if (c !== 32 && c !== 9) {
        occupied[p]!++;
        if (first === -1) first = p;
      }
    }
    if (first !== -1 && end - 1 > first + 1) {
      sides[first + 1]!++;
      sides[end - 1]!--;
    }
  }
  const runs: Gutter[] = [];
  let both = 0;
  for (let p = 0; p < width; p++) {
    both += sides[p]!;
    const gutter = occupied[p]! <= sample.length * tolerance && both >= sample.length * MIN_SIDES;
    const open = runs[runs.length - 1];
    if (gutter && open && open.end === p) open.end = p + 1;
    else if (gutter) runs.push({ start: p, end: p + 1 });
  }
  return runs;
}

// How many gutter runs a line writes into (at every position of the run).
function crossings(line: string, runs: readonly Gutter[]): number {
  let count = 0;
  for (const run of runs) {
    let blank = false;
    for (let p = run.start; p < run.end && !blank; p++) {
      const c = line.charCodeAt(p);
      blank = p >= line.length || c === 32 || c === 9;
    }
    if (!blank) count++;
  }
  return count;
}

// Decides the rows, the header and the names once the columns are known; refuses non-tables.
function finish(lines: readonly string[], columns: number, runs: Gutter[]): TableLayout | undefined {
  const tabs = runs.length === 0;
  if (columns < 2) return undefined;
  const fits = (index: number) => {
    const line = lines[index]!;
    if (line.trim() === '') return false;
    if (tabs) return line.split('\t').length === columns;
    return crossings(line, runs) <= Math.max(1, runs.length / 4);
  };
  // The longest run of fitting lines; one odd line between two rows does not end it.
  let best = { first: -1, last: -2 };
  let first = -1;
  let lastFit = -2;
  for (let index = 0; index <= lines.length; index++) {
    const fit = index < lines.length && fits(index);
    if (fit) {
      if (first === -1 || index - lastFit > 2) first = index;
      lastFit = index;
      if (lastFit - first > best.last - best.first) best = { first, last: lastFit };
    }
  }
  if (best.last - best.first + 1 < MIN_ROWS + 1) return undefined;
  const isRow = new Uint8Array(lines.length);
  for (let index = best.first; index <= best.last; index++) if (fits(index)) isRow[index] = 1;

  const cells = (index: number) => cellsOf(lines[index]!, { columns, gutters: runs, tabs });
  // The header is the first line, or the second under a title (`Active Internet connections`).
  let header = -1;
  for (const candidate of [best.first, best.first + 1]) {
    if (header === -1 && candidate < best.last && looksLikeHeader(cells(candidate), cells(candidate + 1))) header = candidate;
  }
  if (header === best.first + 1) {
    isRow[best.first] = 0;
    best.first = header;
  }
  const firstCells = header >= 0 ? cells(header) : [];
  const rowIndexes: number[] = [];
  for (let index = best.first; index <= best.last; index++) if (isRow[index] && index !== header) rowIndexes.push(index);
  if (rowIndexes.length < MIN_ROWS) return undefined;
  const sampleCells = rowIndexes.slice(0, MAX_SAMPLE_LINES).map(cells);
  if (isTree(sampleCells)) return undefined;
  const names =
    header >= 0
      ? firstCells.map((cell, index) => cell || `column ${index + 1}`)
      : (lsNames(sampleCells, columns) ?? Array.from({ length: columns }, (_, index) => `column ${index + 1}`));
  if (header >= 0) isRow[header] = 0;
  const paddedGutters = tabs ? columns - 1 : countPadded(lines, rowIndexes, runs);
  return { columns, gutters: runs, tabs, names, header, first: best.first, last: best.last, isRow, paddedGutters };
}

// A header names columns: short names (`USER`, `%CPU`, `Mounted on`, `Local Address:Port`), no
// numbers, over numbers in the row below it or all in capitals. Not `[File: a.py (90 lines)]`.
function looksLikeHeader(cells: readonly string[], below: readonly string[]): boolean {
  const filled = cells.filter((cell) => cell !== '');
  if (filled.length < Math.max(2, cells.length / 2)) return false;
  if (filled.some((cell) => !HEADER_CELL.test(cell) || /^[-+]?[\d.,:]+[%KMGTP]?$/i.test(cell))) return false;
  return cells.some((cell, index) => /[A-Za-z]/.test(cell) && /\d/.test(below[index] ?? '')) || filled.every((cell) => /[A-Z]/.test(cell) && cell === cell.toUpperCase());
}

// `npm ls`, `tree`: a column of branch glyphs is a drawing, not data.
function isTree(rows: readonly string[][]): boolean {
  const first = rows.map((cells) => cells[0] ?? '');
  return first.filter((cell) => TREE_GLYPHS.test(cell)).length >= rows.length * 0.5;
}

function lsNames(rows: readonly string[][], columns: number): string[] | undefined {
  if (columns !== LS_NAMES.length) return undefined;
  const modes = rows.filter((cells) => LS_MODE.test(cells[0]!)).length;
  return modes >= rows.length * 0.8 ? [...LS_NAMES] : undefined;
}

// Gutters whose blank is wider than one space in at least a tenth of the rows: real padding.
function countPadded(lines: readonly string[], rows: readonly number[], runs: readonly Gutter[]): number {
  const step = Math.max(1, Math.floor(rows.length / MAX_SAMPLE_LINES));
  let padded = 0;
  for (const run of runs) {
    let wide = 0;
    let seen = 0;
    for (let k = 0; k < rows.length; k += step) {
      const line = lines[rows[k]!]!;
      seen++;
      if (run.end - run.start >= 2 && run.end <= line.length) {
        wide++;
        continue;
      }
      let left = run.start;
      let right = run.end;
      while (left > 0 && line.charCodeAt(left - 1) === 32) left--;
      while (right < line.length && line.charCodeAt(right) === 32) right++;
      if (right - left >= 2 && right < line.length) wide++;
    }
    if (wide >= seen * 0.1) padded++;
  }
  return padded;
}
