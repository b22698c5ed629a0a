import { createSpanBuilder, type FoldSpan } from './spans.ts';

/*
 * The outline of a source file without a syntax tree: by indentation and braces.
 *
 * Used when no grammar fits the file, when its grammar is not installed, when the file is too
 * large to parse, or when the parse is mostly errors. A line followed by more deeply indented
 * lines heads a block; so does a line that opens a brace its own lines do not indent (`{` at the
 * end of a row, closed by a `}` at the same depth further down, as in code pasted flat or
 * indented with a mix of tabs and spaces). A block under a class-like header (`class`, `struct`,
 * `impl`, `namespace` ...) is outlined in turn, so that methods show; any other block folds, its
 * header staying visible; a header that names what the query asks for, or a block holding a row
 * the query points at, stays open. Lines at the outer level (imports, constants, closing braces)
 * all stay. Linear in practice: one pass per nesting level of containers, and one brace pass over
 * the whole file, made the first time a row opens a brace, that finds the row closing each block.
 */

// Headers whose blocks are lists of members, worth outlining rather than folding; C++ access
// labels (`public:`) head the members that follow them.
const CONTAINER_HEADER =
  /^\s*(@\S+\s+)*((export|public|private|protected|internal|abstract|final|sealed|static|partial|open|data|default|declare|inline|pub(\([\w:]+\))?)\s+)*(class|struct|interface|trait|impl|module|namespace|enum|object|extension|protocol|record|union|mod)\b|^\s*extern\s+"C"|^\s*(public|private|protected)(\s+\w+)?\s*:\s*$/;
