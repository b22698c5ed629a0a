import { createHash } from 'node:crypto';
import type { FoldRequest } from './types.ts';

/*
 * The fold marker: `[[fold 482913075561: 184 rows; color blue 180, red 4]]`.
 *
 * Ids are 12 decimal digits taken from the SHA-256 of the folded text: o200k reads them as four
 * tokens (hex ids cost one token per character), and the same content always gets the same id, so
 * the compressed text is byte-stable across agent steps. 40 bits is plenty within one namespace.
 */

const MARKER = /\[\[fold (\d{12})(?:: ([^\]\n]*))?\]\]/g;
// Anything in the input that could read as our marker: `[[fold `, `[[\fold `, `[[\\fold ` ...
const LOOK_ALIKE = /\[\[(\\*)fold /g;

/** The content-hash id of a folded text. */
export function foldId(text: string): string {
  const digest = createHash('sha256').update(text).digest();
  return (digest.readBigUInt64BE(0) % 1_000_000_000_000n).toString().padStart(12, '0');
}

/** True when `id` has the shape of a fold id. */
export function isFoldId(id: string): boolean {
  return /^\d{12}$/.test(id);
}

/** Renders one marker. */
export function renderMarker(id: string, fold: Pick<FoldRequest, 'unit' | 'count' | 'summary'>): string {
  const what = `${fold.count} ${fold.count === 1 ? fold.unit.replace(/s$/, '') : fold.unit}`;
  const summary = fold.summary ? `; ${cleanSummary(fold.summary)}` : '';
  return `[[fold ${id}: ${what}${summary}]]`;
}

/** The ids of all markers in a text, in order of appearance. */
export function findMarkers(text: string): Array<{ id: string; index: number; length: number }> {
  return [...text.matchAll(MARKER)].map((match) => ({
    id: match[1]!,
    index: match.index,
    length: match[0].length,
  }));
}

/**
 * Escapes marker look-alikes in text that came from the input, so that only markers the core
 * rendered parse as markers: `[[fold ` becomes `[[\fold `. Reversed by `unescapeLookAlikes`.
 */
export function escapeLookAlikes(text: string): string {
  return text.includes('[[') ? text.replace(LOOK_ALIKE, '[[\\$1fold ') : text;
}

export function unescapeLookAlikes(text: string): string {
  return text.includes('[[') ? text.replace(/\[\[\\(\\*)fold /g, '[[$1fold ') : text;
}

// A summary lives inside the marker: one line, square brackets turned round, bounded length.
function cleanSummary(summary: string): string {
  const oneLine = summary.replace(/\s+/g, ' ').replaceAll('[', '(').replaceAll(']', ')').trim();
  return oneLine.length > 160 ? `${oneLine.slice(0, 157)}...` : oneLine;
}
