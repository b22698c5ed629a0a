import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { splitClauses, splitSentences } from '../core/compressors/sentences.ts';
import { loadLlmLinguaModel } from './llmlingua.ts';
import { createTextScorer } from './text-scorer.ts';
import { temporaryFolder, writeTokenClassifier } from './test-support/tiny-models.ts';

const text = 'The cat sat.\nKeep Paris.\n\n- drop the cats\n- keep';
const units = splitClauses(text, splitSentences(text));
const unitText = (i: number): string => text.slice(units[i]!.start, units[i]!.end);

describe('loadLlmLinguaModel', () => {
  it('scores each unit by the mean keep-probability of its tokens', async () => {
    const model = await loadLlmLinguaModel(writeTokenClassifier(temporaryFolder()));
    const scores = await model.scoreUnits(text, units, 'ignored');
    assert.equal(scores.length, units.length);
    const order = [...scores.keys()].sort((a, b) => scores[b]! - scores[a]!);
    assert.deepEqual(order.slice(0, 2).map(unitText).sort(), ['- keep', 'Keep Paris.']);
    assert.ok(scores[units.findIndex((_, i) => unitText(i) === '- keep')]! < scores[units.findIndex((_, i) => unitText(i) === 'Keep Paris.')]!);
  });

  it('gives the same scores with small windows and small batches as with one window', async () => {
    const directory = writeTokenClassifier(temporaryFolder());
    const whole = await loadLlmLinguaModel(directory);
    const windowed = await loadLlmLinguaModel(directory, { maxLength: 4, batchWindows: 3 });
    const long = Array.from({ length: 40 }, (_, i) => (i % 3 ? 'The cat sat.' : 'Keep Paris.')).join(' ');
    const longUnits = splitClauses(long, splitSentences(long));
    const [a, b] = await Promise.all([whole.scoreUnits(long, longUnits, ''), windowed.scoreUnits(long, longUnits, '')]);
    assert.deepEqual([...b].map((x) => x.toFixed(6)), [...a].map((x) => x.toFixed(6)));
  });

  it('feeds int32 ids to a model that declares them', async () => {
    const model = await loadLlmLinguaModel(writeTokenClassifier(temporaryFolder(), { idType: 'int32' }));
    assert.equal((await model.scoreUnits(text, units, '')).length, units.length);
  });

  it('rejects a directory without tokenizer.json, or with a corrupt model', async () => {
    const noTokenizer = writeTokenClassifier(temporaryFolder());
    rmSync(join(noTokenizer, 'tokenizer.json'));
    await assert.rejects(loadLlmLinguaModel(noTokenizer), /tokenizer\.json/);
    const corrupt = writeTokenClassifier(temporaryFolder());
    writeFileSync(join(corrupt, 'model.onnx'), new Uint8Array([1, 2, 3, 4]));
    await assert.rejects(loadLlmLinguaModel(corrupt));
    await assert.rejects(loadLlmLinguaModel(join(temporaryFolder(), 'nothing-here')), /no ONNX model/);
  });

  it('plugs into the text scorer, which falls back when the directory is wrong', async () => {
    const good = createTextScorer(() => loadLlmLinguaModel(writeTokenClassifier(temporaryFolder())));
    assert.ok(await good.prepare(text, 'anything'));
    const warnings: string[] = [];
    const bad = createTextScorer(() => loadLlmLinguaModel(temporaryFolder()), { onWarning: (message) => warnings.push(message) });
    assert.equal(await bad.prepare(text, 'anything'), undefined);
    assert.equal(warnings.length, 1);
  });
});
