import type { Compressor, CompressorContext, FoldRequest, Piece } from '../types.ts';
import { codeLanguages, languageSpec } from './code/languages.ts';
import { outlineByIndentation } from './code/indentation.ts';
import { createOutliner, errorShare, MAX_OUTLINE_LEVEL, type FoldSpan } from './code/outline.ts';
import { loadCodeParsers, loadedParser } from './code/parsers.ts';
import { splitLines, worthFolding } from './lines.ts';

/*
 * Source code: an outline of the file, with every function body one unfold away.
 *
 * Agents read whole files, and most of a file is bodies the agent does not need yet. What it
 * needs first is the map: imports, types and classes, signatures (whole, across lines), decorators,
 * the first line of each doc comment, exported constants, and where each thing sits. That stays,
 * nested and indented as in the file, each line behind its original line number (`12\t`, the
 * cheapest unambiguous gutter in o200k: about one token). Each function body folds on its own,
 * with `firstLine` set, so `unfold(id, { lines: '40-60' })` speaks the file's numbering. Bodies of
 * what the query names (`why does parseConfig fail`) stay open, and so do bodies too small to be
 * worth a marker.
 *
 * The file is parsed with tree-sitter (12 languages; see code/languages.ts for how the language is
 * chosen and code/outline.ts for what folds). When no grammar fits, the grammar is not loaded,
 * the file is over 2 MB, or the parse is mostly errors, the outline goes by indentation instead
 * (code/indentation.ts). Grammars load asynchronously, once per process, through `prepareCode`,
 * which `compress` awaits before calling this compressor; the compressor itself stays synchronous.
 *
 * The budget picks the level of detail: when the outline is over it, types fold whole, then long
 * signatures and declarations shrink to their names, then (well over budget) whole classes fold,
 * those that save the most first. Top-level names stay visible at every level. Files under 40
 * lines, or already within the budget, pass through.
 */

const MIN_LINES = 40;
// Larger files are outlined by indentation: parsing them would hold the event loop too long.
const MAX_PARSE_CHARS = 2 * 1024 * 1024;
// A parse with more of the file than this inside ERROR nodes does not describe the file.
const MAX_ERROR_SHARE = 0.1;
// A fold costs a marker line (about 14 tokens with its gutter); smaller spans stay visible.
const FOLD_MIN_TOKENS = 24;
const MARKER_LINE_TOKENS = 14;
// A line number and its tab: one token up to 999, two beyond.
const GUTTER_TOKENS = 1.5;
// Folding whole classes hides their methods: done only when the outline is this far over budget.
const CLASS_FOLD_OVERSHOOT = 1.2;
// A kept line this long (minified code, embedded data) folds on its own behind a short preview.
const LONG_LINE_CHARS = 2000;
const PREVIEW_CHARS = 80;
// A fold identical to an earlier one shows up to this many of its last rows to be told apart.
const MAX_ROWS_GIVEN_UP = 2;
// A marker's indentation copies its code's, up to this much.
const MAX_INDENT_CHARS = 40;

/**
 * Outlines source code: keeps declarations and signatures with their line numbers, folds function
 * bodies one by one. Returns `undefined` (pass through) for small files and when nothing folds.
 */
export const compressCode: Compressor = (text, context) => {
  const { lines, trailingNewline } = splitLines(text);
  if (lines.length < MIN_LINES || context.estimateTokens(text) <= context.budget) return undefined;
  const queryNames = queryIdentifiers(context.query);
  const worth = (start: number, end: number) => worthFolding(lines, start, end + 1, context.estimateTokens, FOLD_MIN_TOKENS);
  const sizer = outputSizer(lines, context.estimateTokens);
  const spans =
    outlineWithTree(text, lines, context, queryNames, worth, sizer) ??
    outlineByIndentation(lines, { queryNames, worth });
  if (spans.length === 0) return undefined;
  return render(lines, distinctSpans(lines, spans), trailingNewline);
};

/**
 * Loads the tree-sitter grammars that `compressCode` will want for this text (once per process).
 * Never rejects; when loading fails, `compressCode` outlines by indentation.
 *
 * @example
 * await prepareCode(source, { fileName: 'src/app.py' });
 * compressCode(source, context); // now parses with tree-sitter-python
 */
export function prepareCode(text: string, context: { fileName?: string } = {}): Promise<void> {
  if (text.length > MAX_PARSE_CHARS) return Promise.resolve();
  return loadCodeParsers(codeLanguages(text, context.fileName)).catch(() => undefined);
}

