import type { Compressor, CompressorContext, FoldRequest, Piece } from '../types.ts';
import { findEvidence } from '../evidence.ts';
import { MARKER_TOKENS, countTerms, foldLines, queryTerms, selectiveTerms, splitLines, worthFolding } from './lines.ts';
import { describeColumns, standouts, summarizeRows, type ColumnFacts } from './table-columns.ts';
import { cellsOf, findLayout, type TableLayout } from './table-layout.ts';

/*
 * Column-aligned command output: `ps aux`, `top -b`, `ls -l`, `df -h`, `du -h`, `ss -tan`,
 * `netstat`, `lsof`, `docker ps`, `kubectl get pods`.
 *
 * What an agent asks of such a table is which rows stand out: the process using the most memory,
 * the fullest disk, the pod that is not Running, the file it named. So these stay in view, in
 * their place and verbatim:
 * - everything that is not a row: the header, `top`'s summary lines, notes under the table;
 * - rows that carry failure evidence (core/evidence.ts) and rows that match the query;
 * - for each numeric column (`%CPU`, `RSS`, `Size`, `Use%`, sizes like `1.2G`, times like
 *   `0:17`) the MUST_TOP largest rows always, and while the budget lasts more of the largest,
 *   the smallest, and rows with a rare value in a categorical column (`USER`, `STAT`, `STATUS`);
 * - the first and last rows, then more rows from both ends while the budget lasts.
 * The other rows fold at line boundaries, each run where it was when there are a few runs
 * (`[[fold …: 37 lines; USER root 35, www-data 2; RSS 0 to 15848]]`, numbered as in the input);
 * when there are many, each run shows as `…` and one fold after the table holds them all, each
 * line with its input line number. A kept row too long to read (a Java command line) shows its
 * head and tail around a fold of its middle.
 *
 * Lossless mode has nothing to offer a table (its padding costs few tokens), so it passes.
 */

