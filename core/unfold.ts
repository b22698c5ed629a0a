import { FOLD_ID_DIGITS, parseFoldId, parseLineRuns } from './folds.ts';
import { compileGrep, matchingLines, nextTurn } from './grep.ts';
import { defaultStore, namespaceProblem, readFold, type StoredFold } from './store.ts';
import type { UnfoldOptions, UnfoldResult } from './types.ts';

/**
 * Returns what a `[[fold …]]` marker stands for: whole and byte-exact, or the lines of a range or
 * those matching `grep`, each prefixed with its line number in the input (`120: …`). Line numbers
 * are the input's for every fold, also one gathered from many places (all repeats of one log
 * template). Accepts the bare 15-digit id, the marker itself, or the id as a number. Never throws
 * for a missing, expired or malformed id, a range outside the fold or a bad pattern: the result
 * says which.
 *
 * @example
 * const result = await unfold('482913075561204', { grep: 'ERROR' });
 * if (result.status === 'ok') console.log(result.text);
 */
export async function unfold(idOrMarker: string | number, options: UnfoldOptions = {}): Promise<UnfoldResult> {
  const id = parseFoldId(idOrMarker);
  if (!id) {
    return {
      status: 'invalid-request',
      id: String(idOrMarker),
      message: `A fold id is ${FOLD_ID_DIGITS} digits, as in [[fold 482913075561204: …]].`,
    };
  }
  const problem = namespaceProblem(options.namespace);
  if (problem) return { status: 'invalid-request', id, message: `Fold ${id} cannot be looked up: ${problem}.` };
  const range = parseRange(options.lines);
  if (range === 'invalid') {
    return { status: 'invalid-request', id, message: `Line range ${JSON.stringify(options.lines)} is not of the form "A-B" with A ≤ B.` };
  }
  const grep = options.grep === undefined ? undefined : compileGrep(options.grep);
  if (grep && 'refused' in grep) {
    const what = grep.refused === 'too-large' ? 'is too large' : 'is not a regular expression this grep can run';
    return {
      status: 'invalid-request',
      id,
      message: `The grep pattern ${JSON.stringify(shorten(options.grep!))} ${what} (${grep.message}). Use a few plain words or a simpler pattern, or a line range.`,
    };
  }

  // Reads start a turn apart: an in-memory store deserializes within the read, and ten parallel
  // reads of large folds would otherwise do all of that in one turn.
  await nextTurn();
  const record = await readFold(options.store ?? defaultStore(), options.namespace, id);
  if (record === 'expired') {
    return { status: 'expired', id, message: `Fold ${id} has expired. Run the tool again for fresh output.` };
  }
  if (!record) {
    return { status: 'not-found', id, message: `No fold ${id} here. Check the id against a [[fold …]] marker you were given.` };
  }

  // Reading the record was one piece of synchronous work (deserializing it); what follows is
  // another, done on a later turn so that parallel unfolds do not add theirs up in one turn.
  if (record.text.length > LARGE_CHARS) await nextTurn();
  const numbers = lineNumbersOf(record);
  const base = {
    status: 'ok' as const,
    id,
    firstLine: record.firstLine ?? 1,
    totalLines: countLines(record.text),
    ...(numbers.gathered ? { lineNumbers: numbers.all() } : {}),
  };
  if (!range && !grep) return { ...base, text: record.text };

  if (record.text.length > LARGE_CHARS) await nextTurn();
  const lines = record.text.split('\n');
  let selected = lines.map((_, index) => index);
  if (range) {
    selected = selected.filter((index) => numbers.at(index) >= range[0] && numbers.at(index) <= range[1]);
    if (selected.length === 0) return { status: 'invalid-request', id, message: outsideMessage(id, range, numbers, lines.length) };
  }
  if (grep) {
    const hits = await matchingLines(
      selected.map((index) => lines[index]!),
      grep,
    );
    selected = hits.map((hit) => selected[hit]!);
  }
  return { ...base, text: selected.map((index) => `${numbers.at(index)}: ${lines[index]}`).join('\n') };
}

// Folds above this size (about a millisecond of work to scan) are worked on a turn at a time.
const LARGE_CHARS = 256 * 1024;

interface Numbering {
  gathered: boolean;
  at(index: number): number;
  all(): number[];
}

function lineNumbersOf(record: StoredFold): Numbering {
  const gathered = record.lines ? parseLineRuns(record.lines) : undefined;
  const first = record.firstLine ?? 1;
  if (gathered) return { gathered: true, at: (index) => gathered[index] ?? first + index, all: () => gathered };
  return { gathered: false, at: (index) => first + index, all: () => [] };
}

function outsideMessage(id: string, range: [number, number], numbers: Numbering, count: number): string {
  const asked = range[0] === range[1] ? `line ${range[0]}` : `lines ${range[0]}-${range[1]}`;
  const first = numbers.at(0);
  const last = numbers.at(count - 1);
  const holds = numbers.gathered
    ? `${count} lines gathered from lines ${first} to ${last} of the input, none of them in that range`
    : `lines ${first}-${last}`;
  return `Fold ${id} holds ${holds}; ${asked} is outside it. Ask for a range within it, or use grep.`;
}

function parseRange(lines: UnfoldOptions['lines']): [number, number] | undefined | 'invalid' {
  if (lines === undefined) return undefined;
  if (Array.isArray(lines)) {
    const [from, to] = lines;
    return Number.isSafeInteger(from) && Number.isSafeInteger(to) && from <= to ? [from, to] : 'invalid';
  }
  const match = String(lines).trim().match(/^(\d{1,15})\s*(?:[-–:]\s*(\d{1,15}))?$/);
  if (!match) return 'invalid';
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  return from <= to ? [from, to] : 'invalid';
}

function countLines(text: string): number {
  let count = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