// The most detailed outline within the budget, the tree parsed once: levels from 0 up, then, when
// still well over, whole classes fold, those that save the most first, until the budget is met.
function outlineWithTree(
  text: string,
  lines: readonly string[],
  context: CompressorContext,
  queryNames: ReadonlySet<string>,
  worth: (start: number, end: number) => boolean,
  sizer: OutputSizer,
): FoldSpan[] | undefined {
  if (text.length > MAX_PARSE_CHARS) return undefined;
  for (const language of codeLanguages(text, context.fileName)) {
    const parser = loadedParser(language);
    if (!parser) continue;
    let tree;
    try {
      tree = parser.parse(text);
    } catch {
      continue;
    }
    if (!tree) continue;
    try {
      if (errorShare(tree.rootNode, text.length) > MAX_ERROR_SHARE) continue;
      const outliner = createOutliner(tree.rootNode, {
        text, lines, lineStarts: lineStarts(lines), spec: languageSpec(language), queryNames, worth,
      });
      let outline = outliner();
      for (let level = 1; level <= MAX_OUTLINE_LEVEL && sizer(outline.spans) > context.budget; level++) {
        outline = outliner({ level });
      }
      let size = sizer(outline.spans);
      if (size <= context.budget * CLASS_FOLD_OVERSHOOT) return outline.spans;
      const savings = outline.classes
        .map((candidate) => ({ id: candidate.id, saving: sizer(outline.spans, candidate.start, candidate.end) - MARKER_LINE_TOKENS }))
        .sort((a, b) => b.saving - a.saving || a.id - b.id);
      const foldClasses = new Set<number>();
      for (const candidate of savings) {
        if (size <= context.budget || candidate.saving <= 0) break;
        foldClasses.add(candidate.id);
        size -= candidate.saving;
      }
      if (foldClasses.size === 0) return outline.spans;
      return outliner({ level: MAX_OUTLINE_LEVEL, foldClasses }).spans;
    } catch {
      // A tree this code did not expect: the indentation outline still works.
      continue;
    } finally {
      tree.delete(); // trees live in WebAssembly memory, which no garbage collector frees
    }
  }
  return undefined;
}

/** Estimated tokens of the rendered outline, whole or of rows `from`..`to` only. */
type OutputSizer = (spans: readonly FoldSpan[], from?: number, to?: number) => number;

// Per-row estimates are summed once; each call then costs one step per span.
function outputSizer(lines: readonly string[], estimateTokens: (text: string) => number): OutputSizer {
  const before = new Float64Array(lines.length + 1);
  for (let row = 0; row < lines.length; row++) before[row + 1] = before[row]! + estimateTokens(lines[row]!) + GUTTER_TOKENS;
  return (spans, from = 0, to = lines.length - 1) => {
    let tokens = before[to + 1]! - before[from]!;
    for (const span of spans) {
      if (span.end < from || span.start > to) continue;
      tokens += MARKER_LINE_TOKENS - (before[span.end + 1]! - before[span.start]!);
    }
    return tokens;
  };
}

function lineStarts(lines: readonly string[]): Int32Array {
  const starts = new Int32Array(lines.length + 1);
  for (let row = 0; row < lines.length; row++) starts[row + 1] = starts[row]! + lines[row]!.length + 1;
  return starts;
}

/** Identifiers in the query: a definition with one of these names keeps its body open. */
function queryIdentifiers(query: string): Set<string> {
  const names = new Set<string>();
  const bounded = query.length > 2000 ? query.slice(0, 2000) : query;
  for (const word of bounded.match(/[A-Za-z_$][\w$]*/g) ?? []) if (word.length >= 3) names.add(word);
  return names;
}

/**
 * Spans whose folded text differs, where cheaply possible, from every earlier span's. Folds are
 * stored by content, so two identical bodies would share one id and `unfold` would quote the first
 * one's line numbers for both; a repeat gives up a row or two at its end (they stay visible) to
 * make its text its own. Beyond that (many identical bodies) the id is shared: the text is exact.
 */
function distinctSpans(lines: readonly string[], spans: readonly FoldSpan[]): FoldSpan[] {
  const seen = new Set<string>();
  return spans.map((span) => {
    for (let end = span.end; end >= Math.max(span.start, span.end - MAX_ROWS_GIVEN_UP); end--) {
      const text = lines.slice(span.start, end + 1).join('\n');
      if (seen.has(text)) continue;
      seen.add(text);
      return { start: span.start, end };
    }
    return span;
  });
}

/** Kept rows behind their line numbers, each span as one marker at its first row's indentation. */
function render(lines: readonly string[], spans: readonly FoldSpan[], trailingNewline: boolean): Piece[] {
  const pieces: Piece[] = [];
  let kept = '';
  const keepRows = (from: number, to: number) => {
    for (let row = from; row < to; row++) {
      const line = lines[row]!;
      if (line.length <= LONG_LINE_CHARS) {
        kept += `${row + 1}\t${line}\n`;
        continue;
      }
      pieces.push(`${kept}${row + 1}\t`, longLineFold(line, row), '\n');
      kept = '';
    }
  };
  let row = 0;
  for (const span of spans) {
    keepRows(row, span.start);
    pieces.push(`${kept}${span.start + 1}\t${indentation(lines, span)}`, {
      text: lines.slice(span.start, span.end + 1).join('\n'),
      unit: 'lines',
      count: span.end - span.start + 1,
      firstLine: span.start + 1,
    });
    kept = '\n';
    row = span.end + 1;
  }
  keepRows(row, lines.length);
  if (!trailingNewline && kept.endsWith('\n')) kept = kept.slice(0, -1);
  if (kept !== '') pieces.push(kept);
  return pieces;
}

// The indentation of a span's first non-blank row, so that the marker sits where its code did.
function indentation(lines: readonly string[], span: FoldSpan): string {
  for (let row = span.start; row <= span.end; row++) {
    const line = lines[row]!;
    let end = 0;
    while (end < line.length && end < MAX_INDENT_CHARS && (line.charCodeAt(end) === 32 || line.charCodeAt(end) === 9)) end++;
    if (end < line.length && line.charCodeAt(end) !== 13) return line.slice(0, end);
  }
  return '';
}

function longLineFold(line: string, row: number): FoldRequest {
  const preview = line.trim().slice(0, PREVIEW_CHARS);
  return { text: line, unit: 'chars', count: line.length, summary: `${preview}...`, firstLine: row + 1 };
}
