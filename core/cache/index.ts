/*
 * Prompt-cache alignment: volatile-part detection, alignment, breakpoints and reports, as pure
 * functions over a framework-neutral view of a request (see types.ts). Adapters wire it in.
 */
export { createCacheTracker, type CachePlan, type CacheTracker } from './tracker.ts';
export { ANTHROPIC_PRICES, chooseTtl, placeBreakpoints, type TtlChoice } from './breakpoints.ts';
export { mask, type Masked, type MaskedSpan } from './volatile.ts';
export { NOTE_HEADING } from './align.ts';
export { cacheReporter, type CacheReportTargets } from './emit.ts';
export { formatCacheSummary, summarizeCacheReports, type CacheMissCause, type NamespaceCacheSummary } from './summary.ts';
export type * from './types.ts';
