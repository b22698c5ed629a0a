import type Keyv from 'keyv';
import { escapeLookAlikes, FOLD_ID_DIGITS, parseFoldId } from './folds.ts';
import { recordLedger } from './ledger.ts';
import { o200kCounter } from './tokens.ts';
import { unfold } from './unfold.ts';

/*
 * The unfold tool, framework-neutral: each adapter wraps these in its own tool format, so the
 * model sees the same name, description and answers everywhere.
 */

export const UNFOLD_TOOL_NAME = 'unfold';

export const UNFOLD_TOOL_DESCRIPTION =
  'Returns the original content hidden behind a [[fold ID: …]] marker in an earlier tool result. ' +
  'Pass the 15-digit id. For a large fold, pass `lines` ("120-140", line numbers of the original ' +
  'output) or `grep` (a regular expression, RE2 syntax) to get only part of it, with line numbers. ' +
  'Where a text shows … for omissions, its one fold holds the whole original.';

/** JSON Schema of the tool's input, for frameworks that take one. */
export const UNFOLD_TOOL_INPUT_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'The 15-digit id from a [[fold …]] marker.' },
    lines: { type: 'string', description: 'Optional line range, e.g. "120-140".' },
    grep: { type: 'string', description: 'Optional regular expression; only matching lines are returned.' },
  },
  required: ['id'],
  additionalProperties: false,
} as const;

export interface UnfoldToolInput {
  id: string;
  lines?: string;
  grep?: string;
}

export interface UnfoldToolOptions {
  store?: Keyv;
  namespace?: string;
  /** Longest answer in characters; a longer one is cut with a note on how to page. Default 40,000. */
  maxChars?: number;
  /** Who answered, for the savings ledger that a given `store` keeps: 'ai', 'mcp', … */
  source?: string;
}

/**
 * Runs the unfold tool and returns the text for the model. Never throws: a bad id, an expired
 * fold or a store error becomes a message the model can act on.
 */
export async function runUnfoldTool(input: unknown, options: UnfoldToolOptions = {}): Promise<string> {
  const { id, lines, grep } = readInput(input);
  if (id === undefined) return `unfold needs an \`id\`: the ${FOLD_ID_DIGITS} digits in a [[fold …]] marker.`;
  try {
    const result = await unfold(id, { lines, grep, store: options.store, namespace: options.namespace });
    if (result.status !== 'ok') return result.message;
    if (grep !== undefined && result.text === '') return `No line of fold ${result.id} matches ${JSON.stringify(grep)}.`;
    // Escaped like kept text: a look-alike in the original must not reach the model as a marker.
    const answer = cut(escapeLookAlikes(result.text), options.maxChars ?? 40_000, result.id);
    if (options.store) {
      // What the model reads back is what the folds did not save: the ledger nets it out.
      void recordLedger(options.store, {
        type: 'unfold',
        at: Date.now(),
        namespace: options.namespace,
        source: options.source,
        tokensReturned: o200kCounter.count(answer),
        detail: { id: result.id, ...(lines !== undefined ? { lines } : {}), ...(grep !== undefined ? { grep } : {}) },
      });
    }
    return answer;
  } catch (error) {
    return `The fold store could not be read (${error instanceof Error ? error.message : String(error)}). Try again later.`;
  }
}

// Lenient on purpose: whatever the model sent, the answer is a message it can act on. An id sent
// as a JSON number lost its leading zeros, which are put back.
function readInput(input: unknown): Omit<Partial<UnfoldToolInput>, 'id'> & { id?: string | number } {
  if (typeof input === 'string' || typeof input === 'number') return { id: input };
  if (!input || typeof input !== 'object') return {};
  const { id, lines, grep } = input as Record<string, unknown>;
  return {
    id: typeof id === 'number' ? (parseFoldId(id) ?? String(id)) : typeof id === 'string' ? id : undefined,
    lines: typeof lines === 'string' || typeof lines === 'number' ? String(lines) : undefined,
    grep: typeof grep === 'string' && grep !== '' ? grep : undefined,
  };
}

function cut(text: string, maxChars: number, id: string): string {
  if (text.length <= maxChars) return text;
  const kept = text.slice(0, text.lastIndexOf('\n', maxChars) + 1 || maxChars);
  const keptLines = kept.split('\n').length - 1;
  return `${kept}… cut at ${keptLines} lines; call unfold with id ${id} and lines or grep for the rest.`;
}

