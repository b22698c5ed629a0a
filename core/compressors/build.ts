import type { Compressor } from '../types.ts';

/** Placeholder until the build compressor lands: passes through. */
export const compressBuild: Compressor = () => undefined;
