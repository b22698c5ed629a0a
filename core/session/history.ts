import { sameFile, type CallSubject } from './subject.ts';

/*
 * Which earlier outputs to fold to a one-line summary, and when. Pure: a function of the outputs
 * in the history, their sizes and the step the conversation is at.
 *
 * An output becomes a candidate when it is
 * - superseded: the same command ran again later (`npm test` twice: the first run is history);
 * - stale: its file was edited later (a read, or an earlier edit's view, of a file since changed);
 * - aged: more than `ageAfter` steps old;
 * - over the ceiling: the tool outputs in the history hold more than `maxTokens`, oldest first.
 *
 * Folding one rewrites history, and a provider's prompt cache only reuses an unchanged prefix, so
 * every message from the first rewritten one to the end is written to the cache again. The policy:
 * - `keep` never rewrites (sent bytes never change);
 * - `always` folds every candidate at every step;
 * - `batch` looks at most once every `rewriteEvery` steps, and folds only when the saving pays for
 *   the cache write. With a read price r and a write price w per input token (relative to the
 *   base price: r = 0.1, w = 1.25 for Anthropic), let B be the tokens from the first rewritten
 *   output to the end of what the previous call sent (after folding; what arrived since is written
 *   anyway). Folding S tokens then costs (w - r)·B once, on this call (those tokens are written
 *   instead of read), and saves r·S on this call and on each of the R calls still to come. So it
 *   folds when r·S·(R + 1) > (w - r)·B. R is taken to be the steps so far (a session that ran 12
 *   steps is expected to run about 12 more) unless `expectedSteps` says. The rewrite point is
 *   chosen to maximise r·S·(R + 1) - (w - r)·B: a later start rewrites less.
 *
 *   B assumes the provider reads the prefix up to the first rewritten output. Automatic prefix
 *   caches (OpenAI, Gemini) do; Anthropic reads only up to a cache breakpoint, so there the
 *   adapters' `cacheBreakpoints` puts one right before the first changed message of a call
 *   (core/cache/breakpoints.ts). Without it, an app's own breakpoints decide, and a rewrite can
 *   cost up to everything after the system prompt.
 */

export type HistoryPolicy = 'keep' | 'batch' | 'always';

/** Why an output was folded by the history policy. */
export type FoldReason = 'superseded' | 'stale' | 'aged' | 'ceiling';

/** Prices per input token, relative to the base input price. */
export interface CachePricing {
  /** A token read from the provider's prompt cache. Default 0.1. */
  cacheRead: number;
  /** A token written to the provider's prompt cache. Default 1.25. */
  cacheWrite: number;
}

export interface HistoryOptions {
  history: HistoryPolicy;
  /** `batch`: look at most once every this many steps. */
  rewriteEvery: number;
  /** Outputs older than this many steps are candidates. */
  ageAfter: number;
  /** Tool-output tokens the history may hold; beyond it the oldest are candidates. */
  maxTokens?: number;
  /** Steps expected after the current one; default: as many as so far. */
  expectedSteps?: number;
  pricing: CachePricing;
}

/** One tool output in the history, as the policy sees it. */
export interface HistoryEntry {
  id: string;
  /** The model step after which it arrived (the count of assistant turns before it). */
  step: number;
  subject: CallSubject;
  /** Tokens it is sent with now (as it arrived). */
  tokens: number;
  /** Tokens of its one-line summary and marker. */
  foldedTokens: number;
  /** Tokens of the other messages between the previous output and this one (an estimate is fine). */
  between: number;
}

/** A fold the policy decided, and at which step. */
export interface HistoryFold {
  reason: FoldReason;
  /** The step at whose model call it was first folded. */
  step: number;
}

/**
 * The outputs folded at step `now`: every candidate folded at a check-point up to `now`. Each
 * check-point only looks at outputs that existed then, so the answer for an earlier step never
 * changes, and the same history always gives the same folds (the sent bytes are stable).
 *
 * @example
 * const folded = historyFolds(entries, 24, { history: 'batch', rewriteEvery: 8, ageAfter: 10, pricing });
 * folded.get('call_3'); // { reason: 'stale', step: 16 }
 */
