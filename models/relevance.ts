import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Clause } from '../core/compressors/sentences.ts';
import { FEATURE_NAMES, unitFeatures, type FeatureSettings } from './features.ts';
import { loadSession, runInBatches, type OnnxSession, type TensorInput } from './runtime.ts';

/*
 * The shipped relevance model: given a query and a document cut into units (sentences and
 * clauses, as the text compressor cuts them), it scores how likely each unit is to hold what the
 * query asks for. The text compressor keeps units best first, so the answer survives and the rest
 * folds; the layout stays, since kept units are exact slices of the input.
 *
 * `relevance.onnx` is a small MLP over the features of models/features.ts, trained and exported
 * by models/recipe/ (see its README). `relevance.json` beside it records the feature names and
 * the term hashing it was trained with; a file that disagrees with this code is refused, so a
 * stale model can never score with shifted features. Scoring runs in batches of rows across
 * documents, on the CPU, with nothing but Node and onnxruntime-node.
 */

/** What the model file next to `relevance.onnx` says about it. */
export interface RelevanceConfig {
  name: string;
  version: number;
  featureNames: string[];
  settings: FeatureSettings;
  inputs: string[];
  output: string;
}

/** One document to score: its text, its units and the query. */
export interface ScoringRequest {
  text: string;
  units: readonly Clause[];
  query: string;
}

/** A loaded unit scorer. Every model, shipped or user-supplied, offers this. */
export interface RelevanceModel {
  /** For reports: `tokenfold-relevance@1`, `llmlingua-2:/path`. */
  readonly name: string;
  /** One score per unit, higher is kept first. Rejects only on a runtime failure. */
  scoreUnits(text: string, units: readonly Clause[], query: string): Promise<Float32Array>;
  /** Scores several documents in shared batches; one array per request, in order. */
  scoreMany(requests: readonly ScoringRequest[]): Promise<Float32Array[]>;
}

export interface RelevanceModelOptions {
  /** The `.onnx` file; its settings are read from the `.json` file of the same name. Default: the shipped model. */
  path?: string;
  /** Rows per model run. Default 8192. */
  batchRows?: number;
  /** Threads per run. Default: onnxruntime's choice. */
  threads?: number;
}

const DEFAULT_BATCH_ROWS = 8192;

/** Where the shipped model is: next to this file in the source tree, or under the package root from dist/. */
export function shippedModelPath(): string {
  const candidates = [new URL('./relevance.onnx', import.meta.url), new URL('../../models/relevance.onnx', import.meta.url)];
  const found = candidates.map((url) => fileURLToPath(url)).find((path) => existsSync(path));
  return found ?? fileURLToPath(candidates[0]!);
}

/**
 * Loads the relevance model (the shipped one by default) and checks that it fits this code: the
 * same features in the same order, known inputs, a float output of one score per row. Loaded
 * once per process and file; rejects with a plain message when the file is missing, corrupt or
 * of the wrong shape.
 *
 * @example
 * const model = await loadRelevanceModel();
 * const units = splitClauses(text, splitSentences(text));
 * const scores = await model.scoreUnits(text, units, 'When was the duchy founded?');
 */
export async function loadRelevanceModel(options: RelevanceModelOptions = {}): Promise<RelevanceModel> {
  const path = options.path ?? shippedModelPath();
  const configPath = path.replace(/\.onnx$/, '') + '.json';
  if (!existsSync(path)) throw new Error(`relevance model not found: ${path}`);
  if (!existsSync(configPath)) throw new Error(`relevance model settings not found: ${configPath}`);
  const config = readConfig(configPath);
  const session = await loadSession(path, options.threads ? { threads: options.threads } : {});
  checkSession(session, config);
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  const model: RelevanceModel = {
    name: `${config.name}@${config.version}`,
    scoreUnits: async (text, units, query) => (await scoreMany(session, config, batchRows, [{ text, units, query }]))[0]!,
    scoreMany: (requests) => scoreMany(session, config, batchRows, requests),
  };
  // One run on a made-up unit proves the graph computes, and that it gives one score per row.
  const probe = await model.scoreUnits('Paris is in France.', [{ start: 0, end: 19, paragraph: 0, sentence: 0 }], 'Where is Paris?');
  if (probe.length !== 1 || !Number.isFinite(probe[0])) throw new Error(`${path}: the model does not give one finite score per unit`);
  return model;
}

