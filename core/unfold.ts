import { readFold, defaultStore } from './store.ts';
import type { UnfoldOptions, UnfoldResult } from './types.ts';

/**
 * Returns what a `[[fold …]]` marker stands for, byte-exact: whole, a line range, or only the
 * lines matching `grep` (each prefixed with its line number). Accepts the bare 12-digit id or the
 * marker itself. Never throws for a missing, expired or malformed id: the result says which.
 *
 * @example
 * const result = await unfold('482913075561', { grep: 'ERROR' });
 * if (result.status === 'ok') console.log(result.text);
 */
export async function unfold(idOrMarker: string, options: UnfoldOptions = {}): Promise<UnfoldResult> {
  const id = String(idOrMarker ?? '').match(/\d{12}/)?.[0];
  if (!id) {
    return { status: 'invalid-request', id: String(idOrMarker), message: 'A fold id is 12 digits, as in [[fold 482913075561: …]].' };
  }
  const range = parseRange(options.lines);
  if (range === 'invalid') {
    return { status: 'invalid-request', id, message: `Line range ${JSON.stringify(options.lines)} is not of the form "A-B".` };
  }

  const record = await readFold(options.store ?? defaultStore(), options.namespace, id);
  if (record === 'expired') {
    return { status: 'expired', id, message: `Fold ${id} has expired. Run the tool again for fresh output.` };
  }
  if (!record) {
    return { status: 'not-found', id, message: `No fold ${id} here. Check the id against a [[fold …]] marker you were given.` };
  }

  const lines = record.text.split('\n');
  const firstLine = record.firstLine;
  const base = { status: 'ok' as const, id, firstLine, totalLines: lines.length };
  if (!range && options.grep === undefined) return { ...base, text: record.text };

  const from = range ? Math.max(range[0], firstLine) : firstLine;
  const to = range ? Math.min(range[1], firstLine + lines.length - 1) : firstLine + lines.length - 1;
  const selected = lines.slice(from - firstLine, to - firstLine + 1);
  if (options.grep === undefined) return { ...base, text: selected.join('\n') };

  const matches = lineMatcher(options.grep);
  const hits: string[] = [];
  selected.forEach((line, index) => {
    if (matches(line)) hits.push(`${from + index}: ${line}`);
  });
  return { ...base, text: hits.join('\n') };
}

function parseRange(lines: UnfoldOptions['lines']): [number, number] | undefined | 'invalid' {
  if (lines === undefined) return undefined;
  if (Array.isArray(lines)) {
    const [from, to] = lines;
    return Number.isInteger(from) && Number.isInteger(to) && from <= to ? [from, to] : 'invalid';
  }
  const match = String(lines).trim().match(/^(\d+)\s*(?:[-–:]\s*(\d+))?$/);
  if (!match) return 'invalid';
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  return from <= to ? [from, to] : 'invalid';
}

// A pattern that is not a valid regular expression is matched as plain text.
function lineMatcher(pattern: string): (line: string) => boolean {
  try {
    const regex = new RegExp(pattern, 'i');
    return (line) => regex.test(line);
  } catch {
    const needle = pattern.toLowerCase();
    return (line) => line.toLowerCase().includes(needle);
  }
}
