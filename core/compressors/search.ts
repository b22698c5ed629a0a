import type { Compressor } from '../types.ts';
import { MARKER_TOKENS, countTerms, foldLineList, queryTerms, renderItems, splitLines } from './lines.ts';
import type { LineItem } from './lines.ts';

/*
 * Search results: grep / ripgrep (`path:12:content`, context lines `path-12-content`, `--`
 * separators, `path:12:5:content`), ripgrep's heading mode (a path line, then `12:content`
 * lines), and SWE-agent's own tools (`Found 12 matches for "x" in /repo:` followed by
 * `/repo/a.py (3 matches)`, `Line 12:content` or bare paths).
 *
 * An agent searches to decide where to look next, so it needs every file that matched and the
 * best few lines of each, not all 3,000 hits. Lines are grouped into blocks (the contiguous lines
 * of one file); blocks are ranked by the query (terms in the path count most, then terms in the
 * matched lines), and each shown block keeps its best lines verbatim, in their original order,
 * with one fold per block for the rest (`src/a.ts: 37 more matches`). Blocks that do not fit the
 * budget at all fold together at the end of their run (`41 files, 380 matches: a.ts, …`). Lines
 * that are not results (headers, `End of matches`, prompts) stay where they are. Without a
 * query, files keep their order and each shows its first lines.
 *
 * How: one pass parses each line (a hand-written scanner over its first 1 KiB, so no regex can
 * backtrack); then the budget is spent in rank order, estimating tokens only of the lines that
 * are candidates for view.
 */

// Entry kinds. OTHER lines are not results and always stay.
const OTHER = 0;
const MATCH = 1;
const CONTEXT = 2;
const SEPARATOR = 3;
const HEADING = 4;

// A rest marker names its first files: `[[fold …: 41 files, 380 matches: a.ts, b.ts, c.ts, …]]`.
const REST_MARKER_TOKENS = 4 * MARKER_TOKENS;

// A path is looked for in the first KiB of a line only.
const PATH_CHARS = 1024;
// Lines longer than this are not estimated token by token: they never fit in view anyway.
const LONG_LINE_CHARS = 4096;

interface Block {
  file: string;
  /** Input line indices of the block, in order. */
  lines: number[];
  /** Heading line (ripgrep heading mode), shown whenever the block is. */
  heading?: number;
  score: number;
  /** Position among blocks, for a stable order. */
  order: number;
}

