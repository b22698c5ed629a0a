import type Keyv from 'keyv';
import { defaultBudget } from '../compress.ts';

/*
 * Learning from unfolds. For each tool and kind of output (`bash` / `log`), the session counts the
 * outputs it sent, the folds it made of them, how many of those the model unfolded and how much it
 * read back. New outputs of a tool whose folds are often unfolded and read back get a looser
 * budget (the model needed what was folded); a tool and kind whose unfolds read back little or
 * nothing get a tighter one (what was folded was not needed). Outputs already sent never change:
 * a budget applies to new outputs.
 *
 * What decides is the share read back, not the count of unfolds: an unfold that greps one line out
 * of a folded file view costs a few tokens and a round trip, while the fold saved the rest of the
 * view on this call and every later one. With cache-aware prices (a token written at 1.25x once,
 * read at 0.1x on each later call) a fold of F tokens saves about F·(1.25 + 0.1·R) over R later
 * calls and an unfold that reads back A tokens costs about A·(1.25 + 0.1·R) plus one call's cache
 * read of the prompt; so a kind is tightened while its unfolds read back under an eighth of what
 * was folded (the share its tight budget keeps visible anyway), whatever their count.
 *
 * The counts persist in the store under the namespace (`tokenfold-learn:<namespace>`), so every
 * conversation, and every agent sharing the namespace, learns from all of them. Writes add the
 * new counts to what is stored, so agents writing at once lose little.
 */

/** Counts for one tool and kind. */
export interface ToolKindStats {
  /** Outputs sent. */
  outputs: number;
  /** Folds made of them (by compression or by the session). */
  folds: number;
  /** Unfold calls on those folds. */
  unfolds: number;
  /** Characters folded, and characters the unfolds returned. */
  foldedChars: number;
  returnedChars: number;
}

/** Counts per `tool/kind`. */
export type LearnedStats = Record<string, ToolKindStats>;

// Outputs needed before the counts say anything.
const MIN_OUTPUTS = 4;
// An unfold on this share of the folds or more is "often".
const OFTEN = 0.2;
// The tight budget's share of an output; a kind whose unfolds read back less than this share of
// what was folded gets it.
const TIGHT = 1 / 8;

/** The key of a tool and kind in `LearnedStats`. */
export function statsKey(tool: string, kind: string): string {
  return `${tool}/${kind}`;
}

/**
 * The budget for a new output of `tokens` tokens, given what was learned about its tool and kind;
 * `undefined` leaves compress's default (a quarter of the output, lossless for small outputs).
 * After a few outputs: unfolds read back under an eighth of what was folded (or none): an eighth
 * of the output (half the default, and small outputs are no longer kept whole). Unfolded on a
 * fifth of the folds or more, reading back more: the default times one plus four times the share
 * read back (1.5 to 5 times the default). Anything between: the default.
 *
 * @example
 * learnedBudget({ outputs: 9, folds: 6, unfolds: 0, foldedChars: 9000, returnedChars: 0 }, 1200); // 150
 * learnedBudget({ outputs: 9, folds: 6, unfolds: 3, foldedChars: 9000, returnedChars: 200 }, 1200); // 150: greps of a line or two
 */
export function learnedBudget(stats: ToolKindStats | undefined, tokens: number): number | undefined {
  if (!stats || stats.outputs < MIN_OUTPUTS) return undefined;
  const readBack = readBackShare(stats);
  // Half of a quarter, without the default's floor of 256: small outputs of this kind fold too.
  if (readBack < TIGHT) return Math.max(32, Math.round(tokens * TIGHT));
  if (stats.folds > 0 && stats.unfolds / stats.folds >= OFTEN) return Math.round(defaultBudget(tokens) * (1 + 4 * readBack));
  return undefined;
}

// The share of the folded characters that unfolds read back, 0 to 1 (1 when unfolds read folds it did not count).
function readBackShare(stats: ToolKindStats): number {
  if (stats.returnedChars === 0) return 0;
  return stats.foldedChars > 0 ? Math.min(1, stats.returnedChars / stats.foldedChars) : 1;
}

/** The store key of a namespace's counts. */
export function learnKey(namespace: string | undefined): string {
  return `tokenfold-learn:${encodeURIComponent(namespace ?? '')}`;
}

/** Reads a namespace's counts; empty when there are none or the store fails (learning is optional). */
export async function loadStats(store: Keyv, namespace: string | undefined): Promise<LearnedStats> {
  try {
    const stored = (await store.get(learnKey(namespace))) as LearnedStats | undefined;
    return stored && typeof stored === 'object' ? structuredClone(stored) : {};
  } catch {
    return {};
  }
}

/**
 * Adds `delta` to the stored counts and resolves to the merged counts. Re-reads first, so that
 * counts another agent wrote meanwhile are kept. Throws when the store does.
 */
export async function addStats(store: Keyv, namespace: string | undefined, delta: LearnedStats): Promise<LearnedStats> {
  const stored = (await store.get(learnKey(namespace))) as LearnedStats | undefined;
  const merged: LearnedStats = stored && typeof stored === 'object' ? structuredClone(stored) : {};
  for (const [key, counts] of Object.entries(delta)) {
    const into = (merged[key] ??= emptyStats());
    for (const field of Object.keys(counts) as Array<keyof ToolKindStats>) into[field] += counts[field];
  }
  await store.set(learnKey(namespace), merged);
  return merged;
}

export function emptyStats(): ToolKindStats {
  return { outputs: 0, folds: 0, unfolds: 0, foldedChars: 0, returnedChars: 0 };
}
