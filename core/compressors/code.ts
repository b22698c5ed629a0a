import type { Parser, Tree } from 'web-tree-sitter';
import { MAX_SUMMARY_CHARS } from '../folds.ts';
import type { Compressor, CompressorContext, FoldRequest, Piece } from '../types.ts';
import { codeLanguages } from './code/detect.ts';
import { languageSpec, type CodeLanguage } from './code/languages.ts';
import { outlineByIndentation } from './code/indentation.ts';
import { blankMacros } from './code/macros.ts';
import { createOutliner, MAX_OUTLINE_LEVEL, OUTLINE_LEVEL_NAMES } from './code/outline.ts';
import { loadCodeParsers, loadedParser } from './code/parsers.ts';
import type { FoldSpan } from './code/spans.ts';
import { createSyntaxIndex, errorShare, type SyntaxIndex } from './code/syntax.ts';
import { splitLines, worthFolding } from './lines.ts';

/*
 * Source code: an outline of the file, with every function body one unfold away.
 *
 * Agents read whole files, and most of a file is bodies the agent does not need yet. What it
 * needs first is the map: imports, every class and its members at every depth, complete
 * signatures (across rows, with decorators and annotations), the first line of each doc comment,
 * constants, and where each thing sits. That stays, nested and indented as in the file, each row
 * behind its original line number (`12\t`, the cheapest unambiguous gutter in o200k: about one
 * token). Each function body folds on its own, never a class whole, with `firstLine` set, so
 * `unfold(id, { lines: '40-60' })` speaks the file's numbering. Bodies of what the query names
 * (`why does parseConfig fail`, every overload of it) or points at (`app.py:120`) stay open, and
 * so do bodies too small to be worth a marker.
 *
 * The file is parsed with tree-sitter (19 languages; see code/detect.ts for how the language is
 * chosen, code/languages.ts for what its node types mean, code/outline.ts for what folds,
 * code/parsers.ts for where grammars come from). C and C++ are parsed without their
 * attribute-like macros (code/macros.ts). When no grammar fits, the grammar is not installed, the
 * file is over 2 MB, or the parse is mostly errors, the outline goes by indentation and braces
 * instead (code/indentation.ts). Grammars load asynchronously, once per process, through
 * `prepareCode`, which `compress` awaits before calling this compressor; the compressor itself
 * stays synchronous. The last tree parsed is kept with what was read from it (code/syntax.ts),
 * so the same file asked about again (another query, another budget) is not parsed or read again.
 *
 * The budget picks the level of detail, from the file parsed once: doc lines fold first, then
 * signatures shrink to names with arity, then private members fold in groups that list their
 * names, as many markers as the names need (code/groups.ts). Every public name stays on its row
 * down to that floor, even when the outline is still over the budget; a marker (the first with
 * room in its summary) says which level was used when it is not the first. Files under 40 lines,
 * or already within the budget, pass through.
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
 *
 * @example
 * compressCode(source, { ...context, query: 'how does parseConfig work?', fileName: 'src/config.ts' });
 * // ['1\timport ...\n12\texport function parseConfig(path: string): Config {\n13\t...', { text: ..., firstLine: 40 }, ...]
 */
export const compressCode: Compressor = (text, context) => {
  if (context.lossless) return undefined;
  const { lines, trailingNewline } = splitLines(text);
  if (lines.length < MIN_LINES || context.estimateTokens(text) <= context.budget) return undefined;
  const queryNames = queryIdentifiers(context.query);
  const queryRows = queryLineNumbers(context.query, context.fileName, lines.length);
  const worth = (start: number, end: number) => worthFolding(lines, start, end + 1, context.estimateTokens, FOLD_MIN_TOKENS);
  const sizer = outputSizer(text, lines, context.estimateTokens);
  const outline =
    outlineWithTree(text, lines, context, { queryNames, queryRows, worth }, sizer) ??
    { spans: outlineByIndentation(lines, { queryNames, queryRows, worth }), level: 0 };
  if (outline.spans.length === 0) return undefined;
  const spans = distinctSpans(lines, outline.spans);
  if (outline.level > 0) sayLevel(spans, outline.level);
  return render(lines, spans, trailingNewline);
};

