import { pipeline } from 'node:stream/promises';
import { createSqliteStore } from '../core/index.ts';
import type { CompressResult, ContentKind, TokenizerName } from '../core/index.ts';
import { describeBinary } from './binary.ts';
import { compressBytes } from './compress-bytes.ts';
import { EXIT, errorMessage } from './errors.ts';
import { readInput } from './read-input.ts';

/** The flags of `tokenfold compress`. */
export interface CompressFlags {
  query?: string;
  budget?: number;
  kind?: ContentKind;
  tokenizer: TokenizerName;
  minTokens: number;
  maxBytes: number;
  exactCounts?: boolean;
  ttl?: number;
  namespace?: string;
  /** SQLite file for folds; default `defaultSqlitePath()`. */
  store?: string;
  json?: boolean;
  quiet?: boolean;
  passthrough?: boolean;
}

/**
 * `tokenfold compress FILE`: prints the compressed text (or the whole result with `--json`) and a
 * one-line summary on standard error; resolves to the exit code. Input that is not compressed
 * goes out byte for byte: an input over `--max-bytes` as a stream (memory stays bounded), invalid
 * UTF-8 as it came, binary only with `--passthrough`.
 *
 * @example
 * process.exitCode = await compressCommand('app.log', { store, tokenizer: 'o200k_base', minTokens: 200, maxBytes });
 */
export async function compressCommand(file: string, flags: CompressFlags): Promise<number> {
  const input = await readInput(file, flags.maxBytes);
  const name = file === '-' ? 'standard input' : file;
  const binary = describeBinary(input.bytes);
  if (binary && !flags.passthrough) {
    process.stderr.write(`tokenfold: ${name} is ${binary}, not text: nothing written (--passthrough copies it)\n`);
    return EXIT.binary;
  }
  if (input.rest) {
    note(flags, `${name} is over ${flags.maxBytes.toLocaleString('en-US')} bytes (--max-bytes): passed through unchanged`);
    process.stdout.write(input.bytes);
    await pipeline(input.rest, process.stdout, { end: false });
    return EXIT.done;
  }
  const store = await createSqliteStore(flags.store);
  try {
    const outcome = await compressBytes(input.bytes, {
      query: flags.query,
      budget: flags.budget,
      kind: flags.kind,
      // The file's name picks the kind and the language (`app.ts` is TypeScript from its first line).
      ...(file === '-' ? {} : { fileName: file }),
      tokenizer: flags.tokenizer,
      minTokens: flags.minTokens,
      maxBytes: flags.maxBytes,
      exactCounts: flags.exactCounts,
      ttl: flags.ttl,
      namespace: flags.namespace,
      store,
      source: 'cli',
      onError: (error, { stage }) => process.stderr.write(`tokenfold: ${stage} failed, passing through: ${errorMessage(error)}\n`),
    });
    if (outcome.type !== 'compressed') {
      note(flags, `${name} is ${outcome.type === 'binary' ? outcome.what : 'not UTF-8'}: passed through unchanged`);
      process.stdout.write(input.bytes);
      return EXIT.done;
    }
    const { result } = outcome;
    process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : outcome.output);
    if (!flags.json) note(flags, summary(result));
    return EXIT.done;
  } finally {
    await store.disconnect();
  }
}

/**
 * `tokenfold: log, tokens 12,034 → 2,210 (-82%), 14 folds`.
 *
 * @example
 * process.stderr.write(`${summary(result)}\n`);
 */
export function summary(result: CompressResult): string {
  const saved = result.tokensBefore === 0 ? 0 : 1 - result.tokensAfter / result.tokensBefore;
  const before = `${result.tokensBeforeExact ? '' : '~'}${result.tokensBefore.toLocaleString('en-US')}`;
  const what = result.passThrough ? `passed through (${result.passThrough})` : `${result.folds.length} folds`;
  return `tokenfold: ${result.kind}, tokens ${before} → ${result.tokensAfter.toLocaleString('en-US')} (-${Math.round(saved * 100)}%), ${what}`;
}

function note(flags: { quiet?: boolean }, text: string): void {
  if (!flags.quiet) process.stderr.write(text.startsWith('tokenfold:') ? `${text}\n` : `tokenfold: ${text}\n`);
}
