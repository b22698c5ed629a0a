/*
 * Local models for the text compressor: the shipped relevance model, user-supplied LLMLingua-2
 * style token classifiers, and the bridge that lets `compress` use either (or fall back to the
 * built-in extractive scorer). Runs on the CPU with onnxruntime-node; never touches the network.
 */
export {
  createTextScorer,
  MAX_QUERY_WORDS,
  relevanceFor,
  scorerFor,
  type RelevanceModelChoice,
  type TextScorer,
  type TextScorerOptions,
} from './text-scorer.ts';
export {
  loadRelevanceModel,
  shippedModelPath,
  type RelevanceModel,
  type RelevanceModelOptions,
  type ScoringRequest,
} from './relevance.ts';
export { loadLlmLinguaModel, type LlmLinguaOptions } from './llmlingua.ts';
export { parseTokenizer, type Token, type Tokenizer } from './tokenizer.ts';
