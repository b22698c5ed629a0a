export { compress } from './compress.ts';
export { unfold } from './unfold.ts';
export { detect, type Detection } from './router.ts';
export { findMarkers, foldId, isFoldId } from './folds.ts';
export { createSqliteStore, defaultSqlitePath, defaultStore } from './store.ts';
export { estimateTokens, o200kCounter, resolveTokenCounter } from './tokens.ts';
export { TokenfoldError } from './errors.ts';
export type * from './types.ts';
