/*
 * Scoring rules for logs, in the vocabulary of fidelity.ts (visible, one unfold away, missing).
 *
 * Ground truth: loghub's `<Sys>_2k.log` and its `_structured.csv` (LineId, Level, EventId; BGL
 * and Thunderbird also Label), read by corpora.ts.
 * - alert lines: a line whose Level is an error/warning level (ERROR, FATAL, WARN, WARNING,
 *   SEVERE, CRITICAL, ..., any case; Android's one-letter E, W, F, A) or, in BGL/Thunderbird,
 *   whose Label is not `-`, must be visible verbatim (the line without its line terminator).
 * - events: every EventId must keep at least one of its lines visible verbatim.
 * - accounting: output lines that are input lines (also after stripping a `×N`-style count or a
 *   `123:` line-number prefix) plus the lines of every fold in the output should equal the input's
 *   line count (`balanced`), and every input line should be among them (`covered`, a multiset match).
 * - counts: the compressor's own lines (output lines that are not input lines) are read for
 *   `×N`, `xN`, `N×`, `(N times)`, `repeated N times` and `N more`, and every marker for its
 *   `N lines` and its summary's `LEVEL N` / `EventId N` pairs (other word-number pairs there are
 *   dates). A claim is consistent when N equals a truth that fits it: the fold's line count (+1
 *   when an example line is shown beside it), the number of input lines equal to the example line,
 *   the size of its EventId, or the length of a run of equal lines or of same-EventId lines around
 *   one of its occurrences; for summary pairs, the fold's lines at that Level or EventId. A claim
 *   with nothing to check it against is `unverifiable`, never counted as a failure.
 */
import type { LogDocument } from './corpora.ts';
import { splitLines } from './corpora.ts';
import type { FoldView } from './fidelity.ts';

const ALERT_LEVELS = new Set(['error', 'err', 'fatal', 'warn', 'warning', 'severe', 'critical', 'crit', 'alert', 'emerg', 'emergency', 'panic']);
const ANDROID_ALERT_LEVELS = new Set(['E', 'W', 'F', 'A']);

/** True for a line at warning level or worse, or with a BGL/Thunderbird alert label. */
export function isAlertRow(row: { level?: string; label?: string } | undefined): boolean {
  if (!row) return false;
  if (row.label !== undefined && row.label !== '-' && row.label !== '') return true;
  const level = row.level ?? '';
  return ANDROID_ALERT_LEVELS.has(level) || ALERT_LEVELS.has(level.toLowerCase());
}

/** The counts a compressor printed and whether they are true. */
export interface CountClaims {
  checked: number;
  consistent: number;
  mismatched: number;
  unverifiable: number;
  /** Up to 5 mismatched claims, quoted, for the report. */
  mismatches: string[];
}

/** One log's scores; see the header for what each number means. */
export interface LogScore {
  alertLines: number;
  alertVisible: number;
  events: number;
  eventsWithExample: number;
  inputLines: number;
  visibleLines: number;
  foldedLines: number;
  coveredLines: number;
  balanced: boolean;
  counts: CountClaims;
  dangling: number;
}