/**
 * Loads the tree-sitter grammars that `compressCode` will want for this text (once per process).
 * Never rejects; when loading fails, `compressCode` outlines by indentation.
 *
 * @example
 * await prepareCode(source, { fileName: 'src/app.py' });
 * compressCode(source, context); // now parses with the Python grammar
 */
export function prepareCode(text: string, context: { fileName?: string } = {}): Promise<void> {
  if (text.length > MAX_PARSE_CHARS) return Promise.resolve();
  return loadCodeParsers(codeLanguages(text, context.fileName)).catch(() => undefined);
}

interface OutlineQuery {
  queryNames: ReadonlySet<string>;
  queryRows: ReadonlySet<number>;
  worth: (start: number, end: number) => boolean;
}

// The most detailed outline within the budget, from level 0 down to the floor, the tree parsed once.
function outlineWithTree(
  text: string,
  lines: readonly string[],
  context: CompressorContext,
  query: OutlineQuery,
  sizer: OutputSizer,
): { spans: FoldSpan[]; level: number } | undefined {
  if (text.length > MAX_PARSE_CHARS) return undefined;
  for (const index of parsedCandidates(text, codeLanguages(text, context.fileName))) {
    try {
      const outliner = createOutliner(index, { text, lines, lineStarts: lineStarts(lines), ...query });
      let level = 0;
      let spans = outliner({ level });
      while (level < MAX_OUTLINE_LEVEL && sizer(spans) > context.budget) spans = outliner({ level: ++level });
      return { spans, level };
    } catch {
      // A tree this code did not expect: the indentation outline still works.
      continue;
    }
  }
  return undefined;
}

// The trees of the last text parsed and what was read from them, kept for the next call on the
// same text (a new query or budget): one parse per input and grammar. Trees live in WebAssembly
// memory, which no garbage collector frees, so only those of one text are kept (two grammars at
// most: C then C++), deleted when another text comes. A tree mostly made of errors is kept too,
// without an index, so that the same file is not parsed again to learn it.
type KeptParse = { language: CodeLanguage; tree: Tree; usable: boolean; errors: number; index?: SyntaxIndex };
let kept: { text: string; parses: KeptParse[] } | undefined;

/**
 * Forgets what was kept from the last text, so that the next call parses it again, or with
 * `keepTrees` reads the kept trees again without parsing. For benchmarks that time an outline
 * apart from its parse; compressing never needs it.
 *
 * @example
 * forgetParsedCode(); compressCode(source, context); // parses `source` anew
 * forgetParsedCode({ keepTrees: true }); compressCode(source, context); // the outline pass alone
 */
export function forgetParsedCode(options: { keepTrees?: boolean } = {}): void {
  lastRowSums = undefined;
  if (options.keepTrees) {
    for (const parse of kept?.parses ?? []) delete parse.index;
    return;
  }
  for (const parse of kept?.parses ?? []) parse.tree.delete();
  kept = undefined;
}

// The syntax indexes to outline from, best first. The first grammar that parses without errors
// wins; when it has some, the second is tried too and the tree with fewer errors goes first: the
// content alone often cannot tell TypeScript from JavaScript in a file's head, and JavaScript's
// grammar reads `export interface` as errors, which would fold whole declarations.
function parsedCandidates(text: string, languages: readonly CodeLanguage[]): SyntaxIndex[] {
  const parsed: Array<{ index: SyntaxIndex; errors: number }> = [];
  for (const language of languages) {
    const parser = loadedParser(language);
    const found = parser && parsedIndex(parser, language, text);
    if (!found?.index) continue;
    parsed.push({ index: found.index, errors: found.errors });
    if (found.errors === 0) break;
  }
  return parsed.sort((a, b) => a.errors - b.errors).map(({ index }) => index);
}

