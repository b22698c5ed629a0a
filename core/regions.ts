import { compressors } from './compressors/index.ts';
import { classifyLines, SEVERE } from './compressors/logs.ts';
import { findEvidence, type Evidence } from './evidence.ts';
import { LONG_EVIDENCE_CHARS, LONG_LINE_CHARS, LONG_LINE_SHOWN, MARKER_TOKENS, foldLongLines } from './compressors/lines.ts';
import { LINE_KINDS, segment, type Region } from './segment.ts';
import type { CompressorContext, ContentKind, FoldRequest, Piece } from './types.ts';

/*
 * Compresses a line-structured text region by region (segment.ts), each with the compressor of
 * its kind and a share of the budget, under the evidence layer (evidence.ts): the lines that say
 * why something failed are found once, handed to each compressor, and checked afterwards. A fold
 * that would hide one of them is split around it (a contiguous fold) or, where it cannot be split
 * (lines gathered from many places), the region is kept whole: evidence is never folded.
 *
 * A compressor sees its region as a text of its own, numbered from line 1; the folds it returns
 * are renumbered here to the input's lines, so `unfold(id, { lines })` speaks the input's numbers.
 */

export interface StructuredResult {
  pieces: Piece[] | undefined;
  /** The kind that covers most lines (the document's kind when it is one region). */
  kind: ContentKind;
  /** The regions, when the text was compressed region by region. */
  regions?: Region[];
}

/**
 * The pieces for `text` of `documentKind`: region by region when the kind is a line kind and was
 * read from the content (`byContent`), else by the kind's compressor over the whole text.
 *
 * @example
 * const { pieces, kind } = compressStructured(ciLog, detect(ciLog).kind, true, context);
 */
export function compressStructured(
  text: string,
  documentKind: ContentKind,
  byContent: boolean,
  context: CompressorContext,
): StructuredResult {
  if (!byContent || !LINE_KINDS.has(documentKind)) {
    return { pieces: compressors[documentKind]?.(text, context), kind: documentKind };
  }
  const { pieces, regions } = compressRegions(text, documentKind, context);
  return { pieces, kind: dominantKind(regions), regions };
}

// The kind that covers most lines, for `result.kind` of a segmented output.
function dominantKind(regions: readonly Region[]): ContentKind {
  const lines = new Map<ContentKind, number>();
  for (const { kind, start, end } of regions) lines.set(kind, (lines.get(kind) ?? 0) + end - start);
  return [...lines].sort((a, b) => b[1] - a[1])[0]![0];
}

/** Kinds whose text is the output of a process: their failure lines and last lines are evidence. */
const PROCESS_OUTPUT: ReadonlySet<ContentKind> = new Set(['log', 'build', 'table']);

export interface RegionsResult {
  pieces: Piece[] | undefined;
  regions: Region[];
}

/**
 * Compresses `text` of a line kind (log, build, search, table, text), found by the router to be
 * `documentKind`, region by region. `pieces` is undefined when no region could be compressed.
 *
 * @example
 * const { pieces, regions } = compressRegions(ciLog, 'build', context);
 */
export function compressRegions(text: string, documentKind: ContentKind, context: CompressorContext): RegionsResult {
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  // A log as a whole is one region: its compressor already keeps every warning and stack trace,
  // and its alert lines or traces are part of it, not regions of their own.
  const regions: Region[] = documentKind === 'log' ? [{ kind: 'log', start: 0, end: lines.length }] : segment(lines, documentKind);
  const whole = regions.length === 1;
  const parts = regions.map((region, index) => {
    const last = index === regions.length - 1;
    const regionLines = whole ? lines : lines.slice(region.start, region.end);
    const regionText = whole ? text : regionLines.join('\n') + (!last || endsWithNewline ? '\n' : '');
    return { region, lines: regionLines, text: regionText, evidence: regionEvidence(regionLines, region, documentKind, last) };
  });
  const budgets = whole ? [context.budget] : planBudgets(parts, context);

  const pieces: Piece[] = [];
  let changed = false;
  parts.forEach((part, index) => {
    const compressed = compressRegion(part, documentKind, { ...context, budget: budgets[index]! });
    if (compressed) {
      pieces.push(...compressed);
      changed = true;
    } else {
      pieces.push(part.text);
    }
  });
  return { pieces: changed ? pieces : undefined, regions };
}

interface RegionPart {
  region: Region;
  lines: readonly string[];
  text: string;
  evidence: Evidence | undefined;
}

