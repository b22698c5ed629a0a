/*
 * Scoring rules: did a compressed text keep what matters? Logs: fidelity-logs.ts; JSON:
 * fidelity-json.ts and fidelity-octokit.ts. Here: the shared vocabulary, SQuAD and SWE-agent.
 *
 * Every rule asks the same question of a needle taken from the input: is it *visible* in the
 * compressed text (what the model reads, markers and their summaries included), *one unfold away*
 * (inside the original text of a fold whose marker is in that output, or running through one
 * marker: visible text, the fold's original, visible text; each fold is unfolded whole with
 * `unfold` from 'tokenfold'), or *missing*. A baseline has no folds, so for it
 * "visible" is all there is. All matching is on exact substrings of the input; the compressed
 * text is compared after reverting the core's escaping of `[[fold ` look-alikes.
 *
 * Logs: the rules are in fidelity-logs.ts (alert lines, one example per EventId, line
 * accounting through unfold, count claims).
 *
 * SQuAD: an answerable question's gold answer (any of its variants) is kept when it is visible
 * verbatim in the compressed paragraph. Unfold does not count: the point is what the model reads.
 *
 * SWE-agent trajectories: for each step's observation, the needles are what a *later* step
 * (j > i) refers to:
 * - paths: tokens of a later action that look like a path (contain `/`, or end in `.ext` with an
 *   alphabetic extension; 4+ chars), when observation i contains that token (the token may
 *   be the tail of a longer path there). Every earlier observation containing it gets the needle.
 * - line numbers: numbers that a later action uses as line numbers (`open <path> N`, `goto N`,
 *   `edit N:M`, `set_cursors N M`, `insert N`, `<path>:N`, `line N`, `sed -n 'N,Mp'`). The needle
 *   is the whole line of the *most recent* earlier observation that shows line N (a file-view line
 *   `N:`, or a line with `line N` or `<path>:N`); an empty file-view line holds nothing and is skipped.
 * - error lines: observation lines with Error, Exception, Traceback or FAILED (up to 1,000 chars)
 *   whose exception name (`\w+Error`, `\w+Exception`), a path, or a `test_*` name in it is mentioned
 *   by a later action or thought. The needle is the whole line.
 */
import type Keyv from 'keyv';
import { findMarkers, unfold } from 'tokenfold';
import { unescapeLookAlikes } from '../core/folds.ts';
import type { AgentStep } from './corpora.ts';
import { splitLines } from './corpora.ts';

/** What a compressed text shows, and what its folds hold. */
export interface FoldView {
  visible: string;
  /** The whole original of each fold referenced in `visible`, by id. */
  folds: Map<string, string>;
  /** Markers whose id the store could not resolve (each one is a core bug). */
  dangling: string[];
  /** All fold originals joined by a separator that no needle contains. */
  folded: string;
  /** The compressed text as rendered and its markers, to read needles that run through one. */
  rendered: string;
  markers: Array<{ id: string; index: number; length: number }>;
}

/** Where a needle was found. */
export type Where = 'visible' | 'folded' | 'missing';

const SEPARATOR = '\n\u0000\n';

/** Unfolds every marker of a compressed text through `unfold` from 'tokenfold'. */
export async function viewOf(compressed: string, store: Keyv, namespace?: string): Promise<FoldView> {
  const folds = new Map<string, string>();
  const dangling: string[] = [];
  const markers = findMarkers(compressed);
  for (const { id } of markers) {
    if (folds.has(id) || dangling.includes(id)) continue;
    const result = await unfold(id, { store, namespace });
    if (result.status === 'ok') folds.set(id, result.text);
    else dangling.push(id);
  }
  return {
    visible: unescapeLookAlikes(compressed),
    folds,
    dangling,
    folded: [...folds.values()].join(SEPARATOR),
    rendered: compressed,
    markers,
  };
}

/** A text with no folds: a baseline's output, or a pass-through. */
export function plainView(text: string): FoldView {
  return { visible: text, folds: new Map(), dangling: [], folded: '', rendered: text, markers: [] };
}

/**
 * Where a needle is: visible, one unfold away (inside a fold, or running through one marker:
 * visible text before it, the fold's original, visible text after it), or missing.
 */
export function locate(view: FoldView, needle: string): Where {
  if (view.visible.includes(needle)) return 'visible';
  if (view.folded.includes(needle)) return 'folded';
  // Only the ends of a fold's original can join the visible text around its marker.
  const length = needle.length;
  for (const marker of view.markers) {
    const original = view.folds.get(marker.id);
    if (original === undefined) continue;
    const before = view.rendered.slice(Math.max(0, marker.index - length), marker.index);
    const after = view.rendered.slice(marker.index + marker.length, marker.index + marker.length + length);
    const joins =
      original.length < length
        ? [before + original + after]
        : [before + original.slice(0, length), original.slice(original.length - length) + after];
    if (joins.some((joined) => joined.includes(needle))) return 'folded';
  }
  return 'missing';
}

/** Tally of needles by where they were found. */
export interface Tally {
  total: number;
  visible: number;
  folded: number;
  missing: number;
}

/** A tally with nothing counted. */
export function emptyTally(): Tally {
  return { total: 0, visible: 0, folded: 0, missing: 0 };
}

