import type { UnitScorer } from '../core/compressors/text.ts';
import { splitClauses, splitSentences, type Clause } from '../core/compressors/sentences.ts';
import { loadLlmLinguaModel } from './llmlingua.ts';
import { loadRelevanceModel, type RelevanceModel } from './relevance.ts';

/*
 * The bridge between an asynchronous model and the synchronous text compressor. onnxruntime-node
 * only runs asynchronously, and compressors are synchronous, pure functions; so `compress` asks
 * for a unit scorer *before* it calls the text compressor: `prepare(text, query)` cuts the text
 * into the units the compressor will cut, runs the model on them, and returns a `UnitScorer` that
 * hands back those scores synchronously.
 *
 * It never throws and never rejects. When the model cannot load (missing file, corrupt file,
 * wrong shape, no onnxruntime-node) or a run fails, `prepare` resolves to `undefined`, the
 * compressor keeps its built-in extractive scorer, and `onWarning` hears about it once per
 * scorer: an agent loop is never broken by a model. Without a query there is nothing for the
 * model to match, and the built-in query-free ranking is used; a query much longer than a
 * question (a whole issue text pasted as the task) is also left to the built-in scorer, since the
 * shipped model was trained on questions and did worse than BM25 on such queries in
 * bench/models.ts (SWE-agent trajectories).
 */

/**
 * Words above which a query is left to the built-in scorer, by default: the longest question in
 * the SQuAD file the model learned from has 31 words, and longer queries are outside its training.
 */
export const MAX_QUERY_WORDS = 32;

/** What `compress` holds to score text units with a model. */
export interface TextScorer {
  /** A scorer for this text and query, or undefined to use the built-in one. Never rejects. */
  prepare(text: string, query: string): Promise<UnitScorer | undefined>;
  /** The model's name once loaded; undefined before, or when it fell back. */
  readonly modelName: string | undefined;
}

export interface TextScorerOptions {
  /** Told once when the model is unusable and the built-in scorer takes over. Default: `process.emitWarning`. */
  onWarning?: (message: string) => void;
  /** Queries with more words than this use the built-in scorer. Default 32; `Infinity` for none. */
  maxQueryWords?: number;
}



/**
 * Wraps a model loader into a `TextScorer`. The loader runs on the first `prepare` only (lazily,
 * once per scorer); its failure means the built-in scorer from then on.
 *
 * @example
 * const scorer = createTextScorer(() => loadRelevanceModel());
 * const score = await scorer.prepare(document, 'When was the duchy founded?');
 * const selection = selectSentences(document, { query, budget: 300, score }); // score undefined: BM25
 */
export function createTextScorer(load: () => Promise<RelevanceModel>, options: TextScorerOptions = {}): TextScorer {
  const warn = options.onWarning ?? ((message: string) => process.emitWarning(message, { code: 'TOKENFOLD_MODEL_FALLBACK' }));
  const maxQueryWords = options.maxQueryWords ?? MAX_QUERY_WORDS;
  let model: Promise<RelevanceModel | undefined> | undefined;
  let warned = false;
  let modelName: string | undefined;
  const fallBack = (message: string): undefined => {
    if (!warned) {
      warned = true;
      try {
        warn(`tokenfold: ${message}; using the built-in extractive scorer`);
      } catch {
        // A throwing warning handler must not break compression either.
      }
    }
    return undefined;
  };
  const loaded = (): Promise<RelevanceModel | undefined> => {
    model ??= Promise.resolve()
      .then(load)
      .then((value) => {
        modelName = value.name;
        return value;
      })
      .catch((error: unknown) => fallBack(`the relevance model could not be loaded (${errorText(error)})`));
    return model;
  };
  return {
    get modelName() {
      return modelName;
    },
    async prepare(text, query) {
      if (query.trim() === '' || text.length === 0 || wordCount(query, maxQueryWords) > maxQueryWords) return undefined;
      const relevance = await loaded();
      if (!relevance) return undefined;
      try {
        const units = splitClauses(text, splitSentences(text));
        const scores = await relevance.scoreUnits(text, units, query);
        return scorerFor(units, scores);
      } catch (error) {
        return fallBack(`the relevance model failed to score (${errorText(error)})`);
      }
    },
  };
}

/** Which model scores text: the shipped one, or a user-supplied LLMLingua-2 style directory. */
export type RelevanceModelChoice = 'shipped' | { llmlingua: string };

const processScorers = new Map<string, TextScorer>();

/**
 * The process-wide `TextScorer` for a model choice: one per choice, so that the model loads once
 * (lazily, on first use) and a fallback is reported once per process.
 *
 * @example
 * const relevance = relevanceFor('shipped');
 * const fromDirectory = relevanceFor({ llmlingua: '/models/llmlingua-2-bert-base-multilingual-cased-meetingbank' });
 */
export function relevanceFor(choice: RelevanceModelChoice): TextScorer {
  const key = choice === 'shipped' ? 'shipped' : `llmlingua:${choice.llmlingua}`;
  let scorer = processScorers.get(key);
  if (!scorer) {
    scorer = createTextScorer(choice === 'shipped' ? () => loadRelevanceModel() : () => loadLlmLinguaModel(choice.llmlingua));
    processScorers.set(key, scorer);
  }
  return scorer;
}

/**
 * A synchronous `UnitScorer` over precomputed scores. Asked about the units they were computed
 * for, it returns them; asked about other units (the compressor cut the text differently), each
 * unit gets the best score of the scored units it overlaps (the lowest score when none).
 */
export function scorerFor(scored: readonly Clause[], scores: ArrayLike<number>): UnitScorer {
  return ({ units }) => {
    if (units === scored || sameUnits(units, scored)) return scores;
    const mapped = new Float64Array(units.length);
    let lowest = 0;
    for (let k = 0; k < scored.length; k++) lowest = Math.min(lowest, scores[k]!);
    let j = 0;
    for (let i = 0; i < units.length; i++) {
      const unit = units[i]!;
      while (j < scored.length && scored[j]!.end <= unit.start) j++;
      let best = -Infinity;
      for (let k = j; k < scored.length && scored[k]!.start < unit.end; k++) best = Math.max(best, scores[k]!);
      mapped[i] = best === -Infinity ? lowest : best;
    }
    return mapped;
  };
}

function sameUnits(a: readonly Clause[], b: readonly Clause[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.start !== b[i]!.start || a[i]!.end !== b[i]!.end) return false;
  return true;
}

// Words of the query, counting no further than `limit + 1`.
function wordCount(text: string, limit: number): number {
  let words = 0;
  for (const _ of text.matchAll(/\S+/g)) if (++words > limit) break;
  return words;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
