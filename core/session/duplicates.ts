import { createHash } from 'node:crypto';
import { structuredPatch } from 'diff';
import { sameFile, type CallSubject } from './subject.ts';

/*
 * Outputs the model has already read. An exact repeat of an earlier output (the same file read
 * twice, the same listing) is sent as a one-line reference to that output and to the fold that
 * holds it; a re-read of a file after a small edit is sent as a unified diff against the earlier
 * copy, when that is smaller. The earlier message is never touched: the reference points back at
 * it, so the prompt prefix (and the provider's cache of it) stays as it was.
 *
 * The diff is jsdiff's (`diff` on npm), with one line of context, bounded in edit length so that
 * two unrelated outputs cost a bounded amount of work and simply get no diff.
 */

/** An earlier output the model has read, as the session remembers it. */
export interface EarlierOutput {
  /** Its tool call id. */
  id: string;
  /** Its text as the tool returned it. */
  original: string;
  /** `contentHash(original)`. */
  hash: string;
  subject: CallSubject;
}

/** How a new output relates to an earlier one. */
export type Repeat =
  | { type: 'duplicate'; of: EarlierOutput }
  | { type: 'diff'; of: EarlierOutput; patch: string; changedLines: number };

// Beyond this many inserted plus removed lines a diff is no longer "a small edit".
const MAX_EDIT_LINES = 400;
// Outputs larger than this are not diffed: the diff would cost more time than it could save.
const MAX_DIFF_CHARS = 400_000;

/** The SHA-256 of a text, base64url: equal hashes, equal texts. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * The latest earlier output `text` repeats exactly, else the latest earlier read of the same file
 * with the unified diff from it to `text`. `undefined` when neither applies. The caller decides
 * whether the diff is worth sending (it compares its size with the compressed output).
 *
 * @example
 * const repeat = findRepeat(newText, subject, earlier);
 * if (repeat?.type === 'duplicate') send(`same as the output of ${repeat.of.id}`);
 */
export function findRepeat(text: string, subject: CallSubject, earlier: readonly EarlierOutput[]): Repeat | undefined {
  const hash = contentHash(text);
  for (let index = earlier.length - 1; index >= 0; index--) {
    if (earlier[index]!.hash === hash) return { type: 'duplicate', of: earlier[index]! };
  }
  if (!subject.file || text.length > MAX_DIFF_CHARS) return undefined;
  for (let index = earlier.length - 1; index >= 0; index--) {
    const candidate = earlier[index]!;
    if (!candidate.subject.file || !sameFile(candidate.subject.file, subject.file)) continue;
    if (candidate.original.length > MAX_DIFF_CHARS) return undefined;
    const diff = unifiedDiff(candidate.original, text);
    return diff && { type: 'diff', of: candidate, ...diff };
  }
  return undefined;
}

/**
 * The hunks of a unified diff from `before` to `after` (one line of context, no file headers), or
 * `undefined` when they differ in more than a few hundred lines or not at all.
 *
 * @example
 * unifiedDiff('a\nb\nc\n', 'a\nB\nc\n'); // { patch: '@@ -1,3 +1,3 @@\n a\n-b\n+B\n c', changedLines: 2 }
 */
export function unifiedDiff(before: string, after: string): { patch: string; changedLines: number } | undefined {
  const patch = structuredPatch('', '', before, after, undefined, undefined, { context: 1, maxEditLength: MAX_EDIT_LINES });
  if (!patch || patch.hunks.length === 0) return undefined;
  let changedLines = 0;
  const lines: string[] = [];
  for (const hunk of patch.hunks) {
    lines.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    for (const line of hunk.lines) {
      if (line.startsWith('+') || line.startsWith('-')) changedLines++;
      lines.push(line);
    }
  }
  return { patch: lines.join('\n'), changedLines };
}
