import type { Compressor } from '../types.ts';

/** Placeholder until the search compressor lands: passes through. */
export const compressSearch: Compressor = () => undefined;
