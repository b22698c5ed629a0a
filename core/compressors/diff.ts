import type { Compressor } from '../types.ts';

/** Placeholder until the diff compressor lands: passes through. */
export const compressDiff: Compressor = () => undefined;
