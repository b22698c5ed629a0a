import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';

// Progress shows only for inputs this large, and only when standard error is a terminal.
const PROGRESS_FROM_BYTES = 8 * 1024 * 1024;

/**
 * Reads a file, or standard input for `-`, as bytes (`compress` decodes them strictly, so invalid
 * UTF-8 is reported as binary instead of being silently replaced).
 */
export async function readInput(file: string): Promise<Uint8Array> {
  if (file === '-') {
    if (process.stdin.isTTY) throw Object.assign(new Error('no input: pass a FILE, or pipe text into standard input'), { code: 'ENOENT' });
    return readAll(process.stdin, undefined);
  }
  const { size } = await stat(file);
  return readAll(createReadStream(file), size);
}

async function readAll(stream: Readable, totalBytes: number | undefined): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let readBytes = 0;
  let shown = false;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buffer);
    readBytes += buffer.length;
    if (process.stderr.isTTY && readBytes >= PROGRESS_FROM_BYTES) {
      const of = totalBytes ? ` of ${megabytes(totalBytes)} (${Math.floor((readBytes / totalBytes) * 100)}%)` : '';
      process.stderr.write(`\rtokenfold: read ${megabytes(readBytes)}${of}`);
      shown = true;
    }
  }
  if (shown) process.stderr.write(`\rtokenfold: read ${megabytes(readBytes)}, compressing…\n`);
  return Buffer.concat(chunks);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
