import { createSqliteStore, o200kCounter, recordLedger, unfold } from '../core/index.ts';
import { EXIT, UsageError } from './errors.ts';

/** The flags of `tokenfold unfold`. */
export interface UnfoldFlags {
  lines?: string;
  grep?: string;
  namespace?: string;
  /** SQLite file for folds; default `defaultSqlitePath()`. */
  store?: string;
}

/**
 * `tokenfold unfold ID`: prints the original behind a marker, a line range of it, or the lines
 * matching `--grep`, and resolves to the exit code: 3 for a fold that is not there (or expired),
 * 4 when no line matches the grep.
 *
 * @example
 * process.exitCode = await unfoldCommand('482913075561', { grep: 'ERROR', store });
 */
export async function unfoldCommand(id: string, flags: UnfoldFlags): Promise<number> {
  checkRange(flags.lines);
  checkPattern(flags.grep);
  const store = await createSqliteStore(flags.store);
  try {
    const result = await unfold(id, { lines: flags.lines, grep: flags.grep, namespace: flags.namespace, store });
    if (result.status !== 'ok') {
      process.stderr.write(`tokenfold: ${result.message}\n`);
      return result.status === 'invalid-request' ? EXIT.usage : EXIT.notFound;
    }
    if (flags.grep !== undefined && result.text === '') {
      process.stderr.write(`tokenfold: no line of fold ${result.id} matches ${JSON.stringify(flags.grep)}\n`);
      return EXIT.noMatch;
    }
    process.stdout.write(result.text.endsWith('\n') || result.text === '' ? result.text : `${result.text}\n`);
    await recordLedger(store, {
      type: 'unfold',
      at: Date.now(),
      namespace: flags.namespace,
      source: 'cli',
      tokensReturned: o200kCounter.count(result.text),
      detail: { id: result.id, ...(flags.lines ? { lines: flags.lines } : {}), ...(flags.grep ? { grep: flags.grep } : {}) },
    });
    return EXIT.done;
  } finally {
    await store.disconnect();
  }
}

// The library says "invalid" for any malformed range; a person typing 20-10 deserves better.
function checkRange(lines: string | undefined): void {
  const match = lines?.match(/^\s*(\d+)\s*-\s*(\d+)\s*$/);
  if (match && Number(match[1]) > Number(match[2])) {
    throw new UsageError(`line range ${lines} is reversed: did you mean ${match[2]}-${match[1]}?`);
  }
}

function checkPattern(grep: string | undefined): void {
  if (grep === undefined) return;
  try {
    new RegExp(grep, 'i');
  } catch (error) {
    throw new UsageError(`--grep ${JSON.stringify(grep)} is not a valid regular expression (${(error as Error).message})`);
  }
}