function parsedIndex(parser: Parser, language: CodeLanguage, text: string): { index?: SyntaxIndex; errors: number } | undefined {
  if (kept?.text !== text) {
    for (const parse of kept?.parses ?? []) parse.tree.delete();
    kept = { text, parses: [] };
  }
  let parse = kept.parses.find((earlier) => earlier.language === language);
  if (!parse) {
    let tree: Tree | null;
    try {
      // C and C++ are parsed without their attribute-like macros (same offsets and rows: macros.ts).
      tree = parser.parse(language === 'c' || language === 'cpp' ? blankMacros(text) : text);
    } catch {
      return undefined;
    }
    if (!tree) return undefined;
    let errors = 1;
    try {
      errors = errorShare(tree.rootNode, text.length);
    } catch {
      // A tree this code did not expect: the indentation outline still works.
    }
    parse = { language, tree, usable: errors <= MAX_ERROR_SHARE, errors };
    kept.parses.push(parse);
  }
  if (parse.usable) parse.index ??= createSyntaxIndex(parse.tree.rootNode, text, languageSpec(language));
  return { index: parse.index, errors: parse.errors };
}

/** Estimated tokens of the rendered outline, whole or of rows `from`..`to` only. */
type OutputSizer = (spans: readonly FoldSpan[], from?: number, to?: number) => number;

// Per-row estimates are summed once per text (and kept for the next call on it, as the tree is);
// each call then costs one step per span.
let lastRowSums: { text: string; estimateTokens: (text: string) => number; before: Float64Array } | undefined;

function outputSizer(text: string, lines: readonly string[], estimateTokens: (text: string) => number): OutputSizer {
  if (lastRowSums?.text !== text || lastRowSums.estimateTokens !== estimateTokens) {
    const sums = new Float64Array(lines.length + 1);
    for (let row = 0; row < lines.length; row++) sums[row + 1] = sums[row]! + estimateTokens(lines[row]!) + GUTTER_TOKENS;
    lastRowSums = { text, estimateTokens, before: sums };
  }
  const before = lastRowSums.before;
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

/**
 * Rows (0-based) that the query points at with `file:line` (`src/app.py:120`, `app.py:120:5`) or
 * `line 120`. With a file name, only references to that file's base name count.
 */
function queryLineNumbers(query: string, fileName: string | undefined, lineCount: number): Set<number> {
  const rows = new Set<number>();
  const bounded = query.length > 2000 ? query.slice(0, 2000) : query;
  const base = fileName?.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  for (const match of bounded.matchAll(/([\w./\\-]+\.\w+):(\d+)|\bline (\d+)/g)) {
    const path = match[1];
    if (path !== undefined && base !== undefined && !path.endsWith(base)) continue;
    const line = Number(match[2] ?? match[3]);
    if (line >= 1 && line <= lineCount) rows.add(line - 1);
  }
  return rows;
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
      return { ...span, end };
    }
    return span;
  });
}

// The level used goes on the first marker whose summary leaves room for it, in full or short: a
// marker's summary is cut at MAX_SUMMARY_CHARS, and a group's names must not be what is cut (the
// outline's summaries leave room for the short note, see OUTLINE_SUMMARY_CHARS).
function sayLevel(spans: FoldSpan[], level: number): void {
  const short = `outline level ${level} of ${MAX_OUTLINE_LEVEL}`;
  const full = `${short}: ${OUTLINE_LEVEL_NAMES.slice(1, level + 1).join(', ')}`;
  const fits = (note: string) => spans.findIndex((span) => (span.summary?.length ?? 0) + note.length + 2 <= MAX_SUMMARY_CHARS);
  const fullAt = fits(full);
  const at = fullAt >= 0 ? fullAt : Math.max(0, fits(short));
  const said = fullAt >= 0 ? full : short;
  const summary = spans[at]!.summary;
  spans[at] = { ...spans[at]!, summary: summary ? `${said}; ${summary}` : said };
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
      ...(span.summary ? { summary: span.summary } : {}),
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
