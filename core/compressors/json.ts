import type { Compressor } from '../types.ts';

/** Placeholder until the json compressor lands: passes through. */
export const compressJson: Compressor = () => undefined;