/** Compresses grep / ripgrep / SWE-agent search output to the best-ranked files and lines. */
export const compressSearch: Compressor = (text, context) => {
  const { lines, trailingNewline } = splitLines(text);
  const kinds = new Uint8Array(lines.length);
  const { files, weights } = parse(lines, kinds);

  // Token estimates are made when needed: to learn that the input is over the budget it is
  // enough to read until it is, and lines of files that get no room are never estimated.
  const tokens = new Float64Array(lines.length).fill(-1);
  const tokenOf = (index: number): number => {
    if (tokens[index]! < 0) {
      const line = lines[index]!;
      // A line this long is over any line budget; its exact estimate would not change a thing.
      tokens[index] = line.length > LONG_LINE_CHARS ? line.length / 4 : context.estimateTokens(line) + 1;
    }
    return tokens[index]!;
  };
  let total = 0;
  for (let index = 0; index < lines.length && total <= context.budget; index++) total += tokenOf(index);
  if (total <= context.budget) return undefined;

  const terms = queryTerms(context.query);
  const lineScores = scoreLines(lines, kinds, terms);
  const segments = segmentBlocks(lines, kinds, files, lineScores, terms);
  const blockCount = segments.reduce((sum, segment) => sum + segment.blocks.length, 0);
  if (blockCount === 0) return undefined;

  // A line this long (a minified bundle that matched) is never worth its tokens in view.
  const tooLong = Math.min(Math.max(MARKER_TOKENS * 4, context.budget / 8), 300);
  // What is not a result is always shown; the rest of the budget goes to results. Each segment
  // of several files may end in a fold of the files that did not fit, naming a few of them.
  let available = context.budget;
  for (let index = 0; index < lines.length; index++) if (kinds[index] === OTHER) available -= tokenOf(index);
  for (const segment of segments) if (segment.blocks.length > 1) available -= REST_MARKER_TOKENS;
  // The typical result line, from the first thousand, sets how many lines fit.
  let sampled = 0;
  let sampledTokens = 0;
  for (let index = 0; index < lines.length && sampled < 1000; index++) {
    if (kinds[index] === OTHER || kinds[index] === HEADING || tokenOf(index) > tooLong) continue;
    sampled++;
    sampledTokens += tokenOf(index);
  }
  const averageLine = sampled > 0 ? sampledTokens / sampled : MARKER_TOKENS;
  const lineCap = Math.max(1, Math.floor(Math.max(0, available) / averageLine));
  const perBlock = Math.max(3, Math.ceil(lineCap / blockCount));

  const items: LineItem[] = [];
  let folded = 0;
  let next = 0; // first input line not yet emitted
  for (const segment of segments) {
    for (; next < segment.start; next++) items.push(next);
    const ranked =
      terms.length > 0 ? [...segment.blocks].sort((a, b) => b.score - a.score || a.order - b.order) : segment.blocks;
    const rest: Block[] = [];
    for (const block of ranked) {
      const markerTokens = MARKER_TOKENS + context.estimateTokens(block.file); // its summary names the file
      const picked =
        available > 0
          ? pickLines(block, kinds, lineScores, tokenOf, perBlock, tooLong, available, markerTokens)
          : undefined;
      if (!picked) {
        rest.push(block);
        continue;
      }
      available -= picked.cost;
      if (emitBlock(block, picked.shown, lines, kinds, weights, items)) folded++;
    }
    if (rest.length > 0) {
      items.push(foldRest(rest, lines, weights));
      folded++;
    }
    next = segment.end;
  }
  for (; next < lines.length; next++) items.push(next);
  if (folded === 0) return undefined;
  return renderItems(lines, items, trailingNewline);
};

interface Parsed {
  /** Each line's file; empty for OTHER lines. */
  files: string[];
  /** How many matches each line stands for: `a.py (3 matches)` is 3, a match line 1. */
  weights: Uint32Array;
}

