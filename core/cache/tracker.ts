import { createHash } from 'node:crypto';
import { resolveTokenCounter } from '../tokens.ts';
import { alignedView, alignPrefix, type Alignment } from './align.ts';
import { chooseTtl, placeBreakpoints } from './breakpoints.ts';
import { detectChanges, VolatileMemory, type PrefixSnapshot } from './detect.ts';
import { describeFirstChange, estimateOf, sharedPrefix, sharedTokens, toBlocks, tokensOf, type Block } from './prefix.ts';
import type { CacheChange, CacheReport, CacheTrackerOptions, CacheTtl, CacheView } from './types.ts';

/*
 * One tracker per adapter instance: it sees every model call, remembers the last request of each
 * conversation (an LRU, so memory stays bounded however many conversations go through), and for
 * each call returns what to send (the plan) and, on demand, what the call did to the cache (the
 * report). The plan is string work only; the report counts tokens and is meant to be computed
 * off the hot path, while the model works.
 *
 * A conversation is the namespace plus a hash of its first user message: each new conversation of
 * a namespace shared by many (a tenant) is tracked on its own, and a namespace per conversation
 * gives the same key on every call. The app's own prefix (system prompt, tools) is compared per
 * namespace, so an app whose system prompt carries the time is caught from its second request,
 * even when every request is a new conversation.
 */

/** What to send for one call, and how to learn what it did to the cache. */
export interface CachePlan {
  /** System parts to send instead of the app's (volatile spans replaced by placeholders). */
  system?: string[];
  /** Indices of the app's tools in the order to send them. */
  toolOrder?: number[];
  /** Tool descriptions to send instead, by index of the app's tools. */
  descriptions?: Map<number, string>;
  /** Text to append as the last user turn (after every message the app sent). */
  note?: string;
  /** Where to set cache breakpoints: on the last system part, and on these messages (app's indices). */
  breakpoints: { system: boolean; messages: number[] };
  ttl: CacheTtl;
  /** The report of this call. Counts tokens: call it after the request went out. Rejects only when the tokenizer cannot load. */
  report(): Promise<CacheReport>;
}

export interface CacheTracker {
  /**
   * Plans one call. `existingBreakpoints` are the ones the app set itself (they count against the
   * provider's four); `breakpoints` overrides the tracker's choice for this call (a model that
   * takes no cache markers). Throws only on a bug; adapters send the app's request unchanged then.
   */
  plan(view: CacheView, context?: { namespace?: string; existingBreakpoints?: number; breakpoints?: boolean }): CachePlan;
}

interface Conversation {
  /** The last request as sent, without its context note (the next call is not meant to repeat it). */
  blocks: Block[];
  calls: number;
  lastAt: number;
  /** Recent gaps between calls and tokens added per call (estimates), for the TTL choice. */
  gaps: number[];
  added: number[];
}

const RECENT = 16;

/**
 * Creates the tracker an adapter keeps for its lifetime.
 *
 * @example
 * const tracker = createCacheTracker({ align: true });
 * const plan = tracker.plan(view, { namespace });
 * // …apply plan.system, plan.toolOrder, plan.note, plan.breakpoints to the request, send it…
 * plan.report().then((report) => console.log(report.stablePrefixTokens, report.firstChange?.example));
 */
