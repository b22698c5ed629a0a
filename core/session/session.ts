import type Keyv from 'keyv';
import { findMarkers, foldId, parseFoldId } from '../folds.ts';
import { recordLedger, type LedgerEntry } from '../ledger.ts';
import { detect } from '../router.ts';
import { defaultStore, writeFolds } from '../store.ts';
import { estimateTokens, resolveTokenCounter } from '../tokens.ts';
import { compressesTool, reporter, type ToolOutputCompressor, type ToolOutputOptions } from '../tool-output.ts';
import type { CompressResult, TokenCounter } from '../types.ts';
import { UNFOLD_TOOL_NAME } from '../unfold-tool.ts';
import { contentHash, findRepeat, type EarlierOutput } from './duplicates.ts';
import { historyFolds, type CachePricing, type FoldReason, type HistoryEntry, type HistoryPolicy } from './history.ts';
import { addStats, emptyStats, learnedBudget, loadStats, statsKey, type LearnedStats } from './learning.ts';
import { diffText, duplicateText, historyText, lineCount } from './render.ts';
import { describeCall, type CallSubject } from './subject.ts';

/*
 * The conversation as a whole. An adapter hands the session the tool outputs of its history, in
 * order, before each model call (or as each output arrives); the session answers with the text to
 * send for each. Per output, once, when it first appears:
 * - an exact repeat of an earlier output becomes a reference to it (duplicates.ts);
 * - a re-read of a file becomes a diff against the earlier copy, when that is smaller;
 * - anything else is compressed as before, with a budget learned from unfolds (learning.ts).
 * Then, per the history policy (history.ts), superseded, stale, old or over-budget outputs are
 * folded to a one-line summary and marker (render.ts). Every such text starts with a marker
 * whose fold holds the whole output, written to the store before the text is returned.
 *
 * What was sent for an output is remembered by its tool call id, so every later step sends the
 * same bytes until the policy folds it; the folds of a step depend only on the history up to it.
 */

/** The session features, as every adapter takes them under `session`. */
export interface SessionOptions {
  /**
   * Folding earlier outputs rewrites history, which costs a prompt-cache write: `keep` (default)
   * never changes sent bytes; `batch` rewrites at most once every `rewriteEvery` steps, when the
   * saving over the steps to come pays for the cache write; `always` folds at every step.
   */
  history?: HistoryPolicy;
  /** `batch`: steps between two looks at the history. Default 8. */
  rewriteEvery?: number;
  /** Outputs older than this many steps may be folded. Default 10. */
  ageAfter?: number;
  /** Tool-output tokens the history may hold before the oldest are folded. Default: no ceiling. */
  maxHistoryTokens?: number;
  /** `batch`: steps expected after the current one. Default: as many as so far. */
  expectedSteps?: number;
  /** Cache prices relative to the base input price. Default `{ cacheRead: 0.1, cacheWrite: 1.25 }`. */
  pricing?: Partial<CachePricing>;
  /** Send repeats as references and re-reads as diffs. Default true. */
  duplicates?: boolean;
  /** Learn budgets from unfolds, per tool and kind, kept in the store. Default true. */
  learn?: boolean;
}

/** One tool output of the history, as the adapter found it. */
export interface SessionOutput {
  /** The tool call id. */
  id: string;
  tool: string;
  /** The tool call's input (arguments). */
  input: unknown;
  /** The output as the history holds it: the tool's text, or what the session sent for it. */
  text: string;
  /** The model step after which it arrived: the count of assistant messages before it. */
  step: number;
  /** What the agent is after (the last user message before it). */
  query?: string;
  /** Tokens of the other messages since the previous output (an estimate is fine). */
  between?: number;
}

