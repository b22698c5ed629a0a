import { isEvidence } from '../evidence.ts';
import { escapeLookAlikes, renderMarker } from '../folds.ts';
import type { FoldReason } from './history.ts';
import type { CallSubject } from './subject.ts';

/*
 * The texts the session sends in place of an output. Each starts with one marker whose fold holds
 * the whole output as the tool returned it, so anything in it is one `unfold` away:
 *
 *   [[fold 482913075561204: 94 lines; identical to the output of tool call call_3]]
 *   [[fold 482913075561204: 100 lines; the output of tool call call_8 with this diff applied]]
 *   @@ -1474,3 +1474,3 @@ …
 *   [[fold 482913075561204: 94 lines; open setup.py: superseded by a later run]]
 *   Traceback (most recent call last):          ← failure evidence stays visible
 */

// A folded output keeps up to MAX_EVIDENCE lines of failure evidence (the evidence layer's rule:
// errors, exceptions, failing tests, diagnostics) in view, so a failure is never out of sight.
const MAX_EVIDENCE = 5;
const MAX_EVIDENCE_CHARS = 240;

const REASONS: Record<FoldReason, string> = {
  superseded: 'superseded by a later run',
  stale: 'its file was edited since',
  aged: 'old',
  ceiling: 'over the history budget',
};

/** Line count of an output, for its marker. */
export function lineCount(text: string): number {
  if (text === '') return 0;
  const lines = text.split('\n').length;
  return text.endsWith('\n') ? lines - 1 : lines;
}

/**
 * The reference sent for an exact repeat of an earlier output.
 *
 * @example
 * duplicateText('482913075561204', 'call_3', 94); // '[[fold 482913075561204: 94 lines; identical to the output of tool call call_3]]'
 */
export function duplicateText(foldId: string, earlierCallId: string, lines: number): string {
  return renderMarker(foldId, { unit: 'lines', count: lines, summary: `identical to the output of tool call ${earlierCallId}` });
}

/** The diff sent for a near-repeat: a marker for the whole new output, then the hunks. */
export function diffText(foldId: string, earlierCallId: string, lines: number, patch: string): string {
  const marker = renderMarker(foldId, {
    unit: 'lines',
    count: lines,
    summary: `the output of tool call ${earlierCallId} with this diff applied`,
  });
  return `${marker}\n${escapeLookAlikes(patch)}`;
}

/**
 * The one-line summary and marker an output is folded to by the history policy, followed by the
 * failure evidence it held (at most five lines, each cut at 240 characters).
 *
 * @example
 * historyText('482913075561204', 'bash', { command: 'npm test' }, output, 'superseded');
 * // '[[fold 482913075561204: 812 lines; bash npm test: superseded by a later run]]\nFAIL src/a.test.ts'
 */
export function historyText(foldId: string, tool: string, subject: CallSubject, input: unknown, original: string, reason: FoldReason): string {
  const call = callLabel(tool, input, subject);
  const marker = renderMarker(foldId, { unit: 'lines', count: lineCount(original), summary: `${call}: ${REASONS[reason]}` });
  const evidence = evidenceLines(original);
  return evidence.length === 0 ? marker : `${marker}\n${escapeLookAlikes(evidence.join('\n'))}`;
}

/** Up to five distinct lines of failure evidence, in order. */
export function evidenceLines(text: string): string[] {
  const kept = new Set<string>();
  for (const line of text.split('\n')) {
    if (kept.size >= MAX_EVIDENCE) break;
    const trimmed = line.trim();
    if (trimmed === '' || !isEvidence(trimmed.slice(0, 300))) continue;
    kept.add(trimmed.length > MAX_EVIDENCE_CHARS ? `${trimmed.slice(0, MAX_EVIDENCE_CHARS - 1)}…` : trimmed);
  }
  return [...kept];
}

// `bash npm test`, `read_file src/app.py`: the tool and the first line of its command or file.
function callLabel(tool: string, input: unknown, subject: CallSubject): string {
  const fields = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const command = ['command', 'cmd', 'query', 'pattern', 'url'].map((key) => fields[key]).find((value) => typeof value === 'string') as
    | string
    | undefined;
  const what = command ?? subject.file ?? (typeof input === 'string' ? input : '');
  const firstLine = what.split('\n', 1)[0]!.trim();
  const label = firstLine.startsWith(tool) ? firstLine : `${tool} ${firstLine}`.trim();
  return label.length > 90 ? `${label.slice(0, 89)}…` : label;
}