/** Rows per numeric column that always stay visible: the fidelity rule of the benchmark. */
export const MUST_TOP = 3;
const MORE_TOP = 10; // more of the largest, while the budget lasts
const BOTTOM = 3; // the smallest, while the budget lasts
const EDGE_ROWS = 2;
const MAX_IN_PLACE_FOLDS = 3;
const GAP_TOKENS = 2; // a `…` line
const LONG_LINE_CHARS = 800;
const LONG_LINE_HEAD = 480;
const LONG_LINE_TAIL = 160;
// What sets a table apart from text that lines up by chance (a log's fixed-width date and time,
// `CC file.o` build lines, progress bars): several columns, padding in at least two gutters, a
// header (or the `ls -l` layout), and rows that fill most columns.
const MIN_ALIGNED_COLUMNS = 3;
const MIN_PADDED_GUTTERS = 2;
const MIN_FILLED_CELLS = 0.6;
const MAX_FILL_SAMPLE = 2000;
const TIMESTAMP_START = /^\s*\[?(?:\d{4}-\d\d-\d\d|\d\d:\d\d:\d\d|\d\d\/\d\d\/\d{2,4}|[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d|\d{6} \d{6}\b)/;

/**
 * Says whether `lines` are one column-aligned table (most of them rows), and why; `undefined`
 * otherwise. Reads at most 2,000 of the lines to find the columns, then checks each line against
 * them once.
 *
 * @example
 * detectTable(psAux.split('\n')); // { kind: 'table', why: '11 aligned columns (USER, PID, %CPU, %MEM…), 109 rows' }
 */
export function detectTable(lines: readonly string[]): { kind: 'table'; why: string } | undefined {
  const layout = findLayout(lines);
  if (!layout) return undefined;
  const rows = rowLinesOf(layout);
  let nonBlank = 0;
  for (const line of lines) if (line.trim() !== '') nonBlank++;
  if (rows.length < nonBlank * 0.6) return undefined;
  if (!layout.tabs && (layout.columns < MIN_ALIGNED_COLUMNS || layout.paddedGutters < MIN_PADDED_GUTTERS)) return undefined;
  if (!layout.tabs && layout.header === -1 && layout.names[0] !== 'mode') return undefined;
  if (rows.filter((line) => TIMESTAMP_START.test(lines[line]!)).length >= rows.length * 0.5) return undefined;
  if (layout.tabs && rows.filter((line) => /^\s*\t/.test(lines[line]!)).length > rows.length * 0.1) return undefined;
  const sample = rows.length > MAX_FILL_SAMPLE ? rows.slice(0, MAX_FILL_SAMPLE) : rows;
  let filled = 0;
  for (const line of sample) filled += cellsOf(lines[line]!, layout).filter((cell) => cell !== '').length;
  if (filled < sample.length * layout.columns * MIN_FILLED_CELLS) return undefined;
  const shown = layout.names.slice(0, 4).join(', ') + (layout.columns > 4 ? '…' : '');
  return { kind: 'table', why: `${layout.columns} ${layout.tabs ? 'tab-separated' : 'aligned'} columns (${shown}), ${rows.length} rows` };
}

/** Compresses a column-aligned table (see the header). Pure and deterministic. */
export const compressTable: Compressor = (text, context) => {
  if (context.lossless) return undefined;
  const { lines, trailingNewline } = splitLines(text);
  const layout = findLayout(lines);
  if (!layout) return undefined;
  const rowLines = rowLinesOf(layout);
  const columns = describeColumns(
    layout.names,
    rowLines.map((line) => cellsOf(lines[line]!, layout)),
  );
  const costs = lineCosts(lines, rowLines, context);
  const visible = new Uint8Array(lines.length);
  for (let line = 0; line < lines.length; line++) if (!layout.isRow[line]) visible[line] = 1;
  const selection = new Selection(lines, layout, costs, visible);
  chooseRows(selection, lines, rowLines, columns, context);
  return render(lines, trailingNewline, layout, rowLines, columns, visible, context);
};

function rowLinesOf(layout: TableLayout): number[] {
  const rows: number[] = [];
  for (let line = layout.first; line <= layout.last; line++) if (layout.isRow[line]) rows.push(line);
  return rows;
}

// Estimated tokens of each line and its line break, scaled to the caller's tokenizer by one exact
// count of the first rows; a long line costs what its head and tail cost.
function lineCosts(lines: readonly string[], rowLines: readonly number[], context: CompressorContext): Float64Array {
  const sample = rowLines.slice(0, 40).map((line) => lines[line]!.slice(0, LONG_LINE_CHARS)).join('\n');
  const estimate = context.estimateTokens(sample);
  const ratio = estimate > 0 ? Math.min(3, Math.max(0.5, context.countTokens(sample) / estimate)) : 1;
  return Float64Array.from(lines, (line) => {
    const shown = line.length > LONG_LINE_CHARS ? line.slice(0, LONG_LINE_HEAD) + line.slice(-LONG_LINE_TAIL) : line;
    return context.estimateTokens(shown) * ratio + 1 + (line.length > LONG_LINE_CHARS ? MARKER_TOKENS : 0);
  });
}

/** The visible lines and what they cost, markers included; rows are added one at a time. */
class Selection {
  spent = 0;
  gaps = 0;
  private readonly lines: readonly string[];
  private readonly layout: TableLayout;
  private readonly costs: Float64Array;
  readonly visible: Uint8Array;

  constructor(lines: readonly string[], layout: TableLayout, costs: Float64Array, visible: Uint8Array) {
    this.lines = lines;
    this.layout = layout;
    this.costs = costs;
    this.visible = visible;
    let hidden = false;
    for (let line = 0; line < lines.length; line++) {
      if (visible[line]) this.spent += costs[line]!;
      else if (!hidden) this.gaps++;
      hidden = !visible[line];
    }
  }

  /** What the gaps' markers cost: one each while they fold in place, then `…` lines and one fold. */
  markerCost(gaps = this.gaps): number {
    return gaps <= MAX_IN_PLACE_FOLDS ? gaps * MARKER_TOKENS : MARKER_TOKENS + gaps * GAP_TOKENS;
  }

  /** Makes a row visible if the total stays within `limit`; true when it is (or was) visible. */
  keep(line: number, limit = Number.POSITIVE_INFINITY): boolean {
    if (this.visible[line]) return true;
    const hiddenBefore = line > 0 && !this.visible[line - 1];
    const hiddenAfter = line + 1 < this.lines.length && !this.visible[line + 1];
    const gaps = this.gaps + (hiddenBefore && hiddenAfter ? 1 : !hiddenBefore && !hiddenAfter ? -1 : 0);
    const total = this.spent + this.costs[line]! - this.markerCost() + this.markerCost(gaps);
    if (total > limit && this.layout.isRow[line]) return false;
    this.visible[line] = 1;
    this.spent += this.costs[line]!;
    this.gaps = gaps;
    return true;
  }

  /** The total: visible lines and markers. */
  total(): number {
    return this.spent + this.markerCost();
  }
}

// Decides which rows stay visible, most important first (see the header).
function chooseRows(selection: Selection, lines: readonly string[], rowLines: readonly number[], columns: readonly ColumnFacts[], context: CompressorContext): void {
  const budget = context.budget;
  const evidence = context.evidence?.keep ?? findEvidence(lines, { tail: false }).keep;
  const terms = selectiveTerms(rowLines.map((line) => lines[line]!.toLowerCase()), queryTerms(context.query));
  for (const line of rowLines) {
    if (evidence[line] || (terms.length > 0 && countTerms(lines[line]!.toLowerCase(), terms) > 0)) selection.keep(line);
  }
  const ranked = columns.map((facts) => standouts(facts, MORE_TOP));
  // The largest rows of each numeric column stay, up to twice the budget.
  for (let rank = 0; rank < MUST_TOP; rank++) {
    for (const { top } of ranked) if (rank < top.length) selection.keep(rowLines[top[rank]!]!, 2 * budget);
  }
  for (let edge = 0; edge < EDGE_ROWS && edge < rowLines.length; edge++) {
    selection.keep(rowLines[edge]!, budget);
    selection.keep(rowLines[rowLines.length - 1 - edge]!, budget);
  }
  for (let rank = MUST_TOP; rank < MORE_TOP; rank++) {
    for (const { top } of ranked) if (rank < top.length) selection.keep(rowLines[top[rank]!]!, budget);
  }
  for (const { rare } of ranked) for (const row of rare) selection.keep(rowLines[row]!, budget);
  for (let rank = 0; rank < BOTTOM; rank++) {
    for (const { bottom } of ranked) if (rank < bottom.length) selection.keep(rowLines[bottom[rank]!]!, budget);
  }
  // Then from both ends, as head+tail truncation would, until a row does not fit.
  let head = 0;
  let tail = rowLines.length - 1;
  while (head <= tail && selection.total() < budget) {
    if (!selection.keep(rowLines[head++]!, budget)) break;
    if (head <= tail && !selection.keep(rowLines[tail--]!, budget)) break;
  }
}


// Kept lines in place; hidden runs fold where they are, or become `…` with one fold after the table.
function render(
  lines: readonly string[],
  trailingNewline: boolean,
  layout: TableLayout,
  rowLines: readonly number[],
  columns: readonly ColumnFacts[],
  visible: Uint8Array,
  context: CompressorContext,
): Piece[] | undefined {
  const rowOf = new Map(rowLines.map((line, row) => [line, row]));
  const gaps: Array<[number, number]> = [];
  for (let line = 0; line < lines.length; line++) {
    if (visible[line]) continue;
    let end = line;
    while (end < lines.length && !visible[end]) end++;
    // A run that costs about what its marker costs stays in view.
    if (worthFolding(lines, line, end, context.estimateTokens)) gaps.push([line, end]);
    else visible.fill(1, line, end);
    line = end;
  }
  if (gaps.length === 0) return undefined;
  const gather = gaps.length > MAX_IN_PLACE_FOLDS;
  const rowsIn = (start: number, end: number) => {
    const rows: number[] = [];
    for (let line = start; line < end; line++) if (rowOf.has(line)) rows.push(rowOf.get(line)!);
    return rows;
  };
  const gapEnd = new Map(gaps);
  const out: Array<string | Piece[]> = [];
  for (let line = 0; line < lines.length; line++) {
    const end = gapEnd.get(line);
    if (end !== undefined) {
      out.push(gather ? '…' : [foldLines(lines, line, end, summarizeRows(columns, rowsIn(line, end)))]);
      line = end - 1;
    } else out.push(keptLine(lines[line]!, line));
    if (gather && line === layout.last) out.push([gatheredFold(lines, gaps, columns, rowsIn)]);
  }
  const pieces: Piece[] = [];
  out.forEach((entry, index) => {
    if (typeof entry === 'string') pieces.push(entry);
    else pieces.push(...entry);
    if (index < out.length - 1 || trailingNewline) pieces.push('\n');
  });
  return pieces;
}

// One fold for all hidden runs, each line with its input line number.
function gatheredFold(
  lines: readonly string[],
  gaps: ReadonlyArray<[number, number]>,
  columns: readonly ColumnFacts[],
  rowsIn: (start: number, end: number) => number[],
): FoldRequest {
  const hidden: number[] = [];
  for (const [start, end] of gaps) for (let line = start; line < end; line++) hidden.push(line);
  const counts = summarizeRows(columns, gaps.flatMap(([start, end]) => rowsIn(start, end)));
  return {
    text: hidden.map((line) => lines[line]).join('\n'),
    unit: 'lines',
    count: hidden.length,
    lineNumbers: hidden.map((line) => line + 1),
    summary: counts ? `the rows shown as …; ${counts}` : 'the rows shown as …',
  };
}

// A line too long to read shows its head and tail around a fold of its middle.
function keptLine(line: string, index: number): string | Piece[] {
  if (line.length <= LONG_LINE_CHARS) return line;
  const head = line.slice(0, LONG_LINE_HEAD);
  const tail = line.slice(-LONG_LINE_TAIL);
  const middle = line.slice(LONG_LINE_HEAD, line.length - LONG_LINE_TAIL);
  return [head, { text: middle, unit: 'chars', count: middle.length, summary: `the middle of line ${index + 1}`, firstLine: index + 1 }, tail];
}
