import { detectTable } from './compressors/table.ts';
import { stripFraming } from './framing.ts';
import { isLogLine, isProseLine, isSearchLine } from './line-kinds.ts';
import type { ContentKind } from './types.ts';

/*
 * Segmentation: a tool output is a sequence of regions (a CI log is shell commands, a build
 * tool's output, test reports, an application's log lines, a table, a paragraph of help text),
 * and each region goes to the compressor of its kind.
 *
 * How: every line gets a class from its first characters as a terminal shows them (framing.ts):
 * a log line (timestamp or level first), a search hit (`path:12:`), prose (a sentence of words),
 * neutral (blank) or console (anything else). A line's region class is the majority class of the
 * WINDOW lines around it, so that a stack trace inside a log or a blank line inside prose does
 * not cut a region; runs shorter than MIN_REGION_LINES join the region before them. Console
 * regions that are column-aligned become tables; the others are build and command output, the
 * kind that keeps lines near errors and at the end when it is unsure.
 *
 * One pass over the lines with bounded work per line, and prefix sums for the windows.
 */

export interface Region {
  kind: ContentKind;
  /** Lines `start` to `end`, end exclusive, 0-based. */
  start: number;
  end: number;
}

/** The kinds a region can have; everything else is a whole-document kind (json, code, …). */
export const LINE_KINDS: ReadonlySet<ContentKind> = new Set(['log', 'build', 'search', 'text', 'table']);

const CONSOLE = 0;
const LOG = 1;
const SEARCH = 2;
const PROSE = 3;
const NEUTRAL = 4;
const CLASS_COUNT = 4; // NEUTRAL does not vote
const KIND_OF_CLASS: ContentKind[] = ['build', 'log', 'search', 'text'];

const WINDOW = 12;
const MIN_REGION_LINES = 24;
const HEAD_CHARS = 160;
// A document shorter than this is one region: too few lines to tell a region from a blip.
const MIN_SEGMENTED_LINES = 2 * MIN_REGION_LINES;

/**
 * Cuts the lines of a tool output into regions of one kind each, in order, covering every line.
 * `documentKind` is what the router decided for the whole text; a text without distinct regions
 * is one region of that kind.
 *
 * @example
 * segment(ciLog.split('\n'), 'build');
 * // [{ kind: 'build', start: 0, end: 812 }, { kind: 'log', start: 812, end: 1400 }, { kind: 'build', start: 1400, end: 1433 }]
 */
export function segment(lines: readonly string[], documentKind: ContentKind): Region[] {
  const whole: Region[] = [{ kind: documentKind, start: 0, end: lines.length }];
  if (lines.length < MIN_SEGMENTED_LINES) return whole;
  // In process output, lines of words are console lines too (test names, help text): prose
  // regions are for documents, whose readers want sentences chosen for the query.
  const proseClass = documentKind === 'text' ? PROSE : CONSOLE;
  const timestamped = documentKind !== 'log';
  const classes = new Uint8Array(lines.length);
  for (let index = 0; index < lines.length; index++) {
    const cls = classifyLine(lines[index]!, timestamped);
    classes[index] = cls === PROSE ? proseClass : cls;
  }

  const runs = smooth(classes);
  if (runs.length === 1) return whole;
  return runs.map(({ cls, start, end }) => ({ kind: regionKind(cls, lines, start, end), start, end }));
}

function classifyLine(line: string, timestamped: boolean): number {
  const head = stripFraming(line.length > HEAD_CHARS * 2 ? line.slice(0, HEAD_CHARS * 2) : line).slice(0, HEAD_CHARS);
  if (head.trim() === '') return NEUTRAL;
  if (isLogLine(head, timestamped)) return LOG;
  if (isSearchLine(head)) return SEARCH;
  if (isProseLine(head)) return PROSE;
  return CONSOLE;
}

/** Runs of one region class: window majority, then short runs joined to their neighbour. */
function smooth(classes: Uint8Array): Array<{ cls: number; start: number; end: number }> {
  const count = classes.length;
  // prefix[c][i]: lines of class c among the first i lines.
  const prefix = Array.from({ length: CLASS_COUNT }, () => new Int32Array(count + 1));
  for (let index = 0; index < count; index++) {
    for (let cls = 0; cls < CLASS_COUNT; cls++) prefix[cls]![index + 1] = prefix[cls]![index]! + (classes[index] === cls ? 1 : 0);
  }
  const region = new Uint8Array(count);
  for (let index = 0; index < count; index++) {
    const from = Math.max(0, index - WINDOW);
    const to = Math.min(count, index + WINDOW + 1);
    let best = CONSOLE;
    let bestVotes = -1;
    let voters = 0;
    for (let cls = 0; cls < CLASS_COUNT; cls++) {
      const votes = prefix[cls]![to]! - prefix[cls]![from]!;
      voters += votes;
      if (votes > bestVotes) [best, bestVotes] = [cls, votes];
    }
    // A clear majority decides; a mix is console output, the kind that keeps lines when unsure.
    region[index] = bestVotes * 2 > voters ? best : CONSOLE;
  }

  let runs: Array<{ cls: number; start: number; end: number }> = [];
  for (let index = 0; index < count; index++) {
    const last = runs[runs.length - 1];
    if (last && last.cls === region[index]) last.end = index + 1;
    else runs.push({ cls: region[index]!, start: index, end: index + 1 });
  }
  // Short runs join the run before them (the first joins the next), then equal neighbours merge.
  const merged: typeof runs = [];
  for (const run of runs) {
    const previous = merged[merged.length - 1];
    if (previous && (run.end - run.start < MIN_REGION_LINES || previous.cls === run.cls)) previous.end = run.end;
    else merged.push({ ...run });
  }
  if (merged.length > 1 && merged[0]!.end - merged[0]!.start < MIN_REGION_LINES) {
    merged[1]!.start = 0;
    merged.shift();
  }
  runs = [];
  for (const run of merged) {
    const previous = runs[runs.length - 1];
    if (previous && previous.cls === run.cls) previous.end = run.end;
    else runs.push(run);
  }
  return runs;
}

function regionKind(cls: number, lines: readonly string[], start: number, end: number): ContentKind {
  if (cls !== CONSOLE) return KIND_OF_CLASS[cls]!;
  return detectTable(lines.slice(start, end)) ? 'table' : 'build';
}
