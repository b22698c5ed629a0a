import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { UsageError } from './errors.ts';

// Progress shows only for inputs this large, and only when standard error is a terminal.
const PROGRESS_FROM_BYTES = 8 * 1024 * 1024;

/** What `readInput` read: the first bytes, and the rest still unread when the input was too large. */
export interface Input {
  /** The input, or its first `maxBytes` bytes. */
  bytes: Uint8Array;
  /**
   * When the input has more than `maxBytes` bytes: the stream, positioned right after `bytes`, to
   * copy through unchanged. Memory stays bounded whatever the input (`/dev/zero`, a 5 GB log).
   */
  rest?: Readable;
}

/**
 * Reads a file, or standard input for `-`, as bytes, stopping after `maxBytes` (`compress` decodes
 * them strictly, so that invalid UTF-8 is reported, not silently replaced). A folder or a missing
 * file is a usage error.
 *
 * @example
 * const { bytes, rest } = await readInput('app.log', 32 * 1024 * 1024);
 */
export async function readInput(file: string, maxBytes: number): Promise<Input> {
  if (file === '-') {
    if (process.stdin.isTTY) throw new UsageError('no input: pass a FILE, or pipe text into standard input');
    return readUpTo(process.stdin, maxBytes, undefined);
  }
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ENOENT' ? new UsageError(`${file}: no such file`) : error;
  });
  if (info.isDirectory()) throw new UsageError(`${file} is a folder: pass a file, or - for standard input`);
  return readUpTo(createReadStream(file), maxBytes, info.isFile() ? info.size : undefined);
}

async function readUpTo(stream: Readable, maxBytes: number, totalBytes: number | undefined): Promise<Input> {
  const chunks: Buffer[] = [];
  let readBytes = 0;
  let shown = false;
  // Leaving the loop early must not destroy the stream: the caller copies the rest through.
  for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    if (readBytes + buffer.length > maxBytes) {
      // Keep what fits, give the rest of this chunk back, and leave the stream for the caller.
      const fits = maxBytes - readBytes;
      chunks.push(buffer.subarray(0, fits));
      stream.pause();
      stream.unshift(buffer.subarray(fits));
      if (shown) process.stderr.write('\n');
      return { bytes: Buffer.concat(chunks), rest: stream };
    }
    chunks.push(buffer);
    readBytes += buffer.length;
    if (process.stderr.isTTY && readBytes >= PROGRESS_FROM_BYTES) {
      const of = totalBytes ? ` of ${megabytes(totalBytes)} (${Math.floor((readBytes / totalBytes) * 100)}%)` : '';
      process.stderr.write(`\rtokenfold: read ${megabytes(readBytes)}${of}`);
      shown = true;
    }
  }
  if (shown) process.stderr.write(`\rtokenfold: read ${megabytes(readBytes)}, compressing…\n`);
  return { bytes: Buffer.concat(chunks) };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
