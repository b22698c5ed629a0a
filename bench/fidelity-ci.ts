/*
 * Scoring rules for failed builds: does the compressed output still say why the build failed?
 *
 * Ground truth: the lines a developer needs to see to know why a build or test run failed.
 * - LogChunks (`../shared/corpora/ci/logchunks/labels.json`): each log's `failureReason`, a
 *   byte-exact chunk of the log, labelled by the LogChunks authors.
 * - the project's own fixtures (`test/fixtures/failures/labels.json`): `failureLines`, exact
 *   lines of real failing runs made on the team's machine (see that folder's README).
 *
 * Rule (from ../shared/corpora/README.md): every reason line, CR stripped and trimmed, of 4 or
 * more characters, must be *visible* verbatim in the compressed text (what the model reads). A
 * line is *one unfold away* when it sits inside a fold whose marker is in the output (or runs
 * through one marker), and *missing* otherwise: the vocabulary of fidelity.ts. A log keeps its
 * *whole reason* when every one of its reason lines is visible. Lines are counted as labelled
 * (a line that the label repeats counts each time).
 *
 * Head+tail truncation gets the same number of tokens as tokenfold's output and is scored by the
 * same rule; per log, the report counts the logs where tokenfold keeps fewer reason lines visible
 * than truncation does (the target: none).
 *
 * Marker share: the o200k tokens of the `[[fold …]]` markers themselves over the output's tokens,
 * each marker counted on its own. It says how much of what the model reads is bookkeeping.
 */
import { findMarkers } from 'tokenfold';
import type { FoldView, Tally, Where } from './fidelity.ts';
import { addTo, emptyTally, locate } from './fidelity.ts';

/** Shortest reason line that counts: shorter ones (`}`, `...`) say nothing on their own. */
export const MIN_REASON_CHARS = 4;

/**
 * The lines of a failure reason that the rule checks: CR stripped, trimmed, 4+ characters.
 *
 * @example
 * reasonLines('npm ERR! code E404\r\n\r\n}\n'); // ['npm ERR! code E404']
 */
export function reasonLines(reason: string | readonly string[]): string[] {
  const lines = typeof reason === 'string' ? reason.split('\n') : reason;
  return lines.map((line) => line.replaceAll('\r', '').trim()).filter((line) => line.length >= MIN_REASON_CHARS);
}

/** How one output keeps one log's reason lines. */
export interface FailureScore {
  /** Visible, one unfold away, missing; `total` is the number of reason lines. */
  reason: Tally;
  /** Every reason line visible. */
  whole: boolean;
  /** Reason lines that are not visible, with where they are, for the report and the tests. */
  hidden: Array<{ line: string; where: Exclude<Where, 'visible'> }>;
}

/**
 * Scores a compressed (or truncated) text against the reason lines of its input.
 *
 * @example
 * scoreFailure(['error TS2322: …'], plainView('src/a.ts(3,1): error TS2322: …')).whole; // true
 */
export function scoreFailure(lines: readonly string[], view: FoldView): FailureScore {
  const reason = emptyTally();
  const hidden: FailureScore['hidden'] = [];
  for (const line of lines) {
    const where = locate(view, line);
    addTo(reason, where);
    if (where !== 'visible') hidden.push({ line, where });
  }
  return { reason, whole: reason.visible === reason.total, hidden };
}

/**
 * Tokens spent on fold markers in a compressed text, each marker counted on its own.
 *
 * @example
 * markerTokens('a\n[[fold 123456789012345: 3 lines]]\nb', count); // the marker's tokens
 */
export function markerTokens(text: string, count: (text: string) => number): { markers: number; tokens: number } {
  const markers = findMarkers(text);
  let tokens = 0;
  for (const marker of markers) tokens += count(text.slice(marker.index, marker.index + marker.length));
  return { markers: markers.length, tokens };
}