/** What to send for one output. */
export interface PreparedOutput {
  text: string;
  /** Whether `text` differs from the output's `text` as given. */
  changed: boolean;
  how: 'as-is' | 'compressed' | 'duplicate' | 'diff' | 'history';
  /** Fold ids whose markers `text` holds. */
  folds: string[];
  /** The compression, when the output was compressed on arrival. */
  result?: CompressResult;
  /** Whether the output was seen before this call. */
  cached: boolean;
}

export interface Session {
  /**
   * The text to send for each output, by tool call id. With `arrivals`, only those ids are new
   * (adapters that store what they sent: the other outputs' text is what was sent); without it,
   * every id not seen before is new. Never rejects: a failure sends the output as it is.
   * History folds are decided only on calls that prepare a model call (`arrivals` absent or
   * empty): a call with arrivals answers for them alone and leaves the history as it is.
   */
  prepare(outputs: readonly SessionOutput[], context: { step: number; arrivals?: ReadonlySet<string> }): Promise<Map<string, PreparedOutput>>;
}

interface Known extends EarlierOutput {
  tool: string;
  input: unknown;
  sent: string;
  sentTokens: number;
  how: PreparedOutput['how'];
  result?: CompressResult;
  folds: string[];
  statsKey: string;
  /** Tokens of its history fold, once computed. */
  foldedTokens?: number;
  history?: { reason: FoldReason; text: string };
}

const DEFAULTS = { rewriteEvery: 8, ageAfter: 10, pricing: { cacheRead: 0.1, cacheWrite: 1.25 } };

/**
 * Creates the session of one adapter instance. `compressOutput` is the adapter's memoized
 * compressor; `environment` its options (store, namespace, ttl, tokenizer, tools, ledger...).
 *
 * @example
 * const session = createSession({ history: 'batch' }, compressOutput, { store, namespace });
 * const sent = await session.prepare(outputs, { step: 12 });
 * sent.get('call_3')?.text;
 */
