import type { Node } from 'web-tree-sitter';
import { arity } from './names.ts';
import type { SpanBuilder } from './spans.ts';
import type { SyntaxIndex } from './syntax.ts';

/*
 * What stays of one definition at each level of detail: its head (signature, decorators, class
 * header), the first line of its doc comment or docstring, and its closing row; its body folds.
 *
 *   level 0: the whole head, the doc's first line of text, the closing `}` on its own row;
 *   level 1: doc comments fold whole, a head over LONG_SIGNATURE_ROWS rows keeps the rows up to
 *            its name and its last row, and a closing row folds with its body (so that the folds
 *            of one member after another merge into one marker);
 *   level 2: a head keeps only the rows up to its name; the rest folds with the body, and the
 *            marker says how many parameters it takes.
 */

// A row that only closes what the rows above opened: `}`, `});`, `end`, `#endif`.
const CLOSER_ROW = /^\s*([}\])]|end\b|#\s*endif\b)/;
// A row of closing punctuation alone, which folds with its body from level 1.
const ONLY_CLOSERS_ROW = /^\s*([}\])];,\s]*|end\s*)$/;
// At level 1, signatures over this many rows keep their name row and the row opening the body.
const LONG_SIGNATURE_ROWS = 6;
// What may follow a body on its last row for the row to fold with it: `});` and a few spaces.
const CLOSERS_SCAN_CHARS = 64;

/** The rows of a file and what the outline asks about them. */
export interface Rows {
  text: string;
  lines: readonly string[];
  /** Whether a row only closes what the rows above opened (`}`, `end`). */
  isCloser(row: number): boolean;
  /** Whether a node is the first thing on its row (indentation aside). */
  beginsRow(node: Node): boolean;
  /** Whether only closing punctuation follows the node on its last row. */
  onlyClosersAfter(node: Node): boolean;
}

/** One outline pass: its level and the spans it proposes. */
export interface Pass {
  level: number;
  builder: SpanBuilder;
}

/**
 * The row helpers of a file.
 *
 * @example
 * const rows = createRows(text, lines, lineStarts, index);
 * rows.isCloser(41); // true for a row holding `}` alone
 */
export function createRows(text: string, lines: readonly string[], lineStarts: ArrayLike<number>, index: SyntaxIndex): Rows {
  // Each row's indentation, measured on first use: a minified row holds thousands of nodes.
  const indents = new Int32Array(lines.length).fill(-1);
  return {
    text,
    lines,
    isCloser: (row) => CLOSER_ROW.test(lines[row] ?? ''),
    beginsRow(node) {
      const row = node.startPosition.row;
      if (indents[row]! < 0) {
        const line = lines[row]!;
        let width = 0;
        while (width < line.length && (line.charCodeAt(width) === 32 || line.charCodeAt(width) === 9)) width++;
        indents[row] = width;
      }
      return node.startIndex - lineStarts[row]! <= indents[row]!;
    },
    // Looked for in a bounded stretch, so that a long row costs no more than a short one.
    onlyClosersAfter(node) {
      const row = index.lastRow(node);
      const endIndex = index.endIndex(node);
      const end = row + 1 < lineStarts.length ? lineStarts[row + 1]! : text.length;
      if (end - endIndex > CLOSERS_SCAN_CHARS) return false;
      for (let at = endIndex; at < end; at++) {
        const c = text.charCodeAt(at);
        // space, tab, \r, \n, ) ; , ] }
        if (c !== 32 && c !== 9 && c !== 13 && c !== 10 && c !== 41 && c !== 59 && c !== 44 && c !== 93 && c !== 125) return false;
      }
      return true;
    },
  };
}

/**
 * Keeps a definition's head and folds its body's inside, after the first line of a docstring
 * that opens it. From level 1 a closing row alone folds too.
 *
 * @example
 * foldBody(pass, rows, index, functionNode, index.functionBody(functionNode)!);
 */