// A document of prose is read for failure only by its structural signs ("the error rate fell" is
// no failure); process output by its words too, in every region. A log's levels are trusted over
// the words of its messages (BGL's INFO `instruction cache parity error corrected` is no failure),
// so in a log only the structural signs count, as in prose. Search hits are content, not failures.
function regionEvidence(lines: readonly string[], region: Region, documentKind: ContentKind, last: boolean): Evidence {
  // An empty evidence, not none: a search region over budget falls back to build's line selection
  // (compressRegion), which reads failure words itself when it is given no evidence.
  if (region.kind === 'search') return { keep: new Uint8Array(lines.length), anchor: new Uint8Array(lines.length), repeatLabel: new Map() };
  const process = PROCESS_OUTPUT.has(documentKind);
  const evidence = findEvidence(lines, { words: process && documentKind !== 'log', tail: process && last });
  // A log's own warnings and errors are its evidence too: whatever compresses it keeps them.
  if (region.kind === 'log') {
    const levels = classifyLines(lines);
    for (let index = 0; index < lines.length; index++) {
      if (levels[index] === SEVERE) evidence.keep[index] = evidence.anchor[index] = 1;
    }
    evidence.levels = levels;
  }
  return evidence;
}

/**
 * Shares the budget out as a selection over the whole text would spend it (see
 * compressors/line-select.ts): every region first gets what its evidence lines cost (they stay
 * whatever the budget); of the rest, TAIL_SHARE goes to the last region (where runners print the
 * verdict and what led to it), HEAD_SHARE to the first (the command and its set-up),
 * EVIDENCE_SHARE to the regions by their count of evidence lines (the lines around failures), and
 * the rest by size. No region gets more than it costs whole; what it leaves goes to the regions
 * with room left, in proportion to that room.
 */
function planBudgets(parts: readonly RegionPart[], context: CompressorContext): number[] {
  const costs = parts.map(({ text }) => context.estimateTokens(text));
  const evidenceCost = parts.map(({ lines, evidence }) => {
    let tokens = 0;
    if (evidence) for (let index = 0; index < lines.length; index++) if (evidence.keep[index]) tokens += lineTokens(lines[index]!, context);
    return tokens;
  });
  const anchors = parts.map(({ evidence }) => (evidence ? evidence.anchor.reduce((sum, flag) => sum + flag, 0) : 0));
  const free = Math.max(0, context.budget - evidenceCost.reduce((sum, cost) => sum + cost, 0));
  const totalAnchors = anchors.reduce((sum, count) => sum + count, 0);
  const totalCost = costs.reduce((sum, cost) => sum + cost, 0) || 1;
  const last = parts.length - 1;
  const shares = parts.map((_, index) => {
    let share = REST_SHARE * (costs[index]! / totalCost);
    if (index === last) share += TAIL_SHARE;
    if (index === 0) share += HEAD_SHARE;
    share += totalAnchors > 0 ? (EVIDENCE_SHARE * anchors[index]!) / totalAnchors : (EVIDENCE_SHARE * costs[index]!) / totalCost;
    return share;
  });
  const budgets = parts.map((_, index) => Math.min(costs[index]!, evidenceCost[index]! + free * shares[index]!));
  // What a region could not use goes to the regions that can, by the room they have left.
  const spare = context.budget - budgets.reduce((sum, budget) => sum + budget, 0);
  const room = budgets.map((budget, index) => Math.max(0, costs[index]! - budget));
  const totalRoom = room.reduce((sum, value) => sum + value, 0);
  return budgets.map((budget, index) =>
    Math.max(1, Math.round(budget + (spare > 0 && totalRoom > 0 ? Math.min(room[index]!, (spare * room[index]!) / totalRoom) : 0))),
  );
}

const TAIL_SHARE = 0.35;
const HEAD_SHARE = 0.1;
const EVIDENCE_SHARE = 0.4;
const REST_SHARE = 1 - TAIL_SHARE - HEAD_SHARE - EVIDENCE_SHARE;

// What a kept evidence line costs: whole up to LONG_EVIDENCE_CHARS, else its head and tail.
function lineTokens(line: string, context: CompressorContext): number {
  return context.estimateTokens(line.length > LONG_EVIDENCE_CHARS ? line.slice(0, 2 * LONG_LINE_SHOWN) : line) + 1;
}