export function historyFolds(entries: readonly HistoryEntry[], now: number, options: HistoryOptions): Map<string, HistoryFold> {
  const folded = new Map<string, HistoryFold>();
  if (options.history === 'keep') return folded;
  const every = options.history === 'always' ? 1 : Math.max(1, Math.floor(options.rewriteEvery));
  for (let checkpoint = every; checkpoint <= now; checkpoint += every) {
    const visible = entries.filter((entry) => entry.step < checkpoint);
    const candidates = foldCandidates(visible, checkpoint, options, folded);
    if (candidates.size === 0) continue;
    const chosen = options.history === 'always' ? [...candidates.keys()] : worthRewriting(visible, candidates, checkpoint, options, folded);
    for (const id of chosen) folded.set(id, { reason: candidates.get(id)!, step: checkpoint });
  }
  return folded;
}

/** Outputs that may be folded at step `now`, with why; outputs already folded are left out. */
export function foldCandidates(
  entries: readonly HistoryEntry[],
  now: number,
  options: Pick<HistoryOptions, 'ageAfter' | 'maxTokens'>,
  folded: ReadonlyMap<string, HistoryFold> = new Map(),
): Map<string, FoldReason> {
  const candidates = new Map<string, FoldReason>();
  entries.forEach((entry, index) => {
    if (folded.has(entry.id) || entry.foldedTokens >= entry.tokens || entry.step >= now - 1) return;
    const reason = supersededBy(entry, entries.slice(index + 1)) ?? (now - entry.step > options.ageAfter ? 'aged' : undefined);
    if (reason) candidates.set(entry.id, reason);
  });
  if (options.maxTokens !== undefined) {
    let total = entries.reduce((sum, entry) => sum + (folded.has(entry.id) || candidates.has(entry.id) ? entry.foldedTokens : entry.tokens), 0);
    for (const entry of entries) {
      if (total <= options.maxTokens) break;
      if (folded.has(entry.id) || candidates.has(entry.id) || entry.foldedTokens >= entry.tokens || entry.step >= now - 1) continue;
      candidates.set(entry.id, 'ceiling');
      total -= entry.tokens - entry.foldedTokens;
    }
  }
  return candidates;
}

function supersededBy(entry: HistoryEntry, later: readonly HistoryEntry[]): FoldReason | undefined {
  const file = entry.subject.file;
  for (const next of later) {
    if (next.subject.command === entry.subject.command) return 'superseded';
    if (file && next.subject.edits && next.subject.file && sameFile(file, next.subject.file)) return 'stale';
  }
  return undefined;
}

/**
 * `batch`: the candidates worth folding now, by the arithmetic in the header: the rewrite point
 * (the first rewritten output) that maximises r·S·(R + 1) - (w - r)·B, or none when no point gains.
 */
export function worthRewriting(
  entries: readonly HistoryEntry[],
  candidates: ReadonlyMap<string, FoldReason>,
  now: number,
  options: Pick<HistoryOptions, 'pricing' | 'expectedSteps' | 'maxTokens'>,
  folded: ReadonlyMap<string, HistoryFold> = new Map(),
): string[] {
  const { cacheRead, cacheWrite } = options.pricing;
  const remaining = options.expectedSteps ?? now;
  // Suffix sums, from the end: B, the tokens from entry i to the end of the previous call's
  // prompt after folding, and S, the tokens folding saves from entry i on.
  let after = 0;
  let saved = 0;
  let best = { gain: 0, from: -1 };
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index]!;
    // An output that arrived since the previous call (after the step-th assistant turn), and the
    // turn before it, are new to the cache: written whether or not history changes.
    const arrivedNow = entry.step >= now;
    const foldsNow = folded.has(entry.id) || candidates.has(entry.id);
    if (!arrivedNow) after += foldsNow ? entry.foldedTokens : entry.tokens;
    if (candidates.has(entry.id)) {
      saved += entry.tokens - entry.foldedTokens;
      const gain = cacheRead * saved * (remaining + 1) - (cacheWrite - cacheRead) * after;
      if (gain > best.gain) best = { gain, from: index };
    }
    // The messages before this output are rewritten only from an earlier rewrite point.
    if (!arrivedNow) after += entry.between;
  }
  // A ceiling is a limit, not an offer: its folds happen at the check-point whatever they cost.
  const forced = [...candidates].filter(([, reason]) => reason === 'ceiling').map(([id]) => id);
  const chosen = best.from === -1 ? [] : entries.slice(best.from).filter((entry) => candidates.has(entry.id)).map((entry) => entry.id);
  return [...new Set([...forced, ...chosen])];
}
