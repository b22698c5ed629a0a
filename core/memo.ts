import { createHash } from 'node:crypto';
import { compress } from './compress.ts';
import type { CompressOptions, CompressResult } from './types.ts';

export interface CompressorCacheOptions extends CompressOptions {
  /** Most results kept; the least recently used go first. Default 1,000. */
  maxEntries?: number;
  /** Called once per real compression (not for cache hits), e.g. to report savings. */
  onCompress?: (result: CompressResult) => void;
}

/** Options that may change per call; the rest is fixed when the cache is created. */
export type PerCallOptions = Pick<CompressOptions, 'query' | 'budget' | 'kind' | 'fileName'>;

export type CachedCompress = (input: unknown, perCall?: PerCallOptions) => Promise<CompressResult>;

/**
 * `compress` memoized by content: the same text with the same query gives the same result object
 * without compressing again. This is what keeps an agent loop cache-stable and cheap: each tool
 * output is compressed once, and every later step sends the same bytes. Concurrent calls for the
 * same input share one compression.
 *
 * @example
 * const compressCached = createCompressorCache({ store, namespace: conversationId });
 * const { text } = await compressCached(toolOutput, { query });
 */
export function createCompressorCache(options: CompressorCacheOptions = {}): CachedCompress {
  const { maxEntries = 1000, onCompress, ...compressOptions } = options;
  const entries = new Map<string, Promise<CompressResult>>();

  return (input, perCall = {}) => {
    const key = cacheKey(input, perCall);
    const cached = entries.get(key);
    if (cached) {
      // Refresh recency: Map iteration order is insertion order.
      entries.delete(key);
      entries.set(key, cached);
      return cached;
    }
    const pending = compress(input, { ...compressOptions, ...perCall }).then((result) => {
      try {
        onCompress?.(result);
      } catch {
        // Reporting must never break compression.
      }
      return result;
    });
    // A rejected compression (only possible with `strict`) must not stay cached.
    pending.catch(() => entries.delete(key));
    entries.set(key, pending);
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    return pending;
  };
}

// Every field is length-prefixed, so that no input and options can pass for others (`'X\0q'` with
// no query against `'X'` with the query `'q\0'`), and strings are hashed as their UTF-16 code
// units, so that lone surrogates are not merged into U+FFFD as UTF-8 would.
function cacheKey(input: unknown, perCall: PerCallOptions): string {
  const hash = createHash('sha256');
  const field = (tag: string, value: string | Uint8Array) => {
    hash.update(`${tag}${value.length}:`, 'latin1');
    if (typeof value === 'string') hash.update(value, 'utf16le');
    else hash.update(value);
  };
  if (typeof input === 'string') field('s', input);
  else if (input instanceof Uint8Array) field('b', input);
  else field('j', safeJson(input));
  field('q', perCall.query ?? '');
  field('n', perCall.budget === undefined ? '' : String(perCall.budget));
  field('k', perCall.kind ?? '');
  field('f', perCall.fileName ?? '');
  return hash.digest('base64url');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
