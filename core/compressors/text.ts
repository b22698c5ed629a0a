import type { Compressor } from '../types.ts';

/** Placeholder until the text compressor lands: passes through. */
export const compressText: Compressor = () => undefined;
