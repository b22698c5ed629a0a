/*
 * Tiny models for the tests, written to a temporary folder: a linear relevance model over the
 * feature columns (with its relevance.json), and an LLMLingua-2 style token classifier that looks
 * each token id up in a table of logits, with a WordPiece tokenizer.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FEATURE_SETTINGS, FEATURE_NAMES } from '../features.ts';
import { buildOnnxModel } from './onnx-builder.ts';

/** A fresh temporary folder, removed when the test process exits. */
export function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'tokenfold-models-'));
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

/**
 * Writes `relevance.onnx` + `relevance.json` to `folder`: score = sum of weight × feature, the
 * weights given by feature name. `width` overrides the input width (to make a wrong-shape model).
 */
export function writeLinearRelevanceModel(folder: string, weights: Record<string, number>, options: { width?: number; name?: string } = {}): string {
  const width = options.width ?? FEATURE_NAMES.length;
  const vector = Array.from({ length: width }, (_, i) => weights[FEATURE_NAMES[i] ?? ''] ?? 0);
  const path = join(folder, `${options.name ?? 'relevance'}.onnx`);
  writeFileSync(
    path,
    buildOnnxModel({
      inputs: [{ name: 'features', type: 'float32', shape: ['units', width] }],
      outputs: [{ name: 'scores', type: 'float32', shape: ['units'] }],
      initializers: [{ name: 'weights', type: 'float32', dims: [width], values: vector }],
      nodes: [{ op: 'MatMul', inputs: ['features', 'weights'], outputs: ['scores'] }],
    }),
  );
  writeFileSync(
    path.replace(/\.onnx$/, '.json'),
    JSON.stringify({ name: 'tiny-linear', version: 1, featureNames: FEATURE_NAMES, settings: DEFAULT_FEATURE_SETTINGS, inputs: ['features'], output: 'scores' }),
  );
  return path;
}

/** The vocabulary of the tiny WordPiece tokenizer. */
export const TINY_VOCABULARY = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'paris', 'is', 'in', 'france', '.', 'the', 'cat', 'sat', '##s', 'keep', 'drop', ','];

/** A BERT-style tokenizer.json over `TINY_VOCABULARY`. */
export function tinyWordPieceTokenizer(): object {
  return {
    normalizer: { type: 'BertNormalizer', lowercase: true, strip_accents: null, clean_text: true, handle_chinese_chars: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'BertProcessing', cls: ['[CLS]', 2], sep: ['[SEP]', 3] },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(TINY_VOCABULARY.map((piece, id) => [piece, id])) },
  };
}

/**
 * Writes an LLMLingua-2 style directory: `model.onnx` gives each token the logits [drop, keep]
 * of its id from a table where "keep" and "paris" lean to keep and everything else to drop, and
 * `tokenizer.json` (WordPiece). The model reads one token at a time, so windows do not change it.
 */
export function writeTokenClassifier(folder: string, options: { idType?: 'int64' | 'int32' } = {}): string {
  const directory = join(folder, 'llmlingua');
  mkdirSync(directory, { recursive: true });
  const keep = new Set(['keep', 'paris']);
  const table = TINY_VOCABULARY.flatMap((piece) => (keep.has(piece) ? [-2, 2] : [1, -1]));
  const idType = options.idType ?? 'int64';
  writeFileSync(
    join(directory, 'model.onnx'),
    buildOnnxModel({
      inputs: [
        { name: 'input_ids', type: idType, shape: ['batch', 'sequence'] },
        { name: 'attention_mask', type: idType, shape: ['batch', 'sequence'] },
      ],
      outputs: [{ name: 'logits', type: 'float32', shape: ['batch', 'sequence', 2] }],
      initializers: [{ name: 'table', type: 'float32', dims: [TINY_VOCABULARY.length, 2], values: table }],
      nodes: [{ op: 'Gather', inputs: ['table', 'input_ids'], outputs: ['logits'], attributes: { axis: 0 } }],
    }),
  );
  writeFileSync(join(directory, 'tokenizer.json'), JSON.stringify(tinyWordPieceTokenizer()));
  return directory;
}