/** Scores one compressed log against its structured CSV (see the header for the rules). */
export function scoreLog(document: LogDocument, view: FoldView): LogScore {
  const visibleLines = splitLines(view.visible);
  const visibleSet = new Set(visibleLines);
  const isVisible = (line: string) => line !== '' && (visibleSet.has(line) || view.visible.includes(line));

  let alertLines = 0;
  let alertVisible = 0;
  const eventSeen = new Map<string, boolean>();
  document.lines.forEach((line, index) => {
    const row = document.rows[index];
    if (isAlertRow(row)) {
      alertLines++;
      if (isVisible(line)) alertVisible++;
    }
    if (row && !eventSeen.get(row.eventId)) eventSeen.set(row.eventId, isVisible(line));
  });

  const inputCounts = countLines(document.lines);
  let shown = 0;
  const shownCounts = new Map<string, number>();
  for (const line of visibleLines) {
    const match = candidateLines(line).find((candidate) => inputCounts.has(candidate));
    if (match === undefined) continue;
    shown++;
    shownCounts.set(match, (shownCounts.get(match) ?? 0) + 1);
  }
  let foldedLines = 0;
  const foldedCounts = new Map<string, number>();
  for (const text of view.folds.values()) {
    const lines = splitLines(text);
    foldedLines += lines.length;
    for (const line of lines) foldedCounts.set(line, (foldedCounts.get(line) ?? 0) + 1);
  }
  let coveredLines = 0;
  for (const [line, count] of inputCounts) {
    coveredLines += Math.min(count, (shownCounts.get(line) ?? 0) + (foldedCounts.get(line) ?? 0));
  }

  return {
    alertLines,
    alertVisible,
    events: eventSeen.size,
    eventsWithExample: [...eventSeen.values()].filter(Boolean).length,
    inputLines: document.lines.length,
    visibleLines: shown,
    foldedLines,
    coveredLines,
    balanced: shown + foldedLines === document.lines.length,
    counts: checkCountClaims(document, view, visibleLines, inputCounts),
    dangling: view.dangling.length,
  };
}

