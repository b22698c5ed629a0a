/*
 * What a binary input is, for the message that replaces it. Text with invalid UTF-8 (a latin1
 * log) is not binary: it passes through byte for byte. Binary is what no model should read as
 * text: a NUL byte near the start, or the signature of a known format.
 */

const SIGNATURES: ReadonlyArray<[bytes: number[], what: string]> = [
  [[0x7f, 0x45, 0x4c, 0x46], 'an ELF executable or library'],
  [[0x4d, 0x5a], 'a Windows executable (PE)'],
  [[0xcf, 0xfa, 0xed, 0xfe], 'a Mach-O executable'],
  [[0xfe, 0xed, 0xfa, 0xcf], 'a Mach-O executable'],
  [[0xca, 0xfe, 0xba, 0xbe], 'a Mach-O universal binary or Java class'],
  [[0x00, 0x61, 0x73, 0x6d], 'a WebAssembly module'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive (or a jar, docx, xlsx)'],
  [[0x1f, 0x8b], 'a gzip archive'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'a zstd archive'],
  [[0x42, 0x5a, 0x68], 'a bzip2 archive'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'an xz archive'],
  [[0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66], 'an SQLite database'],
];

// A NUL this early means binary: text formats, UTF-8 or legacy, never contain one.
const NUL_SCAN_BYTES = 8192;

/**
 * A short description of `bytes` when they are binary (`an ELF executable or library, 231 KB`),
 * or `undefined` when they may be text.
 *
 * @example
 * describeBinary(readFileSync('/usr/bin/ls')); // 'an ELF executable or library, 138 KB'
 */
export function describeBinary(bytes: Uint8Array): string | undefined {
  const size = sizeText(bytes.length);
  const head = bytes.subarray(0, NUL_SCAN_BYTES);
  const hasNul = head.includes(0);
  for (const [signature, what] of SIGNATURES) {
    if (!signature.every((byte, index) => bytes[index] === byte)) continue;
    // `MZ-1234 shipped`, `BZh…`, `SQLite format` can start a line of text: a signature of
    // printable characters only counts with a NUL behind it, as every such binary has.
    if (signature.every(isPrintable) && !hasNul) continue;
    return `${what}, ${size}`;
  }
  // UTF-16 text has NULs too, but a model should not read it as bytes either.
  return hasNul ? `binary data, ${size}` : undefined;
}

const isPrintable = (byte: number): boolean => byte >= 0x20 && byte < 0x7f;

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
