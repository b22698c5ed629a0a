import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clause } from '../core/compressors/sentences.ts';
import type { RelevanceModel, ScoringRequest } from './relevance.ts';
import { loadSession, type OnnxSession, type TensorInput } from './runtime.ts';
import { parseTokenizer, type Token, type Tokenizer } from './tokenizer.ts';

/*
 * A user-supplied LLMLingua-2 style model: a token classifier that gives each token of a text a
 * probability of being worth keeping (microsoft/llmlingua-2-* exported to ONNX, or any BERT or
 * XLM-R token-classification model with two labels). The directory holds the ONNX file
 * (`model.onnx`, or `onnx/model.onnx` as Optimum exports it) and `tokenizer.json`; nothing is
 * downloaded, ever.
 *
 * LLMLingua-2 joins kept words with spaces and loses the layout; here the probabilities are only
 * scores: each unit (sentence or clause) gets the mean keep-probability of its tokens, and the
 * text compressor keeps whole units, verbatim, with their newlines and list markers. The model
 * does not read the query (LLMLingua-2 is task-agnostic), so the same text scores the same for
 * any query.
 *
 * Long texts are cut into windows of at most `maxLength` tokens (special tokens included), at
 * word boundaries; windows of all the documents being scored go through the model in batches,
 * each padded to its longest window.
 */

export interface LlmLinguaOptions {
  /** Tokens per window, special tokens included. Default: `config.json`'s limit, at most 512. */
  maxLength?: number;
  /** Windows per model run. Default 8. */
  batchWindows?: number;
  /** Threads per run. Default: onnxruntime's choice. */
  threads?: number;
}

const DEFAULT_MAX_LENGTH = 512;
const DEFAULT_BATCH_WINDOWS = 8;

/**
 * Loads an LLMLingua-2 style model directory and checks it: a tokenizer this code can run, an
 * `input_ids` input, and one run on a short text that gives a label score per token. Rejects with
 * a plain message otherwise (missing or corrupt file, wrong shape, unsupported tokenizer).
 *
 * @example
 * const model = await loadLlmLinguaModel('/models/llmlingua-2-bert-base-multilingual-cased-meetingbank');
 * const scores = await model.scoreUnits(text, splitClauses(text, splitSentences(text)), '');
 */
