import type { Compressor, CompressorContext } from '../types.ts';
import { findEvidence, type Evidence } from '../evidence.ts';
import { quoteValue } from '../folds.ts';
import { IMPORTANT, NOISE, absorbIntoNoise, classifiedHead, classify } from './build-lines.ts';
import { selectLines } from './line-select.ts';
import { LONG_EVIDENCE_CHARS, LONG_LINE_CHARS, LONG_LINE_SHOWN, MARKER_TOKENS, countTerms, itemsFromSpans, queryTerms, renderItems, splitLines, worthFolding, type LineSpan } from './lines.ts';

/*
 * Build, lint and test-runner output: jest, vitest, node:test / TAP, mocha, pytest, tsc, eslint,
 * go test, cargo, npm / pnpm / pip / apt.
 *
 * What an agent needs from a test run is what failed, where, and the totals. So the evidence of
 * core/evidence.ts (failures, error messages, `file:line` diagnostics, the first and the project's
 * own stack frames, summary lines, the last lines) stays verbatim and in order, while
 * passing tests and progress noise (`✓ adds`, `ok 12 - …`, `--- PASS`, `Compiling foo v1.2`,
 * `Requirement already satisfied`, progress bars, dots) fold into one marker per contiguous run
 * whose summary counts them: `[[fold …: 415 lines; 412 passing, 3 skipped]]`.
 *
 * How: build-lines.ts classes each line (noise, important, neutral, filler) from its start as a
 * terminal shows it; the evidence layer (core/evidence.ts) marks what must stay. Noise runs fold
 * with their counts. If the rest is over the budget, line-select.ts keeps lines near the evidence,
 * at the end, matching the query and at the start, and the other runs fold, each marker saying
 * what it holds (its warnings, the command it ran, repeated errors by group, or its first line).
 */

// A fold made to meet the budget must hide at least this many tokens (about three markers).
const MIN_BUDGET_FOLD_TOKENS = 3 * MARKER_TOKENS;

/**
 * Compresses build, lint and test output: failures, errors and totals stay, passing noise folds,
 * and the rest is kept near the errors, at the end and at the start while the budget lasts.
 */
export const compressBuild: Compressor = (text, context) => {
  if (context.lossless) return undefined;
  const { lines, trailingNewline } = splitLines(text);
  const heads = lines.map(classifiedHead);
  const evidence = context.evidence ?? findEvidence(lines);
  const classes = new Uint8Array(lines.length);
  const labels: Array<string | undefined> = new Array(lines.length);
  const tallies = new Uint32Array(lines.length);
  classify(heads, classes, labels, tallies);
  absorbIntoNoise(heads, classes);
  // Evidence overrides the line rules: evidence is never noise. Repeats beyond a group's examples
  // stay candidates near the top of the budget's list and fold, if they must, under their label.
  for (let index = 0; index < lines.length; index++) {
    if (evidence.anchor[index] || evidence.keep[index]) classes[index] = IMPORTANT;
  }

  const folded = new Uint8Array(lines.length);
  const spans: LineSpan[] = [];
  for (const [start, end] of runsOf(classes, NOISE)) {
    if (worthFolding(lines, start, end, context.estimateTokens)) {
      spans.push({ start, end, summary: tally(labels, tallies, start, end) });
      folded.fill(1, start, end);
    }
  }
  const budgetSpans = foldToBudget(lines, heads, classes, folded, evidence, spans.length, context);
  const allSpans = budgetSpans.length > 0 ? [...spans, ...budgetSpans].sort((a, b) => a.start - b.start) : spans;
  if (allSpans.length === 0) return undefined;
  return renderItems(lines, itemsFromSpans(lines, allSpans), trailingNewline);
};
/** Maximal runs `[start, end)` of lines of one class. */
function runsOf(classes: Uint8Array, wanted: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let index = 0;
  while (index < classes.length) {
    if (classes[index] !== wanted) {
      index++;
      continue;
    }
    let end = index;
    while (end < classes.length && classes[end] === wanted) end++;
    runs.push([index, end]);
    index = end;
  }
  return runs;
}

// `412 passing, 3 skipped`, in the order the kinds first appear.
function tally(
  labels: Array<string | undefined>,
  tallies: Uint32Array,
  start: number,
  end: number,
): string | undefined {
  const counts = new Map<string, number>();
  for (let index = start; index < end; index++) {
    const label = labels[index];
    if (label) counts.set(label, (counts.get(label) ?? 0) + tallies[index]!);
  }
  if (counts.size === 0) return undefined;
  return [...counts].map(([label, count]) => `${count} ${label}`).join(', ');
}

