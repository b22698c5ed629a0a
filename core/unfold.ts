import { createContext, Script, type Context } from 'node:vm';
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

  const matched = matchingLines(selected, options.grep);
  if (matched === 'too-slow') {
    return {
      status: 'invalid-request',
      id,
      message: `The grep pattern ${JSON.stringify(options.grep)} is too costly on fold ${id} (it ran past ${GREP_TIME_LIMIT_MS / 1000} s). Use plain words, a simpler pattern, or a line range.`,
    };
  }
  return { ...base, text: matched.map((index) => `${from + index}: ${selected[index]}`).join('\n') };
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

// The pattern comes from the model, and through it from whatever a tool output told the model:
// one that backtracks catastrophically (`(a+)+$` on a long run of `a`) would block this process
// for minutes. So the regular expression runs in a VM context with a time limit, which
// interrupts it; a pattern that is not a valid regular expression is matched as plain text.
const GREP_TIME_LIMIT_MS = 2000;
const GREP_SCRIPT = new Script('for (let i = 0; i < lines.length; i++) if (regex.test(lines[i])) hits.push(i);');
let grepContext: Context | undefined;

function matchingLines(lines: string[], pattern: string): number[] | 'too-slow' {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'i');
  } catch {
    const needle = pattern.toLowerCase();
    return lines.flatMap((line, index) => (line.toLowerCase().includes(needle) ? [index] : []));
  }
  const hits: number[] = [];
  grepContext ??= createContext({});
  Object.assign(grepContext, { lines, regex, hits });
  try {
    GREP_SCRIPT.runInContext(grepContext, { timeout: GREP_TIME_LIMIT_MS });
  } catch {
    return 'too-slow';
  } finally {
    Object.assign(grepContext, { lines: undefined, regex: undefined, hits: undefined });
  }
  return hits;
}