/** Sets each line's kind and finds its file. */
function parse(lines: readonly string[], kinds: Uint8Array): Parsed {
  const files: string[] = new Array(lines.length).fill('');
  const weights = new Uint32Array(lines.length);
  let heading = ''; // file that numbered lines belong to (ripgrep heading mode, SWE-agent search_file)
  let headingMode = false; // heading came from ripgrep, whose file groups blank lines separate
  let lastFile = '';
  const result = (index: number, kind: number, file: string, weight = kind === MATCH ? 1 : 0) => {
    kinds[index] = kind;
    files[index] = lastFile = file;
    weights[index] = weight;
  };
  // Splits read while looking ahead, kept for when their line's turn comes.
  const looked = new Map<number, Split[]>();
  const splitsAt = (index: number): Split[] => {
    const known = looked.get(index);
    if (known) return known;
    const splits = grepSplits(lines[index]!.slice(0, PATH_CHARS));
    looked.set(index, splits);
    return splits;
  };
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    looked.delete(index - 1);
    // Most lines are of the file the line before was of: `path:12:` or `path-12-` right after it.
    if (lastFile && line.startsWith(lastFile)) {
      const kind = numberedAt(line, lastFile.length);
      if (kind !== OTHER) {
        result(index, kind, lastFile);
        continue;
      }
    }
    const head = line.length > PATH_CHARS ? line.slice(0, PATH_CHARS) : line;
    const trimmed = head.trim();
    if (trimmed === '--' || (trimmed === '' && headingMode && lastFile)) {
      // grep's group separator, or the blank line between ripgrep's files: part of the file before.
      if (lastFile) result(index, SEPARATOR, lastFile);
      continue;
    }
    const found = /^Found \d+ matches for ".*" in (\S.*?):\s*$/.exec(head);
    if (found) {
      heading = found[1]!;
      headingMode = false;
      lastFile = '';
      continue;
    }
    if (heading && /^Line \d+:/.test(head)) {
      result(index, MATCH, heading);
      continue;
    }
    const numbered = /^\d+([:-])/.exec(head);
    if (numbered && heading && !/^\d+[:-]\d{2}[:.]/.test(head)) {
      result(index, numbered[1] === ':' ? MATCH : CONTEXT, heading);
      continue;
    }
    const grep = parseGrepLine(splitsAt, index, lines.length, lastFile);
    if (grep) {
      result(index, grep.kind, grep.file);
      continue;
    }
    const counted = /^(\S+) \((\d+) matches\)\s*$/.exec(head);
    if (counted && looksLikePath(counted[1]!)) {
      result(index, MATCH, counted[1]!, Number(counted[2]));
      continue;
    }
    if (trimmed !== '' && !/\s/.test(trimmed) && looksLikePath(trimmed)) {
      if (/^\d+[:-]/.test(lines[index + 1] ?? '')) {
        // ripgrep heading mode: this path titles the numbered lines below it.
        heading = trimmed;
        headingMode = true;
        result(index, HEADING, trimmed);
      } else {
        // A file listing (`find`, SWE-agent `find_file`): each path is a result of its own.
        result(index, MATCH, trimmed);
      }
      continue;
    }
    if (trimmed === '') heading = '';
    headingMode = false;
    lastFile = '';
  }
  return { files, weights };
}

/**
 * `path:12:content` (a match) or `path-12-content` (context), also `path:12:5:content`. The path
 * has no spaces and must look like a path, so that `2024-01-02 …` is not read as file `2024`.
 * A head can be read several ways when the path has dashes (`src/gpt-4-turbo.ts-17-`): the file
 * of the line before decides, else a match, else the match a few lines down (context before a
 * group's first match), else a split whose path ends in an extension.
 */
function parseGrepLine(
  splitsAt: (index: number) => Split[],
  index: number,
  lineCount: number,
  lastFile: string,
): Split | undefined {
  const splits = splitsAt(index);
  if (splits.length === 0) return undefined;
  const same = lastFile ? splits.find((split) => split.file === lastFile) : undefined;
  if (same) return same;
  const last = splits[splits.length - 1]!;
  if (last.kind === MATCH) return last;
  // Only lines that could be of the same file are looked through, so this stays linear.
  for (let ahead = index + 1; ahead < Math.min(lineCount, index + 12); ahead++) {
    const shared = splitsAt(ahead).find((candidate) => splits.some((split) => split.file === candidate.file));
    if (!shared) break;
    if (shared.kind === MATCH) return { file: shared.file, kind: CONTEXT };
  }
  return splits.find((split) => /\.[A-Za-z]\w{0,9}$/.test(split.file)) ?? splits[0];
}

interface Split {
  file: string;
  kind: number;
}

// MATCH for `:12:` at `at`, CONTEXT for `-12-`, else OTHER.
function numberedAt(line: string, at: number): number {
  const c = line.charCodeAt(at);
  if (c !== 58 && c !== 45) return OTHER;
  let j = at + 1;
  while (j < line.length && line.charCodeAt(j) >= 48 && line.charCodeAt(j) <= 57) j++;
  if (j === at + 1 || line.charCodeAt(j) !== c) return OTHER;
  return c === 58 ? MATCH : CONTEXT;
}

