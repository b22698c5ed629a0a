import type Keyv from 'keyv';
import { recordLedger } from '../ledger.ts';
import type { CachePlan } from './tracker.ts';
import type { CacheOptions } from './types.ts';

/*
 * Where a call's cache report goes: the app's `onCacheReport` listener and the savings ledger of the
 * store (a `cache-report` entry, which `tokenfold stats` reads). The report counts tokens, so it
 * is made after the request went out, while the model works on it, never on the agent's path.
 */

export interface CacheReportTargets extends Pick<CacheOptions, 'onCacheReport'> {
  /** The ledger's store; none, no ledger entry. */
  store?: Keyv;
  namespace?: string;
  /** Who recorded the entry: 'ai', 'langchain', 'mastra'. */
  source: string;
  /** Told when a report could not be made (the tokenizer failed to load). */
  onError: (error: unknown) => void;
}

/**
 * Whether anything wants reports, and a function that sends one plan's report to every target,
 * soon after the current call returns. Never throws.
 *
 * @example
 * const { wanted, send } = cacheReporter({ onCacheReport, store, namespace, source: 'ai', onError });
 * const plan = tracker.plan(view);
 * if (wanted) send(plan);
 */
export function cacheReporter(targets: CacheReportTargets): { wanted: boolean; send: (plan: CachePlan) => void } {
  const { onCacheReport, store, namespace, source, onError } = targets;
  const deliver = (plan: CachePlan) =>
    plan.report().then((report) => {
      try {
        onCacheReport?.(report);
      } catch {
        // A failing listener must not break the agent loop.
      }
      if (!store) return;
      void recordLedger(store, {
        type: 'cache-report',
        at: Date.now(),
        ...(namespace !== undefined ? { namespace } : {}),
        source,
        // The report goes in `detail` only: the ledger's token fields are compressions' and the
        // provider's own usage, which a report must not be counted as.
        detail: { ...report },
      });
    }, onError);
  return {
    wanted: onCacheReport !== undefined || store !== undefined,
    send: (plan) => {
      setTimeout(() => void deliver(plan), 0);
    },
  };
}