export async function loadLlmLinguaModel(directory: string, options: LlmLinguaOptions = {}): Promise<RelevanceModel> {
  const modelPath = findModelFile(directory);
  const tokenizerPath = join(directory, 'tokenizer.json');
  if (!existsSync(tokenizerPath)) throw new Error(`no tokenizer.json in ${directory}`);
  let tokenizer: Tokenizer;
  try {
    tokenizer = parseTokenizer(JSON.parse(readFileSync(tokenizerPath, 'utf8')));
  } catch (error) {
    throw new Error(`${tokenizerPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const session = await loadSession(modelPath, options.threads ? { threads: options.threads } : {});
  if (!session.inputNames.includes('input_ids')) throw new Error(`${modelPath}: no "input_ids" input`);
  const maxLength = Math.max(8, options.maxLength ?? Math.min(DEFAULT_MAX_LENGTH, configLimit(directory) ?? DEFAULT_MAX_LENGTH));
  const batchWindows = Math.max(1, options.batchWindows ?? DEFAULT_BATCH_WINDOWS);
  const model: RelevanceModel = {
    name: `llmlingua-2:${directory}`,
    scoreUnits: async (text, units) => (await scoreMany(session, tokenizer, maxLength, batchWindows, [{ text, units, query: '' }]))[0]!,
    scoreMany: (requests) => scoreMany(session, tokenizer, maxLength, batchWindows, requests),
  };
  const probe = await model.scoreUnits('Paris is in France.', [{ start: 0, end: 19, paragraph: 0, sentence: 0 }], '');
  if (probe.length !== 1 || !Number.isFinite(probe[0])) throw new Error(`${modelPath}: the model does not give a score per token`);
  return model;
}

function findModelFile(directory: string): string {
  for (const candidate of ['model.onnx', join('onnx', 'model.onnx'), 'model_quantized.onnx', join('onnx', 'model_quantized.onnx')]) {
    if (existsSync(join(directory, candidate))) return join(directory, candidate);
  }
  const any = existsSync(directory) ? readdirSync(directory).filter((name) => name.endsWith('.onnx')).sort() : [];
  if (any.length > 0) return join(directory, any[0]!);
  throw new Error(`no ONNX model file in ${directory}`);
}

// max_position_embeddings of config.json, less the two positions XLM-R reserves.
function configLimit(directory: string): number | undefined {
  try {
    const config = JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8')) as { max_position_embeddings?: number; model_type?: string };
    if (!config.max_position_embeddings) return undefined;
    return config.model_type === 'xlm-roberta' || config.model_type === 'roberta' ? config.max_position_embeddings - 2 : config.max_position_embeddings;
  } catch {
    return undefined;
  }
}

interface Window {
  request: number;
  tokens: Token[];
}

async function scoreMany(
  session: OnnxSession,
  tokenizer: Tokenizer,
  maxLength: number,
  batchWindows: number,
  requests: readonly ScoringRequest[],
): Promise<Float32Array[]> {
  const room = Math.max(1, maxLength - tokenizer.prefix.length - tokenizer.suffix.length);
  const tokensOf = requests.map((request) => tokenizer.encode(request.text));
  const probabilities = tokensOf.map((tokens) => new Float32Array(tokens.length));
  const windows: Array<Window & { offset: number }> = [];
  tokensOf.forEach((tokens, request) => {
    for (let start = 0; start < tokens.length; ) {
      let end = Math.min(tokens.length, start + room);
      // Do not cut a word's pieces apart, unless the word alone is longer than a window.
      while (end < tokens.length && end > start + 1 && tokens[end]!.start === tokens[end - 1]!.start) end--;
      if (end === start + 1 && room > 1) end = Math.min(tokens.length, start + room);
      windows.push({ request, tokens: tokens.slice(start, end), offset: start });
      start = end;
    }
  });

  for (let first = 0; first < windows.length; first += batchWindows) {
    const batch = windows.slice(first, first + batchWindows);
    const length = Math.max(...batch.map((window) => window.tokens.length)) + tokenizer.prefix.length + tokenizer.suffix.length;
    const ids = new Array<number>(batch.length * length).fill(tokenizer.padId);
    const mask = new Array<number>(batch.length * length).fill(0);
    batch.forEach((window, b) => {
      const sequence = [...tokenizer.prefix, ...window.tokens.map((token) => token.id), ...tokenizer.suffix];
      sequence.forEach((id, t) => {
        ids[b * length + t] = id;
        mask[b * length + t] = 1;
      });
    });
    const feeds: Record<string, TensorInput> = {};
    for (const name of session.inputNames) {
      const values = name === 'input_ids' ? ids : name === 'attention_mask' ? mask : new Array<number>(ids.length).fill(0);
      feeds[name] = { data: integerTensor(values, session.inputTypes.get(name)), dims: [batch.length, length] };
    }
    const result = await session.run(feeds);
    const output = result[session.outputNames.includes('logits') ? 'logits' : session.outputNames[0]!];
    if (!output || !(output.data instanceof Float32Array)) throw new Error(`${session.path}: no float32 output`);
    const labels = output.dims.length === 3 ? output.dims[2]! : 1;
    if (output.dims[0] !== batch.length || output.dims[1] !== length || labels < 1) {
      throw new Error(`${session.path}: output of shape [${output.dims.join(', ')}], expected [${batch.length}, ${length}, labels]`);
    }
    batch.forEach((window, b) => {
      const target = probabilities[window.request]!;
      for (let t = 0; t < window.tokens.length; t++) {
        const at = (b * length + tokenizer.prefix.length + t) * labels;
        target[window.offset + t] = keepProbability(output.data as Float32Array, at, labels);
      }
    });
  }
  return requests.map((request, r) => unitMeans(request.units, tokensOf[r]!, probabilities[r]!));
}

// The probability of the last label ("keep"): softmax over the labels, or a sigmoid for one.
function keepProbability(logits: Float32Array, at: number, labels: number): number {
  if (labels === 1) return 1 / (1 + Math.exp(-logits[at]!));
  let max = -Infinity;
  for (let l = 0; l < labels; l++) max = Math.max(max, logits[at + l]!);
  let total = 0;
  for (let l = 0; l < labels; l++) total += Math.exp(logits[at + l]! - max);
  return Math.exp(logits[at + labels - 1]! - max) / total;
}

// Each unit's mean keep-probability over the tokens whose word starts inside it; 0 for none.
function unitMeans(units: readonly Clause[], tokens: Token[], probabilities: Float32Array): Float32Array {
  const scores = new Float32Array(units.length);
  let t = 0;
  for (let u = 0; u < units.length; u++) {
    const unit = units[u]!;
    while (t < tokens.length && tokens[t]!.start < unit.start) t++;
    let total = 0;
    let count = 0;
    for (let k = t; k < tokens.length && tokens[k]!.start < unit.end; k++) {
      total += probabilities[k]!;
      count++;
    }
    scores[u] = count ? total / count : 0;
  }
  return scores;
}

function integerTensor(values: number[], type: string | undefined): Int32Array | BigInt64Array {
  if (type === 'int32') return Int32Array.from(values);
  return BigInt64Array.from(values, (value) => BigInt(value));
}