// Every way to read the head as `path:N:` or `path-N-`, in order; a match (`:`) ends the list.
// Whether the head up to a split looks like a path is tracked as the scan goes, without slicing.
function grepSplits(head: string): Split[] {
  const splits: Split[] = [];
  let lastSlash = -1;
  let lastDot = -1;
  let letters = false;
  for (let i = 1; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 32 || c === 9) break;
    if (c === 47 || c === 92) lastSlash = i;
    else if (c === 46) lastDot = i;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) letters = true;
    if (c !== 58 && c !== 45) continue; // ':' or '-'
    let j = i + 1;
    while (j < head.length && head.charCodeAt(j) >= 48 && head.charCodeAt(j) <= 57) j++;
    if (j === i + 1 || j >= head.length || head.charCodeAt(j) !== c) continue;
    const pathLike =
      (lastSlash >= 0 && letters) || (lastDot > 0 && lastDot > lastSlash && isExtension(head, lastDot + 1, i));
    if (!pathLike) continue;
    splits.push({ file: head.slice(0, i), kind: c === 58 ? MATCH : CONTEXT });
    if (c === 58) break;
  }
  return splits;
}

// `ts`, `py`, `json`: a letter, then up to nine word characters.
function isExtension(text: string, start: number, end: number): boolean {
  if (end - start < 1 || end - start > 10) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!(letter || c === 95 || (i > start && c >= 48 && c <= 57))) return false;
  }
  return true;
}

// Has a slash, or ends in an extension: `src/a.ts`, `README.md`, `/repo/x`.
function looksLikePath(candidate: string): boolean {
  if (candidate.includes('/') || candidate.includes('\\')) return /[A-Za-z_]/.test(candidate);
  const dot = candidate.lastIndexOf('.');
  return dot > 0 && dot < candidate.length - 1 && /^[A-Za-z]\w{0,9}$/.test(candidate.slice(dot + 1));
}

// How well each result line answers the query: distinct terms in its content. Matches outrank
// context lines, so that with no query the first lines of a block show.
function scoreLines(lines: readonly string[], kinds: Uint8Array, terms: readonly string[]): Float64Array {
  const scores = new Float64Array(lines.length);
  for (let index = 0; index < lines.length; index++) {
    const kind = kinds[index];
    if (kind !== MATCH && kind !== CONTEXT) continue;
    let hits = 0;
    if (terms.length > 0) {
      const line = lines[index]!;
      hits = countTerms((line.length > 2000 ? line.slice(0, 2000) : line).toLowerCase(), terms);
    }
    scores[index] = (kind === MATCH ? 1 : 0) + hits * 2;
  }
  return scores;
}

interface Segment {
  start: number;
  end: number;
  blocks: Block[];
}

/**
 * Cuts the input into segments (maximal runs of result lines, which may be reordered) and each
 * segment into blocks (contiguous lines of one file). Lines between segments stay in place.
 */
function segmentBlocks(
  lines: readonly string[],
  kinds: Uint8Array,
  files: readonly string[],
  lineScores: Float64Array,
  terms: readonly string[],
): Segment[] {
  const segments: Segment[] = [];
  let order = 0;
  let index = 0;
  while (index < lines.length) {
    if (kinds[index] === OTHER) {
      index++;
      continue;
    }
    const segment: Segment = { start: index, end: index, blocks: [] };
    let block: Block | undefined;
    while (index < lines.length && kinds[index] !== OTHER) {
      const file = files[index]!;
      if (!block || block.file !== file || kinds[index] === HEADING) {
        block = { file, lines: [], score: 0, order: order++ };
        segment.blocks.push(block);
      }
      if (kinds[index] === HEADING) block.heading = index;
      else block.lines.push(index);
      index++;
    }
    segment.end = index;
    for (const current of segment.blocks) current.score = scoreBlock(current, lineScores, terms);
    segments.push(segment);
  }
  return segments;
}

// Terms in the path count most; then the best line; then, a little, how many lines hit.
function scoreBlock(block: Block, lineScores: Float64Array, terms: readonly string[]): number {
  if (terms.length === 0) return 0;
  let best = 0;
  let sum = 0;
  for (const index of block.lines) {
    const hits = Math.floor(lineScores[index]! / 2);
    if (hits > best) best = hits;
    sum += hits;
  }
  return countTerms(block.file.toLowerCase(), terms) * 4 + best * 2 + Math.min(sum, 10) / 10;
}