/**
 * When what is left after folding noise is over the budget, keeps the lines near evidence, at the
 * end, matching the query and at the start (line-select.ts) and folds the other runs. Evidence
 * lines never fold; a run too small to be worth a marker stays visible.
 */
function foldToBudget(
  lines: readonly string[],
  heads: readonly string[],
  classes: Uint8Array,
  folded: Uint8Array,
  evidence: Evidence,
  noiseMarkers: number,
  context: CompressorContext,
): LineSpan[] {
  const costs = new Float64Array(lines.length);
  let visible = noiseMarkers * MARKER_TOKENS;
  for (let index = 0; index < lines.length; index++) {
    if (folded[index]) continue;
    costs[index] = lineCost(lines[index]!, evidence.keep[index] === 1, context);
    visible += costs[index]!;
  }
  if (visible <= context.budget) return [];

  const keep = new Uint8Array(lines.length);
  const anchor = new Uint8Array(lines.length);
  let spent = noiseMarkers * MARKER_TOKENS;
  for (let index = 0; index < lines.length; index++) {
    if (folded[index]) continue;
    if (evidence.keep[index]) {
      keep[index] = 1;
      spent += costs[index]!;
    }
    if (evidence.anchor[index] || classes[index] === IMPORTANT) anchor[index] = 1;
  }
  const terms = queryTerms(context.query);
  const queryHit = terms.length > 0 ? Uint8Array.from(heads, (head) => (countTerms(head.toLowerCase(), terms) > 0 ? 1 : 0)) : undefined;
  // Each fold the selection leaves costs a marker; a tenth of the budget is set aside for them.
  selectLines({ costs, keep, folded, anchor, queryHit, budget: Math.max(0, context.budget * 0.9 - spent) });

  const spans: LineSpan[] = [];
  let index = 0;
  while (index < lines.length) {
    if (keep[index] || folded[index]) {
      index++;
      continue;
    }
    let end = index;
    while (end < lines.length && !keep[end] && !folded[end]) end++;
    // A budget fold hides lines someone may want: it has to save a good deal more than a marker.
    if (worthFolding(lines, index, end, context.estimateTokens, MIN_BUDGET_FOLD_TOKENS)) {
      spans.push({ start: index, end, summary: describeRun(heads, classes, evidence.repeatLabel, index, end) });
    }
    index = end;
  }
  return spans;
}

// A line over LONG_LINE_CHARS will show only its head and tail (foldLongLines), and costs that;
// an evidence line only past LONG_EVIDENCE_CHARS.
function lineCost(line: string, evidence: boolean, context: CompressorContext): number {
  if (line.length > (evidence ? LONG_EVIDENCE_CHARS : LONG_LINE_CHARS)) {
    return context.estimateTokens(line.slice(0, 2 * LONG_LINE_SHOWN)) + MARKER_TOKENS;
  }
  return context.estimateTokens(line) + 1;
}

// What a budget fold holds, in words: a repeated error group's label, its warnings and the first
// command it ran, else `from "<its first line>"`.
function describeRun(
  heads: readonly string[],
  classes: Uint8Array,
  repeatLabel: ReadonlyMap<number, string>,
  start: number,
  end: number,
): string | undefined {
  let warnings = 0;
  let command: string | undefined;
  const repeats = new Map<string, number>();
  for (let index = start; index < end; index++) {
    const head = heads[index]!;
    const label = repeatLabel.get(index);
    if (label) repeats.set(label, (repeats.get(label) ?? 0) + 1);
    if (/\bwarn(ing)?\b/i.test(head)) warnings++;
    if (command === undefined && /^\s*\$ \S/.test(head) && classes[index] !== NOISE) command = head.trim();
  }
  const parts = [...repeats].map(([label, count]) => `${count} ${label}`);
  if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  if (command) parts.push(`runs ${quoteValue(command, 60)}`);
  // Nothing counted: the first line says what the run is (`from "Collecting numpy"`).
  if (parts.length === 0) {
    const first = heads.slice(start, end).find((head) => head.trim() !== '');
    if (first) parts.push(`from ${quoteValue(first.trim(), 48)}`);
  }
  return parts.length > 0 ? parts.join(', ') : undefined;
}
