import type { Compressor } from '../types.ts';

/** Placeholder until the logs compressor lands: passes through. */
export const compressLogs: Compressor = () => undefined;