/**
 * The block's best lines, at most `cap` and within `available` tokens (counting its heading and,
 * when lines stay hidden, its marker of `markerTokens`), in input order; `undefined` when not
 * even one fits. Lines too long to be worth showing (a minified bundle that matched) stay folded.
 */
function pickLines(
  block: Block,
  kinds: Uint8Array,
  lineScores: Float64Array,
  tokenOf: (index: number) => number,
  cap: number,
  tooLong: number,
  available: number,
  markerTokens: number,
): { shown: number[]; cost: number } | undefined {
  const results = block.lines.filter((index) => kinds[index] !== SEPARATOR);
  const ranked = results.length > 1 ? [...results].sort((a, b) => lineScores[b]! - lineScores[a]! || a - b) : results;
  let cost = block.heading === undefined ? 0 : tokenOf(block.heading);
  const shown: number[] = [];
  for (const index of ranked) {
    if (shown.length === cap) break;
    const tokens = tokenOf(index);
    if (tokens > tooLong) continue;
    const marker = shown.length + 1 < results.length ? markerTokens : 0;
    if (cost + tokens + marker > available) break;
    cost += tokens;
    shown.push(index);
  }
  if (shown.length === 0) return undefined;
  if (shown.length < results.length) cost += markerTokens;
  return { shown: shown.sort((a, b) => a - b), cost };
}

// Emits a block: heading, shown lines, and one fold for the rest. Says whether it folded.
function emitBlock(
  block: Block,
  shown: readonly number[],
  lines: readonly string[],
  kinds: Uint8Array,
  weights: Uint32Array,
  items: LineItem[],
): boolean {
  if (block.heading !== undefined) items.push(block.heading);
  const visible = new Set(shown);
  const hidden = block.lines.filter((index) => !visible.has(index));
  // A block that shows everything but its `--` separators shows those too.
  if (hidden.every((index) => kinds[index] === SEPARATOR)) {
    for (const index of block.lines) items.push(index);
    return false;
  }
  for (const index of shown) items.push(index);
  const matches = hidden.reduce((sum, index) => sum + weights[index]!, 0);
  const what = matches > 0 ? `${matches} more ${matches === 1 ? 'match' : 'matches'}` : `${hidden.length} more lines`;
  items.push(foldLineList(lines, hidden, `${block.file}: ${what}`));
  return true;
}

// The blocks that got no room at all, in input order, in one fold naming the first few files.
function foldRest(rest: Block[], lines: readonly string[], weights: Uint32Array): LineItem {
  if (!isOrdered(rest)) rest.sort((a, b) => a.order - b.order);
  const indices: number[] = [];
  const names: string[] = [];
  let matches = 0;
  let ascending = true;
  const add = (index: number) => {
    if (indices.length > 0 && index < indices[indices.length - 1]!) ascending = false;
    indices.push(index);
  };
  for (const block of rest) {
    if (block.heading !== undefined) add(block.heading);
    for (const index of block.lines) {
      add(index);
      matches += weights[index]!;
    }
    if (names.length < 4 && !names.includes(block.file)) names.push(block.file);
  }
  const files = new Set(rest.map((block) => block.file)).size;
  const ordered = ascending ? indices : Array.from(Int32Array.from(indices).sort());
  const listed = names.slice(0, 3).join(', ');
  const more = files > 3 ? ', …' : '';
  const summary = `${files} ${files === 1 ? 'file' : 'files'}, ${matches} matches: ${listed}${more}`;
  return foldLineList(lines, ordered, summary);
}

function isOrdered(blocks: readonly Block[]): boolean {
  for (let i = 1; i < blocks.length; i++) if (blocks[i]!.order < blocks[i - 1]!.order) return false;
  return true;
}