// A C++ template head on its own row: its block is the class or function below it.
const TEMPLATE_HEAD = /^\s*template\s*</;
// Rows that own nothing below them though less indented: preprocessor lines (`#if`) and macros
// alone on their row (`_GLIBCXX_BEGIN_NAMESPACE_VERSION`); the rows below are outlined as members.
const TRANSPARENT_HEADER = /^\s*(#|[A-Z_][A-Z0-9_]*(\(.*\))?\s*$)/;
// A row holding only an opening brace: the header is the row above (Allman style).
const BRACE_ROW = /^\s*\{\s*(\/\/.*)?$/;
// Containers deeper than this fold like any block: no real file nests classes this far.
const MAX_DEPTH = 32;
// Only the start of a long line is searched for a container keyword or a query name.
const HEADER_CHARS = 300;
// A brace block is followed over at most this many rows.
const MAX_BRACE_ROWS = 20_000;

export interface IndentationOutlineOptions {
  /** Identifiers the query names: blocks headed by a line holding one stay open. */
  queryNames: ReadonlySet<string>;
  /** Rows (0-based) the query points at: blocks holding one stay open. */
  queryRows?: ReadonlySet<number>;
  /** Whether rows `start`..`end` are worth a marker. */
  worth: (start: number, end: number) => boolean;
}

/**
 * The rows to fold in an outline by indentation and braces, sorted and disjoint.
 *
 * @example
 * outlineByIndentation(['def f():', '    return 1'], { queryNames: new Set(), worth: () => true });
 * // [{ start: 1, end: 1 }]
 */
export function outlineByIndentation(lines: readonly string[], options: IndentationOutlineOptions): FoldSpan[] {
  const indents = measureIndents(lines);
  const builder = createSpanBuilder({ worth: options.worth });
  const queryRows = options.queryRows ?? new Set<number>();
  const holdsQueryRow = (from: number, to: number) => {
    for (const row of queryRows) if (row >= from && row <= to) return true;
    return false;
  };

  // A block is a list of members under a container header: on its own row, on the row above a
  // brace row, or on the first row under a template head; or under a row that owns nothing.
  let previousHeader = '';
  const isContainer = (header: string, row: number, last: number): boolean => {
    if (CONTAINER_HEADER.test(header) || TRANSPARENT_HEADER.test(header)) return true;
    if (BRACE_ROW.test(header)) return CONTAINER_HEADER.test(previousHeader);
    const first = nextNonBlank(row + 1, last);
    return TEMPLATE_HEAD.test(header) && first >= 0 && CONTAINER_HEADER.test(lines[first]!.slice(0, HEADER_CHARS));
  };
  const nextNonBlank = (from: number, to: number): number => {
    for (let row = from; row <= to; row++) if (indents[row]! >= 0) return row;
    return -1;
  };

  // The row closing the brace block each row opens, found in one pass when first needed.
  let closeOf: Int32Array | undefined;

  const outlineRange = (start: number, end: number, depth: number): void => {
    let row = start;
    while (row < end) {
      const indent = indents[row]!;
      if (indent < 0) {
        row++;
        continue;
      }
      let last = row;
      for (let next = row + 1; next < end; next++) {
        if (indents[next]! < 0) continue;
        if (indents[next]! <= indent) break;
        last = next;
      }
      // A brace opened on this row and closed further down than the indentation says.
      if (last === row && opensBrace(lines[row]!)) {
        closeOf ??= closingRows(lines);
        const close = closeOf[row]!;
        if (close > row + 1 && close < end && close < row + MAX_BRACE_ROWS) last = close - 1;
      }
      builder.keep(row, row);
      if (last > row) {
        const header = lines[row]!.slice(0, HEADER_CHARS);
        if (namesQuery(header, options.queryNames) || holdsQueryRow(row, last)) builder.keep(row, last);
        else if (depth < MAX_DEPTH && isContainer(header, row, last)) outlineRange(row + 1, last + 1, depth + 1);
        else builder.fold(row + 1, last);
      }
      previousHeader = lines[row]!.slice(0, HEADER_CHARS);
      row = last + 1;
    }
  };

  outlineRange(0, lines.length, 0);
  return builder.spans;
}

// Leading whitespace width of each line, or -1 for a blank line. A tab counts 8 columns where
// the file also indents with spaces (GNU style mixes them: `\t*p = x;` is deeper than six
// spaces), and 4 where it indents with tabs only, where any width keeps the same order.
function measureIndents(lines: readonly string[]): Int32Array {
  const tabWidth = mixesTabsAndSpaces(lines) ? 8 : 4;
  const indents = new Int32Array(lines.length);
  for (let row = 0; row < lines.length; row++) {
    const line = lines[row]!;
    let width = 0;
    let index = 0;
    for (; index < line.length; index++) {
      const c = line.charCodeAt(index);
      if (c === 32) width++;
      else if (c === 9) width += tabWidth - (width % tabWidth);
      else break;
    }
    const blank = index === line.length || (index === line.length - 1 && line.charCodeAt(index) === 13);
    indents[row] = blank ? -1 : width;
  }
  return indents;
}

function mixesTabsAndSpaces(lines: readonly string[]): boolean {
  let tabs = false;
  let spaces = false;
  for (const line of lines) {
    const c = line.charCodeAt(0);
    if (c === 9) tabs = true;
    else if (c === 32 && line.charCodeAt(1) === 32) spaces = true;
    if (tabs && spaces) return true;
  }
  return false;
}

// Whether a row ends by opening a brace (a trailing `// comment` aside).
function opensBrace(line: string): boolean {
  return /\{\s*(\/\/.*|\/\*.*\*\/\s*)?$/.test(line);
}

// For each row, the row holding the `}` that closes the block the row opens, or -1: the block of
// the first brace the row leaves open, so that `} else {` closes the block above and opens its own.
// One pass with a stack of open braces. Strings and comments are skipped roughly (quotes on one
// row, `//` to the end of the row).
function closingRows(lines: readonly string[]): Int32Array {
  const closeOf = new Int32Array(lines.length).fill(-1);
  // Open braces: the row of each, and whether it is the one whose block its row heads.
  const openRows: number[] = [];
  const heads: boolean[] = [];
  for (let row = 0; row < lines.length; row++) {
    const line = lines[row]!.replace(/"(\\.|[^"\\])*"|'(\\.|[^'\\])*'|\/\/.*$/g, '');
    // Braces left on the stack from rows above; those above this mark were opened on this row.
    let below = openRows.length;
    for (let index = 0; index < line.length; index++) {
      const c = line.charCodeAt(index);
      if (c === 123) {
        openRows.push(row);
        heads.push(false);
      } else if (c === 125 && openRows.length > 0) {
        const opened = openRows.pop()!;
        if (heads.pop()) closeOf[opened] = row;
        below = Math.min(below, openRows.length);
      }
    }
    if (openRows.length > below) heads[below] = true;
  }
  return closeOf;
}

function namesQuery(header: string, queryNames: ReadonlySet<string>): boolean {
  if (queryNames.size === 0) return false;
  for (const word of header.match(/[A-Za-z_$][\w$]*/g) ?? []) if (queryNames.has(word)) return true;
  return false;
}