export function createCacheTracker(options: CacheTrackerOptions = {}): CacheTracker {
  const align = options.align === true;
  const breakpoints = options.breakpoints ?? align;
  const limit = Math.max(1, options.maxConversations ?? 256);
  const minTokens = options.minCacheableTokens ?? 1024;
  const maxBreakpoints = options.maxBreakpoints ?? 4;
  const now = options.now ?? (() => Date.now());
  const counter = resolveTokenCounter(options.tokenizer);
  counter.catch(() => {}); // an unknown tokenizer fails each report, not the process
  const memory = new VolatileMemory();
  const namespaces = new Map<string, PrefixSnapshot>();
  const conversations = new Map<string, Conversation>();

  return {
    plan(view, context = {}) {
      const at = now();
      const namespace = context.namespace ?? '';
      const { changes, snapshot } = detectChanges(recall(namespaces, namespace), view, memory);
      remember(namespaces, namespace, snapshot, limit);

      let alignment: Alignment = { moved: [] };
      if (align) {
        alignment = alignPrefix(view, snapshot.masks, memory, { descriptions: options.descriptions });
        // A note can only follow a user turn; after an assistant message (a prefill) values stay put.
        if (alignment.note && view.messages.at(-1)?.role === 'assistant') alignment = { toolOrder: alignment.toolOrder, moved: [] };
      }
      const sent = alignedView(view, alignment);
      const key = conversationKey(namespace, view);
      const previous = recall(conversations, key);
      const blocks = toBlocks(sent, previous?.blocks);
      const stableEnd = blocks.length - (alignment.note ? 2 : 1);
      const shared = sharedPrefix(previous?.blocks ?? [], blocks);

      const gapsMs = previous ? [...previous.gaps, at - previous.lastAt].slice(-RECENT) : [];
      let sharedEstimate = 0;
      for (let index = 0; index < shared.blocks; index++) sharedEstimate += estimateOf(blocks[index]!);
      let stableEstimate = 0;
      for (let index = 0; index <= stableEnd; index++) stableEstimate += estimateOf(blocks[index]!);
      const added = previous ? [...previous.added, stableEstimate - sharedEstimate].slice(-RECENT) : [];
      const averageAdded = added.length > 0 ? added.reduce((sum, value) => sum + value, 0) / added.length : stableEstimate;
      // The next call reads what this one caches (the stable part) and writes what it adds.
      const { ttl } = chooseTtl({ gapsMs, prefixTokens: stableEstimate, addedTokens: averageAdded });

      const chosen = (context.breakpoints ?? breakpoints)
        ? placeBreakpoints(blocks, {
            stableEnd,
            available: maxBreakpoints - (context.existingBreakpoints ?? 0),
            minTokens,
            // History rewritten (or anything else changed before the end): read up to the change.
            ...(previous && !shared.continuation ? { lastUnchanged: shared.blocks - 1 } : {}),
          })
        : [];
      const firstMessage = sent.tools.length + sent.system.length;
      const plan = {
        system: chosen.some((index) => blocks[index]!.section === 'system'),
        messages: chosen.filter((index) => index >= firstMessage).map((index) => index - firstMessage),
      };

      const conversation: Conversation = {
        blocks: blocks.slice(0, stableEnd + 1),
        calls: (previous?.calls ?? 0) + 1,
        lastAt: at,
        gaps: gapsMs,
        added,
      };
      remember(conversations, key, conversation, limit);

      let report: Promise<CacheReport> | undefined;
      return {
        ...(alignment.system ? { system: alignment.system } : {}),
        ...(alignment.toolOrder ? { toolOrder: alignment.toolOrder } : {}),
        ...(alignment.descriptions ? { descriptions: alignment.descriptions } : {}),
        ...(alignment.note ? { note: alignment.note } : {}),
        breakpoints: plan,
        ttl,
        report: () =>
          (report ??= counter.then((tokenCounter) => {
            const moved = new Set(alignment.moved.map((span) => `${span.where}:${span.start}`));
            return {
              conversation: key,
              ...(context.namespace !== undefined ? { namespace: context.namespace } : {}),
              call: conversation.calls,
              tokens: blocks.reduce((sum, block) => sum + tokensOf(block, tokenCounter), 0),
              stablePrefixTokens: previous ? sharedTokens(shared, blocks, tokenCounter) : 0,
              ...optional('firstChange', previous && startOfAlignment(describeFirstChange(previous.blocks, blocks, shared))),
              volatile: changes.map((change) => (moved.has(`${change.where}:${change.start}`) ? { ...change, moved: true } : change)),
              moved: alignment.moved.length,
              breakpoints: chosen.length,
              ...(chosen.length > 0 ? { ttl } : {}),
              ...(previous ? { gapMs: at - previous.lastAt } : {}),
            };
          })),
      };
    },
  };
}

// The call where alignment starts moving a value differs from the one before at that value: name
// the change by the value's kind (it is what broke the prefix), not as a change in words.
function startOfAlignment(change: CacheChange | undefined): CacheChange | undefined {
  const placeholder = change && (change.kind === 'text-changed' || change.kind === 'description-changed') ? /^\[([a-z-]+)-\d+\]/.exec(change.after) : null;
  const kind = placeholder?.[1] as CacheChange['kind'] | undefined;
  return kind && VOLATILE_KINDS.has(kind) ? { ...change!, kind, moved: true } : change;
}

const VOLATILE_KINDS = new Set<CacheChange['kind']>(['timestamp', 'date', 'uuid', 'request-id', 'counter']);

/** The conversation a request belongs to: its namespace and its first user message. */
function conversationKey(namespace: string, view: CacheView): string {
  const first = view.messages.find((message) => message.role === 'user')?.text ?? '';
  return createHash('sha256').update(namespace).update('\u0000').update(first).digest('base64url').slice(0, 16);
}

function recall<Value>(entries: Map<string, Value>, key: string): Value | undefined {
  const value = entries.get(key);
  if (value !== undefined) {
    entries.delete(key);
    entries.set(key, value);
  }
  return value;
}

function remember<Value>(entries: Map<string, Value>, key: string, value: Value, limit: number): void {
  entries.delete(key);
  entries.set(key, value);
  if (entries.size > limit) entries.delete(entries.keys().next().value!);
}

function optional<Key extends string, Value>(key: Key, value: Value | undefined): { [K in Key]?: Value } {
  return (value === undefined ? {} : { [key]: value }) as { [K in Key]?: Value };
}