/** Counts one needle (or `weight` of them) where it was found. */
export function addTo(tally: Tally, where: Where, weight = 1): void {
  tally.total += weight;
  tally[where] += weight;
}

/** The sum of several tallies. */
export function mergeTallies(tallies: Tally[]): Tally {
  const sum = emptyTally();
  for (const tally of tallies) for (const key of ['total', 'visible', 'folded', 'missing'] as const) sum[key] += tally[key];
  return sum;
}

// ---------------------------------------------------------------------------------------------
// SQuAD

/** True when one of the gold answer variants is visible verbatim. */
export function answerKept(visible: string, answers: string[]): boolean {
  return answers.some((answer) => visible.includes(answer));
}

// ---------------------------------------------------------------------------------------------
// SWE-agent trajectories

/** Something a later step refers to in an observation, and the text that must survive. */
export interface Reference {
  kind: 'path' | 'line' | 'error';
  needle: string;
}

const PATH_TOKEN = /(?:[\w.~-]*\/)+[\w.-]+|[\w-][\w.-]*\.[A-Za-z]\w{0,9}\b/g;
const PATH_CHAR = /[\w./~-]/;
const LINE_REFERENCES: RegExp[] = [
  /\bopen\s+["']?\S+?["']?\s+(\d+)/g,
  /\bgoto\s+(\d+)/g,
  /\bedit\s+(\d+):(\d+)/g,
  /\bset_cursors\s+(\d+)\s+(\d+)/g,
  /\binsert\s+(\d+)/g,
  /[\w/.-]+\.[A-Za-z]\w{0,9}:(\d+)/g,
  /\blines?\s+(\d+)/gi,
  /\bsed\s+-n\s+["']?(\d+),(\d+)p/g,
];
const ERROR_LINE = /Error|Exception|Traceback|FAILED/;
const ERROR_NAME = /\b\w*(?:Error|Exception)\b/g;
const TEST_NAME = /\btest_\w+/g;

/**
 * For each step's observation, what later steps refer to (see the header for the rules).
 * `references[i]` belongs to `steps[i].observation`.
 */
export function extractReferences(steps: AgentStep[]): Reference[][] {
  const observations = steps.map((step) => splitLines(step.observation));
  const references = steps.map(() => new Map<string, Reference>());
  const add = (index: number, reference: Reference) => references[index]!.set(`${reference.kind}\u0000${reference.needle}`, reference);

  for (let later = 1; later < steps.length; later++) {
    const action = steps[later]!.action;
    for (const token of pathTokens(action)) {
      for (let i = 0; i < later; i++) if (containsPath(steps[i]!.observation, token)) add(i, { kind: 'path', needle: token });
    }
    for (const number of lineNumbers(action)) {
      for (let i = later - 1; i >= 0; i--) {
        const line = observations[i]!.find((candidate) => showsLine(candidate, number));
        // An empty file-view line (`1:` of a new file) holds nothing to keep.
        if (line !== undefined && line.replace(/^\d+:/, '').trim() === '') break;
        if (line !== undefined) {
          add(i, { kind: 'line', needle: line });
          break;
        }
      }
    }
  }

  observations.forEach((lines, i) => {
    const laterText = steps
      .slice(i + 1)
      .map((step) => `${step.action}\n${step.thought}`)
      .join('\n');
    if (laterText === '') return;
    for (const line of lines) {
      if (line.length > 1000 || !ERROR_LINE.test(line)) continue;
      const anchors = [...line.matchAll(ERROR_NAME), ...line.matchAll(TEST_NAME)].map((match) => match[0]);
      anchors.push(...pathTokens(line));
      if (anchors.some((anchor) => anchor.length >= 4 && laterText.includes(anchor))) add(i, { kind: 'error', needle: line.trim() });
    }
  });
  return references.map((map) => [...map.values()]);
}

function pathTokens(text: string): string[] {
  const tokens = new Set<string>();
  for (const match of text.matchAll(PATH_TOKEN)) {
    const token = match[0].replace(/^["']|[.,:;"']+$/g, '');
    if (token.length >= 4 && !/^\d[\d.]*$/.test(token)) tokens.add(token);
  }
  return [...tokens];
}

// The token occurs with no path character right before it (a `/` is fine: the tail of a longer
// path) and none right after it.
function containsPath(observation: string, token: string): boolean {
  let from = observation.indexOf(token);
  while (from !== -1) {
    const before = observation[from - 1];
    const after = observation[from + token.length];
    const startOk = before === undefined || before === '/' || !PATH_CHAR.test(before);
    const endOk = after === undefined || !/[\w/-]/.test(after);
    if (startOk && endOk) return true;
    from = observation.indexOf(token, from + 1);
  }
  return false;
}

function lineNumbers(action: string): number[] {
  const numbers = new Set<number>();
  for (const pattern of LINE_REFERENCES) {
    for (const match of action.matchAll(pattern)) {
      for (const group of match.slice(1)) if (group !== undefined) numbers.add(Number(group));
    }
  }
  return [...numbers].filter((number) => number > 0);
}

function showsLine(line: string, number: number): boolean {
  return (
    line.startsWith(`${number}:`) ||
    new RegExp(`\\bline ${number}\\b`, 'i').test(line) ||
    new RegExp(`\\.[A-Za-z]\\w{0,9}:${number}\\b`).test(line)
  );
}