export function createSession(options: SessionOptions, compressOutput: ToolOutputCompressor, environment: ToolOutputOptions = {}): Session {
  const report = reporter(environment.onError);
  const store: Keyv = environment.store ?? defaultStore();
  const { namespace } = environment;
  const ledgerStore = environment.ledger !== false ? environment.store : undefined;
  const { savings } = environment;
  const policy = {
    history: options.history ?? 'keep',
    rewriteEvery: options.rewriteEvery ?? DEFAULTS.rewriteEvery,
    ageAfter: options.ageAfter ?? DEFAULTS.ageAfter,
    maxTokens: options.maxHistoryTokens,
    expectedSteps: options.expectedSteps,
    pricing: { ...DEFAULTS.pricing, ...options.pricing },
  };
  // What the session remembers, each capped at maxEntries, oldest first out.
  const maxEntries = environment.maxEntries ?? 1000;
  const known = new Map<string, Known>();
  const written = new Set<string>();
  const foldOrigin = new Map<string, string>();
  const unfoldsSeen = new Set<string>();
  const trim = (collection: Set<string> | Map<string, unknown>) => {
    while (collection.size > maxEntries) collection.delete(collection.keys().next().value!);
  };
  let counter: TokenCounter | undefined;
  let learned: LearnedStats | undefined;
  let pending: LearnedStats = {};

  const record = (entry: Omit<LedgerEntry, 'at' | 'namespace' | 'source'>) => {
    if (ledgerStore) void recordLedger(ledgerStore, { ...entry, at: Date.now(), namespace, source: environment.source });
  };
  const bump = (key: string, field: keyof ReturnType<typeof emptyStats>, by = 1) => {
    if (options.learn === false) return;
    (pending[key] ??= emptyStats())[field] += by;
  };

  /** Writes the whole output as a fold (once per id); false when the store refused. */
  async function keep(id: string, text: string): Promise<boolean> {
    if (written.has(id)) return true;
    const result = await writeFolds(store, namespace, [{ id, text, firstLine: 1 }], environment.ttl);
    if (!result.ok) {
      report(result.error, { stage: 'store', kind: 'session' });
      return false;
    }
    written.add(id);
    trim(written);
    return true;
  }

  async function arrive(output: SessionOutput, earlier: readonly Known[]): Promise<Known> {
    const { text } = output;
    const subject = describeCall(output.tool, output.input, text);
    const key = statsKey(output.tool, detect(text).kind);
    const base = { id: output.id, tool: output.tool, input: output.input, original: text, hash: contentHash(text), subject, statsKey: key };
    const asSent = (sent: string, how: Known['how'], result?: CompressResult): Known => {
      const folds = [...new Set(findMarkers(sent).map((marker) => marker.id))];
      const sentTokens = result && sent === result.text ? result.tokensAfter : counter!.count(sent);
      return { ...base, sent, sentTokens, how, folds, ...(result ? { result } : {}) };
    };
    const whole = () => ({ id: foldId(text), lines: lineCount(text) });

    const repeat = options.duplicates === false ? undefined : findRepeat(text, subject, earlier);
    if (repeat?.type === 'duplicate') {
      const fold = whole();
      const reference = duplicateText(fold.id, repeat.of.id, fold.lines);
      if (reference.length < text.length && (await keep(fold.id, text))) {
        const sent = asSent(reference, 'duplicate');
        const tokensBefore = counter!.count(text);
        savings?.sent(tokensBefore, sent.sentTokens);
        return noteArrival(sent, text, tokensBefore);
      }
    }
    const budget = options.learn === false ? undefined : learnedBudget(learned?.[key], estimateTokens(text));
    const compressed = await compressOutput(text, output.query ?? '', output.tool, budget === undefined ? undefined : { budget });
    const best = compressed?.changed ? asSent(compressed.text, 'compressed', compressed.result) : asSent(text, 'as-is', compressed?.result);
    if (repeat?.type === 'diff') {
      const fold = whole();
      const patched = diffText(fold.id, repeat.of.id, fold.lines, repeat.patch);
      if (patched.length < best.sent.length && counter!.count(patched) < best.sentTokens && (await keep(fold.id, text))) {
        const sent = asSent(patched, 'diff');
        // A fresh compression of this output was counted (tally and ledger) when it ran; the diff
        // replaced what it sent, so only the difference is counted again.
        const fresh = compressed !== undefined && !compressed.cached;
        const tokensBefore = fresh ? best.sentTokens : counter!.count(text);
        if (fresh) savings?.sent(0, sent.sentTokens - tokensBefore, false);
        else savings?.sent(tokensBefore, sent.sentTokens);
        return noteArrival(sent, text, tokensBefore);
      }
    }
    return noteArrival(best, text);
  }

  // Counts the output for learning and the ledger, and remembers where each fold came from.
  // `tokensBefore`: for a reference or diff, what the ledger counts it as replacing.
  function noteArrival(entry: Known, original: string, tokensBefore?: number): Known {
    bump(entry.statsKey, 'outputs');
    for (const id of entry.folds) {
      if (!foldOrigin.has(id)) bump(entry.statsKey, 'folds');
      foldOrigin.set(id, entry.statsKey);
    }
    trim(foldOrigin);
    const foldedChars = entry.result && entry.how === 'compressed' ? entry.result.folds.reduce((sum, fold) => sum + fold.chars, 0) : original.length;
    if (entry.folds.length > 0) bump(entry.statsKey, 'foldedChars', foldedChars);
    if (entry.how === 'duplicate' || entry.how === 'diff') {
      record({ type: 'reference', tool: entry.tool, kind: entry.how, tokensBefore: tokensBefore ?? counter!.count(original), tokensAfter: entry.sentTokens, folds: entry.folds.length, detail: { of: entry.id, foldIds: entry.folds } });
    }
    return entry;
  }

  // An unfold answer in the history: the model read back part of a fold of some tool and kind.
  function noteUnfold(output: SessionOutput): void {
    if (unfoldsSeen.has(output.id)) return;
    unfoldsSeen.add(output.id);
    trim(unfoldsSeen);
    const fields = typeof output.input === 'object' && output.input !== null ? (output.input as Record<string, unknown>) : {};
    const id = parseFoldId(fields.id ?? output.input);
    const key = id === undefined ? undefined : foldOrigin.get(id);
    if (key === undefined) return;
    bump(key, 'unfolds');
    bump(key, 'returnedChars', output.text.length);
  }

  async function flushLearning(): Promise<void> {
    if (Object.keys(pending).length === 0) return;
    const delta = pending;
    pending = {};
    try {
      learned = await addStats(store, namespace, delta);
    } catch (error) {
      report(error, { stage: 'store', kind: 'session' });
    }
  }

  async function foldHistory(entries: Known[], outputs: readonly SessionOutput[], step: number): Promise<void> {
    const historyEntries: HistoryEntry[] = entries.map((entry, index) => ({
      id: entry.id,
      step: outputs[index]!.step,
      subject: entry.subject,
      tokens: entry.sentTokens,
      foldedTokens: (entry.foldedTokens ??= counter!.count(historyText(foldId(entry.original), entry.tool, entry.subject, entry.input, entry.original, 'aged'))),
      between: outputs[index]!.between ?? 0,
    }));
    const folds = historyFolds(historyEntries, step, policy);
    for (const entry of entries) {
      const fold = folds.get(entry.id);
      if (!fold || entry.history?.reason === fold.reason) continue;
      const id = foldId(entry.original);
      if (!(await keep(id, entry.original))) continue;
      const text = historyText(id, entry.tool, entry.subject, entry.input, entry.original, fold.reason);
      if (!entry.history) {
        foldOrigin.set(id, entry.statsKey);
        trim(foldOrigin);
        record({ type: 'history-rewrite', tool: entry.tool, tokensBefore: entry.sentTokens, tokensAfter: counter!.count(text), folds: 1, detail: { reason: fold.reason, step: fold.step, foldIds: [id] } });
      }
      entry.history = { reason: fold.reason, text };
    }
  }

  return {
    async prepare(outputs, context) {
      const prepared = new Map<string, PreparedOutput>();
      try {
        counter ??= await resolveTokenCounter(environment.tokenizer);
        if (options.learn !== false && learned === undefined) learned = await loadStats(store, namespace);
        const inHistory: Known[] = [];
        const historyOutputs: SessionOutput[] = [];
        const arrivedNow = new Set<string>();
        for (const output of outputs) {
          if (output.tool === UNFOLD_TOOL_NAME) noteUnfold(output);
          if (!compressesTool(output.tool, environment)) continue;
          let entry = known.get(output.id);
          const cached = entry !== undefined && (entry.original === output.text || entry.sent === output.text || entry.history?.text === output.text);
          if (!cached) {
            if (context.arrivals && !context.arrivals.has(output.id)) continue;
            entry = await arrive(output, inHistory);
            arrivedNow.add(output.id);
            known.set(output.id, entry);
            trim(known);
          }
          inHistory.push(entry!);
          historyOutputs.push(output);
        }
        // A call for arrivals only answers for them; folds are for the model call's history.
        if (policy.history !== 'keep' && !context.arrivals?.size) await foldHistory(inHistory, historyOutputs, context.step);
        inHistory.forEach((entry, index) => {
          const given = historyOutputs[index]!.text;
          const text = entry.history?.text ?? entry.sent;
          prepared.set(entry.id, {
            text,
            changed: text !== given,
            how: entry.history ? 'history' : entry.how,
            folds: entry.history ? [foldId(entry.original)] : entry.folds,
            ...(entry.result ? { result: entry.result } : {}),
            cached: !arrivedNow.has(entry.id),
          });
        });
        await flushLearning();
      } catch (error) {
        report(error, { stage: 'adapter', kind: 'session' });
      }
      return prepared;
    },
  };
}

export type { CallSubject };
