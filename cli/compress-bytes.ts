import { compress, compressEntry, recordLedger, resolveTokenCounter } from '../core/index.ts';
import type { CompressOptions, CompressResult } from '../core/index.ts';
import { describeBinary } from './binary.ts';

/*
 * What `compress` and `run` share: from raw bytes to the bytes to print. The command line must
 * pass bytes through untouched whenever it does not compress (a latin1 log, a file with a BOM),
 * since a shell pipeline expects them; the library's pass-through gives back text, which would
 * re-encode them.
 */

/** What became of an input. */
export type BytesOutcome =
  | { type: 'binary'; what: string }
  /** Not UTF-8: the bytes go out as they came. */
  | { type: 'not-utf8' }
  | {
      type: 'compressed';
      result: CompressResult;
      /** What to print: the original bytes when the result is the input unchanged. */
      output: Uint8Array | string;
    };

/** `compress` options, plus who is asking, for the savings ledger kept in `store`. */
export interface CompressBytesOptions extends CompressOptions {
  source: 'cli' | 'run' | 'mcp';
  /** The tool or command, for the ledger. */
  tool?: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Compresses `bytes` when they are UTF-8 text, records the compression in the ledger of
 * `options.store`, and says what to print.
 *
 * @example
 * const outcome = await compressBytes(readFileSync('app.log'), { store, source: 'cli' });
 * if (outcome.type === 'compressed') process.stdout.write(outcome.output);
 */
export async function compressBytes(bytes: Uint8Array, options: CompressBytesOptions): Promise<BytesOutcome> {
  const what = describeBinary(bytes);
  if (what) return { type: 'binary', what };
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { type: 'not-utf8' };
  }
  const { source, tool, ...compressOptions } = options;
  const result = await exactPassThrough(await compress(text, compressOptions), text, options);
  const unchanged = result.passThrough !== undefined && result.text === text;
  if (options.store) {
    await recordLedger(options.store, compressEntry(result, { namespace: options.namespace, source, tool }));
  }
  return { type: 'compressed', result, output: unchanged ? bytes : result.text };
}

// The library estimates the tokens of a large pass-through (counting 30 MB that it does not
// compress would cost more than the call); the command line prints them, so it counts them.
async function exactPassThrough(result: CompressResult, input: string, options: CompressOptions): Promise<CompressResult> {
  if (!result.passThrough || result.tokensBeforeExact) return result;
  const counter = await resolveTokenCounter(options.tokenizer);
  const tokensAfter = counter.count(result.text);
  if (result.text !== input) return { ...result, tokensAfter };
  return { ...result, tokensBefore: tokensAfter, tokensBeforeExact: true, tokensAfter };
}
