export { createSession, type PreparedOutput, type Session, type SessionOptions, type SessionOutput } from './session.ts';
export { describeCall, sameFile, type CallSubject } from './subject.ts';
export { contentHash, findRepeat, unifiedDiff, type EarlierOutput, type Repeat } from './duplicates.ts';
export {
  foldCandidates,
  historyFolds,
  worthRewriting,
  type CachePricing,
  type FoldReason,
  type HistoryEntry,
  type HistoryFold,
  type HistoryOptions,
  type HistoryPolicy,
} from './history.ts';
export { addStats, learnedBudget, loadStats, statsKey, type LearnedStats, type ToolKindStats } from './learning.ts';
export { evidenceLines } from './render.ts';
