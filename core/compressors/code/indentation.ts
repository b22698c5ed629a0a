import { createSpanBuilder, type FoldSpan } from './outline.ts';

/*
 * The outline of a source file without a syntax tree: by indentation.
 *
 * Used when no grammar fits the file, when its grammar did not load, when the file is too large
 * to parse, or when the parse is mostly errors. A line followed by more deeply indented lines
 * heads a block. A block under a class-like header (`class`, `struct`, `impl`, `namespace` ...) is
 * outlined in turn, so that methods show; any other block folds, its header staying visible; a
 * header that names what the query asks for keeps its block open. Lines at the outer level
 * (imports, constants, closing braces) all stay. One pass per nesting level of containers, so
 * linear in practice.
 */

// Headers whose blocks are lists of members, worth outlining rather than folding.
const CONTAINER_HEADER =
  /^\s*(@\S+\s+)*((export|public|private|protected|internal|abstract|final|sealed|static|partial|open|data|default|declare|pub(\([\w:]+\))?)\s+)*(class|struct|interface|trait|impl|module|namespace|enum|object|extension|protocol|record|union|mod)\b|^\s*extern\s+"C"/;
// Containers deeper than this fold like any block: no real file nests classes this far.
const MAX_DEPTH = 32;
// Only the start of a long line is searched for a container keyword or a query name.
const HEADER_CHARS = 300;

export interface IndentationOutlineOptions {
  /** Identifiers the query names: blocks headed by a line holding one stay open. */
  queryNames: ReadonlySet<string>;
  /** Whether rows `start`..`end` are worth a marker. */
  worth: (start: number, end: number) => boolean;
}

/**
 * The rows to fold in an outline by indentation, sorted and disjoint.
 *
 * @example
 * outlineByIndentation(['def f():', '    return 1'], { queryNames: new Set(), worth: () => true });
 * // [{ start: 1, end: 1 }]
 */
export function outlineByIndentation(lines: readonly string[], options: IndentationOutlineOptions): FoldSpan[] {
  const indents = measureIndents(lines);
  const builder = createSpanBuilder(options.worth);

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
      builder.keep(row, row);
      if (last > row) {
        const header = lines[row]!.slice(0, HEADER_CHARS);
        if (namesQuery(header, options.queryNames)) builder.keep(row, last);
        else if (depth < MAX_DEPTH && CONTAINER_HEADER.test(header)) outlineRange(row + 1, last + 1, depth + 1);
        else builder.fold(row + 1, last);
      }
      row = last + 1;
    }
  };

  outlineRange(0, lines.length, 0);
  return builder.spans;
}

// Leading whitespace width of each line (a tab counts 4), or -1 for a blank line.
function measureIndents(lines: readonly string[]): Int32Array {
  const indents = new Int32Array(lines.length);
  for (let row = 0; row < lines.length; row++) {
    const line = lines[row]!;
    let width = 0;
    let index = 0;
    for (; index < line.length; index++) {
      const c = line.charCodeAt(index);
      if (c === 32) width++;
      else if (c === 9) width += 4;
      else break;
    }
    const blank = index === line.length || (index === line.length - 1 && line.charCodeAt(index) === 13);
    indents[row] = blank ? -1 : width;
  }
  return indents;
}

function namesQuery(header: string, queryNames: ReadonlySet<string>): boolean {
  if (queryNames.size === 0) return false;
  for (const word of header.match(/[A-Za-z_$][\w$]*/g) ?? []) if (queryNames.has(word)) return true;
  return false;
}
