import { inflateSync } from 'node:zlib';

/*
 * Reads the pixels of an 8-bit RGB or RGBA PNG, such as a headless Chromium screenshot, so that a
 * test can check what the browser painted. Only what screenshots use: no palette, no interlace.
 */

/** Decoded pixels, row by row, `channels` bytes each. */
export interface Png {
  width: number;
  height: number;
  channels: 3 | 4;
  pixels: Uint8Array;
}

/**
 * Decodes a PNG file's bytes.
 *
 * @example
 * const { width, pixels } = readPng(readFileSync('shot.png'));
 */
export function readPng(file: Uint8Array): Png {
  const bytes = Buffer.from(file);
  if (bytes.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels: 3 | 4 = 4;
  const data: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, color, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      if (depth !== 8 || (color !== 2 && color !== 6) || interlace !== 0) throw new Error(`unsupported PNG (depth ${depth}, colour type ${color})`);
      channels = color === 2 ? 3 : 4;
    }
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  return { width, height, channels, pixels: unfilter(inflateSync(Buffer.concat(data)), width, height, channels) };
}

/**
 * How many pixels are within `tolerance` of a `#rrggbb` colour in each channel.
 *
 * @example
 * countColor(readPng(shot), '#2f6fdf'); // 5120
 */
export function countColor(png: Png, hex: string, tolerance = 12): number {
  const target = [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
  let count = 0;
  for (let at = 0; at < png.pixels.length; at += png.channels) {
    if (target.every((value, channel) => Math.abs(png.pixels[at + channel]! - value) <= tolerance)) count += 1;
  }
  return count;
}

function unfilter(raw: Buffer, width: number, height: number, channels: number): Uint8Array {
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let row = 0; row < height; row += 1) {
    const filter = raw[row * (stride + 1)]!;
    const line = raw.subarray(row * (stride + 1) + 1, (row + 1) * (stride + 1));
    const out = row * stride;
    for (let at = 0; at < stride; at += 1) {
      const left = at >= channels ? pixels[out + at - channels]! : 0;
      const up = row > 0 ? pixels[out - stride + at]! : 0;
      const upLeft = row > 0 && at >= channels ? pixels[out - stride + at - channels]! : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter]!;
      pixels[out + at] = (line[at]! + predictor) & 0xff;
    }
  }
  return pixels;
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const [toLeft, toUp, toUpLeft] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}