export function foldBody(pass: Pass, rows: Rows, index: SyntaxIndex, node: Node, body: Node): void {
  const inside = bodyInside(rows, index, body);
  const head = keepHead(pass, index, node, node.startPosition.row, inside.from - 1);
  const closer = index.lastRow(body);
  const foldsCloser = inside.to < closer && pass.level >= 1 && ONLY_CLOSERS_ROW.test(rows.lines[closer]!);
  pass.builder.fold(head.foldFrom ?? keepDocstring(pass, rows, index, body, inside.from), foldsCloser ? closer : inside.to, head.summary);
  if (inside.to < closer && !foldsCloser) pass.builder.keep(closer, closer);
}

/**
 * A comment block keeps its first line that says something (`/**` alone says nothing); from
 * level 1 it folds whole.
 */
export function outlineComment(pass: Pass, rows: Rows, first: number, last: number): void {
  if (pass.level >= 1) return pass.builder.fold(first, last);
  let textRow = first;
  while (textRow < Math.min(last, first + 2) && !/[A-Za-z0-9]/.test(rows.lines[textRow]!)) textRow++;
  pass.builder.keep(first, textRow);
  pass.builder.fold(textRow + 1, last);
}

// The rows of a body that fold: all of it when it begins its row (Python and Ruby blocks, Allman
// braces, expression bodies on their own lines); after `f() {`, the inside, without a closing
// `}` alone on its row. A row that goes on after the body stays.
function bodyInside(rows: Rows, index: SyntaxIndex, body: Node): { from: number; to: number } {
  const bodyStart = body.startPosition.row;
  const bodyEnd = index.lastRow(body);
  if (rows.beginsRow(body)) return { from: bodyStart, to: rows.onlyClosersAfter(body) ? bodyEnd : bodyEnd - 1 };
  const closing = rows.text.charCodeAt(body.startIndex) === 123 && rows.isCloser(bodyEnd); // '{'
  return { from: bodyStart + 1, to: closing ? bodyEnd - 1 : bodyEnd };
}

// Keeps a head: whole at level 0; at level 1 one over `LONG_SIGNATURE_ROWS` rows keeps its rows
// up to the name and its last row; from level 2 only the rows up to the name, the rest folding
// with the body, whose marker says how many parameters it holds.
function keepHead(pass: Pass, index: SyntaxIndex, node: Node, start: number, end: number): { foldFrom?: number; summary?: string } {
  const { level, builder } = pass;
  if (level < 1 || end <= start || (level < 2 && end - start + 1 <= LONG_SIGNATURE_ROWS)) {
    builder.keep(start, Math.max(start, end));
    return {};
  }
  const name = index.nameNode(node);
  const nameEnd = name ? Math.min(index.lastRow(name), end) : start;
  builder.keep(start, nameEnd);
  if (level < 2) {
    builder.fold(nameEnd + 1, end - 1);
    builder.keep(end, end);
    return {};
  }
  if (nameEnd >= end) return {};
  const count = index.remember('arity', node, arity);
  return { foldFrom: nameEnd + 1, ...(count === undefined ? {} : { summary: `${count} parameter${count === 1 ? '' : 's'}` }) };
}

// A docstring opening a body keeps its first line of text (until level 1); the fold starts after it.
function keepDocstring(pass: Pass, rows: Rows, index: SyntaxIndex, body: Node, from: number): number {
  if (pass.level >= 1) return from;
  const first = body.firstNamedChild;
  if (!first || first.startPosition.row !== from) return from;
  const item = index.unwrap(first);
  if (index.type(item) !== 'string' && index.type(item) !== 'concatenated_string') return from;
  let textRow = from;
  while (textRow < index.lastRow(item) && !/[A-Za-z0-9]/.test(rows.lines[textRow]!)) textRow++;
  pass.builder.keep(from, textRow);
  return textRow + 1;
}