function compressRegion(part: RegionPart, documentKind: ContentKind, context: CompressorContext): Piece[] | undefined {
  const { region, lines, text, evidence } = part;
  const compressor = compressors[region.kind];
  if (!compressor) return undefined;
  const regionContext = { ...context, ...(evidence ? { evidence } : {}) };
  let pieces = compressor(text, regionContext);
  // A specialist that could not come near the budget (a "log" of lines that are all different,
  // a table too wide to fold) gives way to build output's line selection, which always can.
  // A log's warnings are in its evidence (regionEvidence), so they stay either way.
  if (region.kind !== 'build' && region.kind !== 'text' && !context.lossless) {
    const size = pieces ? estimatePieces(pieces, context) : context.estimateTokens(text);
    if (size > context.budget * OVER_BUDGET) {
      const lineSafe = compressors.build!(text, regionContext);
      if (lineSafe && estimatePieces(lineSafe, context) < size) pieces = lineSafe;
    }
  }
  if (!pieces) return undefined;
  const offset = region.start;
  const checked = evidence ? vetoFolds(pieces, lines, evidence.keep) : pieces;
  if (!checked) return undefined;
  const shortened = region.kind === 'text' ? checked : foldLongLines(checked, longEvidenceLines(lines, evidence));
  return offset > 0 ? shortened.map((piece) => renumber(piece, offset)) : shortened;
}

/**
 * The pieces with every line in `keep` visible: a contiguous fold over such a line is split
 * around it. Undefined when a fold that cannot be split hides one (the region then stays whole).
 */
export function vetoFolds(pieces: readonly Piece[], lines: readonly string[], keep: Uint8Array): Piece[] | undefined {
  if (!keep.includes(1)) return [...pieces];
  const result: Piece[] = [];
  for (const piece of pieces) {
    if (typeof piece === 'string' || piece.unit !== 'lines') {
      result.push(piece);
      continue;
    }
    const numbers = piece.lineNumbers ?? (piece.firstLine === undefined ? undefined : lineRange(piece.firstLine, piece.count));
    if (!numbers) {
      result.push(piece);
      continue;
    }
    if (!numbers.some((line) => keep[line - 1])) {
      result.push(piece);
      continue;
    }
    if (piece.lineNumbers || piece.text.split('\n').length !== piece.count) return undefined;
    result.push(...splitAround(piece, lines, keep));
  }
  return result;
}

function lineRange(firstLine: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => firstLine + index);
}

// A contiguous fold of lines, split into folds of the runs between kept lines, the kept lines
// shown in between. Pieces of a fold are rendered by the caller's layout: the fold stood for
// whole lines, so its parts do too.
function splitAround(fold: FoldRequest, lines: readonly string[], keep: Uint8Array): Piece[] {
  const first = fold.firstLine!;
  const parts: Piece[] = [];
  let runStart = first;
  const flush = (end: number) => {
    if (end > runStart) {
      parts.push({ text: lines.slice(runStart - 1, end - 1).join('\n'), unit: 'lines', count: end - runStart, firstLine: runStart }, '\n');
    }
  };
  for (let line = first; line < first + fold.count; line++) {
    if (!keep[line - 1]) continue;
    flush(line);
    parts.push(`${lines[line - 1]!}\n`);
    runStart = line + 1;
  }
  flush(first + fold.count);
  // The fold's own line break follows it in the caller's pieces.
  const lastPart = parts[parts.length - 1];
  if (lastPart === '\n') parts.pop();
  else if (typeof lastPart === 'string') parts[parts.length - 1] = lastPart.slice(0, -1);
  return parts;
}

// The evidence lines long enough for foldLongLines to look at: they stay whole up to its limit.
function longEvidenceLines(lines: readonly string[], evidence: Evidence | undefined): Set<string> {
  const long = new Set<string>();
  if (evidence) for (let index = 0; index < lines.length; index++) if (evidence.keep[index] && lines[index]!.length > LONG_LINE_CHARS) long.add(lines[index]!);
  return long;
}

// A region's output this far over its share of the budget is a specialist that failed at it.
const OVER_BUDGET = 1.5;

function estimatePieces(pieces: readonly Piece[], context: CompressorContext): number {
  let tokens = 0;
  for (const piece of pieces) tokens += typeof piece === 'string' ? context.estimateTokens(piece) : MARKER_TOKENS;
  return tokens;
}

function renumber(piece: Piece, offset: number): Piece {
  if (typeof piece === 'string') return piece;
  if (piece.lineNumbers) return { ...piece, lineNumbers: piece.lineNumbers.map((line) => line + offset) };
  if (piece.firstLine !== undefined) return { ...piece, firstLine: piece.firstLine + offset };
  return piece;
}