function countLines(lines: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

// A count a compressor may print beside a line: `×12`, `x12`, `12×`, `(12 times)`, `repeated 12 times`.
const TIMES = /(?:^|[\s([{])(?:×|x)\s?(\d+)(?=$|[\s)\]},;:])|(?:^|[\s([{])(\d+)\s?×|(?:repeated\s+)?(\d+)\s+times\b/gi;
const MORE = /\b(\d+)\s+more\b/gi;
const LINE_NUMBER_PREFIX = /^\s*\d+\s*[:|]\s?/;
const MARKER = /\[\[fold (\d{15})(?:: ([^\]\n]*))?\]\]/g;

/** The input line an output line may stand for: itself, without a count, without a `12:` prefix. */
function candidateLines(line: string): string[] {
  const withoutCounts = stripAnnotations(line);
  return [line, withoutCounts, line.replace(LINE_NUMBER_PREFIX, ''), withoutCounts.replace(LINE_NUMBER_PREFIX, '')];
}

function stripAnnotations(line: string): string {
  return line
    .replace(MARKER, '')
    .replace(TIMES, '')
    .replace(MORE, '')
    .replace(/\s*[([{]\s*[)\]}]\s*/g, ' ')
    .replace(/^[\s…·|-]+|[\s…·|-]+$/g, '');
}

function checkCountClaims(
  document: LogDocument,
  view: FoldView,
  visibleLines: string[],
  inputCounts: Map<string, number>,
): CountClaims {
  const claims: CountClaims = { checked: 0, consistent: 0, mismatched: 0, unverifiable: 0, mismatches: [] };
  const judge = (claimed: number, truths: Set<number> | undefined, quote: string) => {
    claims.checked++;
    if (!truths || truths.size === 0) claims.unverifiable++;
    else if (truths.has(claimed)) claims.consistent++;
    else {
      claims.mismatched++;
      if (claims.mismatches.length < 5) claims.mismatches.push(`${quote.slice(0, 160)} (true: ${[...truths].join('/')})`);
    }
  };
  const foldLines = (id: string) => {
    const text = view.folds.get(id);
    return text === undefined ? undefined : splitLines(text).length;
  };
  const levelOf = new Map<string, { level?: string; eventId: string }>();
  document.lines.forEach((line, index) => {
    const row = document.rows[index];
    if (row) levelOf.set(line, row);
  });

  visibleLines.forEach((line, index) => {
    // Markers: `N lines` must be the fold's line count; summary `word N` pairs are checked too.
    for (const marker of line.matchAll(MARKER)) {
      const id = marker[1]!;
      const [what = '', ...summary] = (marker[2] ?? '').split(';');
      const declared = what.match(/^\s*(\d+) (lines?|rows?|items?)\b/);
      const lines = foldLines(id);
      if (declared && /^line/.test(declared[2]!)) {
        judge(Number(declared[1]), lines === undefined ? undefined : new Set([lines]), marker[0]);
      }
      const foldText = view.folds.get(id);
      if (foldText !== undefined) checkSummary(summary.join(';'), splitLines(foldText), levelOf, judge, marker[0]);
    }
    if (inputCounts.has(line)) return; // an input line's digits are the input's, not a claim
    const markerIds = [...line.matchAll(MARKER), ...(visibleLines[index + 1] ?? '').matchAll(MARKER)].map((match) => match[1]!);
    const prose = line.replace(MARKER, '');
    const example = candidateLines(line).find((candidate) => inputCounts.has(candidate));
    for (const match of prose.matchAll(TIMES)) {
      const claimed = Number(match[1] ?? match[2] ?? match[3]);
      const truths = new Set<number>();
      for (const id of markerIds) {
        const lines = foldLines(id);
        if (lines !== undefined) truths.add(lines).add(lines + 1);
      }
      if (example !== undefined) for (const truth of exampleTruths(document, example)) truths.add(truth);
      judge(claimed, truths, line);
    }
    for (const match of prose.matchAll(MORE)) {
      const truths = new Set<number>();
      for (const id of markerIds) {
        const lines = foldLines(id);
        if (lines !== undefined) truths.add(lines);
      }
      judge(Number(match[1]), truths, line);
    }
  });
  return claims;
}

// True counts an example line's `×N` may mean: its duplicates, its EventId, or a run around it.
function exampleTruths(document: LogDocument, example: string): number[] {
  const truths: number[] = [];
  const { lines, rows } = document;
  let duplicates = 0;
  const eventId = rows[lines.indexOf(example)]?.eventId;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== example) continue;
    duplicates++;
    let from = i;
    let to = i;
    while (from > 0 && lines[from - 1] === example) from--;
    while (to + 1 < lines.length && lines[to + 1] === example) to++;
    truths.push(to - from + 1);
    if (eventId !== undefined) {
      from = i;
      to = i;
      while (from > 0 && rows[from - 1]?.eventId === eventId) from--;
      while (to + 1 < lines.length && rows[to + 1]?.eventId === eventId) to++;
      truths.push(to - from + 1);
    }
  }
  truths.push(duplicates);
  if (eventId !== undefined) truths.push(rows.filter((row) => row?.eventId === eventId).length);
  return truths;
}

// `ERROR 5`, `level=WARN: 3`: a count per level or EventId. Other word-number pairs in a summary
// (`Jun 15`, `to 18:04`) are dates and times, not claims.
const SUMMARY_PAIR = /([A-Za-z][\w.-]{0,40})[\s=:]+(\d+)\b(?![:./-]\d)/g;
const LEVEL_NAME = /^(trace|debug|info|notice|warn|warning|error|err|fatal|severe|critical|crit|alert|emerg|panic|[VDIWEFA])$/i;

function checkSummary(
  summary: string,
  foldLines: string[],
  rowOf: Map<string, { level?: string; eventId: string }>,
  judge: (claimed: number, truths: Set<number> | undefined, quote: string) => void,
  quote: string,
): void {
  for (const match of summary.matchAll(SUMMARY_PAIR)) {
    const word = match[1]!;
    const isEvent = /^E\d+$/.test(word);
    if (!isEvent && !LEVEL_NAME.test(word)) continue;
    const byRow = foldLines.filter((line) => {
      const row = rowOf.get(line);
      return isEvent ? row?.eventId === word : row?.level?.toLowerCase() === word.toLowerCase();
    }).length;
    judge(Number(match[2]), byRow > 0 ? new Set([byRow]) : undefined, `${quote} → ${match[0]}`);
  }
}
