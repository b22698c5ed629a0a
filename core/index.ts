export { compress, defaultBudget, documentBudget } from './compress.ts';
export { unfold } from './unfold.ts';
export { detect, type Detection } from './router.ts';
export { findMarkers, foldId, isFoldId } from './folds.ts';
export { createSqliteStore, defaultSqlitePath, defaultStore } from './store.ts';
export { estimateTokens, o200kCounter, resolveTokenCounter } from './tokens.ts';
export { TokenfoldError } from './errors.ts';
export type * from './types.ts';
export { createCompressorCache, type CachedCompress, type CompressorCacheOptions, type PerCallOptions } from './memo.ts';
export {
  runUnfoldTool,
  UNFOLD_TOOL_DESCRIPTION,
  UNFOLD_TOOL_INPUT_SCHEMA,
  UNFOLD_TOOL_NAME,
  type UnfoldToolInput,
  type UnfoldToolOptions,
} from './unfold-tool.ts';
export {
  compressesTool,
  createToolOutputCompressor,
  reporter,
  type AdapterErrorStage,
  type ToolOutputCompression,
  type ToolOutputCompressor,
  type ToolOutputOptions,
} from './tool-output.ts';
export { createRedisStore, type RedisStoreOptions } from './redis-store.ts';
export {
  compressEntry,
  LEDGER_RETENTION_MS,
  readLedger,
  recordLedger,
  settleLedger,
  summarizeLedger,
  type LedgerEntry,
  type LedgerSummary,
  type LedgerTotals,
} from './ledger.ts';
export { createSavingsTally, type NetSavings, type SavingsEvents, type SavingsTally, type UnfoldEvent } from './savings.ts';
export { providerUsage, recordUsage, usageByPolicy, usagePolicy, type PolicyUsage, type ProviderUsage, type UsagePolicy } from './usage.ts';
export * from './session/index.ts';