async function scoreMany(session: OnnxSession, config: RelevanceConfig, batchRows: number, requests: readonly ScoringRequest[]): Promise<Float32Array[]> {
  const width = config.featureNames.length;
  const { unitTerms, queryTerms } = config.settings;
  const features = requests.map((request) => unitFeatures(request.text, request.units, request.query, config.settings));
  const rows = features.reduce((sum, part) => sum + part.count, 0);
  // All documents back to back, so that small documents share batches.
  const values = new Float32Array(rows * width);
  const unitIds = new Int32Array(rows * unitTerms);
  const queryIds = new Int32Array(rows * queryTerms);
  let row = 0;
  for (const part of features) {
    values.set(part.values, row * width);
    unitIds.set(part.unitIds, row * unitTerms);
    queryIds.set(part.queryIds, row * queryTerms);
    row += part.count;
  }
  const scores = rows === 0 ? new Float32Array(0) : await runInBatches(session, rows, batchRows, config.output, (start, end) => {
    const feeds: Record<string, TensorInput> = {};
    for (const name of session.inputNames) {
      if (name === 'features') feeds[name] = { data: values.subarray(start * width, end * width), dims: [end - start, width] };
      else if (name === 'unit_ids') feeds[name] = { data: unitIds.subarray(start * unitTerms, end * unitTerms), dims: [end - start, unitTerms] };
      else feeds[name] = { data: queryIds.subarray(start * queryTerms, end * queryTerms), dims: [end - start, queryTerms] };
    }
    return feeds;
  });
  if (scores.length !== rows) throw new Error(`${session.path}: ${scores.length} scores for ${rows} units`);
  const results: Float32Array[] = [];
  let offset = 0;
  for (const part of features) {
    results.push(scores.slice(offset, offset + part.count));
    offset += part.count;
  }
  return results;
}

function readConfig(path: string): RelevanceConfig {
  let config: RelevanceConfig;
  try {
    config = JSON.parse(readFileSync(path, 'utf8')) as RelevanceConfig;
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${String(error)})`);
  }
  const names = config.featureNames;
  if (!Array.isArray(names) || names.length !== FEATURE_NAMES.length || names.some((name, i) => name !== FEATURE_NAMES[i])) {
    throw new Error(`${path}: the model was trained on other features than this version computes; re-export it with models/recipe`);
  }
  const settings = config.settings;
  if (!settings || !(settings.buckets > 1) || !(settings.unitTerms > 0) || !(settings.queryTerms > 0)) {
    throw new Error(`${path}: missing or invalid term hashing settings`);
  }
  if (typeof config.output !== 'string') throw new Error(`${path}: no output name`);
  return config;
}

// Every input must be one this code can feed, with the widths the settings say.
function checkSession(session: OnnxSession, config: RelevanceConfig): void {
  const widths: Record<string, number> = {
    features: config.featureNames.length,
    unit_ids: config.settings.unitTerms,
    query_ids: config.settings.queryTerms,
  };
  for (const name of session.inputNames) {
    const width = widths[name];
    if (width === undefined) throw new Error(`${session.path}: unknown input "${name}"`);
    const shape = session.inputShapes.get(name);
    if (!shape || shape.length !== 2 || (typeof shape[1] === 'number' && shape[1] !== width)) {
      throw new Error(`${session.path}: input "${name}" has shape [${shape?.join(', ')}], expected [units, ${width}]`);
    }
  }
  if (!session.outputNames.includes(config.output)) throw new Error(`${session.path}: no output "${config.output}"`);
}
