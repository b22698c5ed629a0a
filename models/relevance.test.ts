import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { splitClauses, splitSentences } from '../core/compressors/sentences.ts';
import { FEATURE_NAMES } from './features.ts';
import { loadRelevanceModel, shippedModelPath } from './relevance.ts';
import { loadSession } from './runtime.ts';
import { temporaryFolder, writeLinearRelevanceModel } from './test-support/tiny-models.ts';

const document = [
  'The Normans were the people who gave their name to Normandy, a region in France.',
  'They descended from Norse raiders and pirates from Denmark, Iceland and Norway.',
  '',
  'The duchy was founded in 911 by a treaty between King Charles III and the Viking leader Rollo.',
  '- It lasted for centuries',
  '- It had a distinct culture',
].join('\n');
const units = splitClauses(document, splitSentences(document));
const unitOf = (needle: string): number => units.findIndex((unit) => document.slice(unit.start, unit.end).includes(needle));

describe('loadRelevanceModel with a tiny linear model', () => {
  const folder = temporaryFolder();
  const path = writeLinearRelevanceModel(folder, { unit_bm25: 1, sentence_bm25: 1, holds_wanted: 0.5 });

  it('scores the unit that matches the query highest', async () => {
    const model = await loadRelevanceModel({ path });
    const scores = await model.scoreUnits(document, units, 'When was the duchy founded?');
    assert.equal(scores.length, units.length);
    const best = scores.indexOf(Math.max(...scores));
    assert.equal(best, unitOf('founded in 911'));
  });

  it('gives the same scores whatever the batch size and whether documents share batches', async () => {
    const whole = await loadRelevanceModel({ path });
    const tiny = await loadRelevanceModel({ path, batchRows: 2 });
    const other = 'Paris is the capital of France.\nIt is on the Seine.';
    const otherUnits = splitClauses(other, splitSentences(other));
    const alone = await whole.scoreUnits(document, units, 'Who was Rollo?');
    const [shared, second] = await tiny.scoreMany([
      { text: document, units, query: 'Who was Rollo?' },
      { text: other, units: otherUnits, query: 'Where is Paris?' },
    ]);
    assert.deepEqual([...shared!], [...alone]);
    assert.deepEqual([...second!], [...(await whole.scoreUnits(other, otherUnits, 'Where is Paris?'))]);
  });

  it('gives the same bits for the same input on every call', async () => {
    const model = await loadRelevanceModel({ path });
    const first = await model.scoreUnits(document, units, 'Where is Normandy?');
    const second = await model.scoreUnits(document, units, 'Where is Normandy?');
    assert.deepEqual(Buffer.from(first.buffer), Buffer.from(second.buffer));
  });

  it('scores an empty document to no scores', async () => {
    const model = await loadRelevanceModel({ path });
    assert.equal((await model.scoreUnits('', [], 'anything')).length, 0);
  });

  it('creates one session per model file per process', async () => {
    assert.equal(loadSession(path), loadSession(path));
  });
});

describe('loadRelevanceModel refusing what it cannot use', () => {
  it('rejects a missing model file', async () => {
    await assert.rejects(loadRelevanceModel({ path: join(temporaryFolder(), 'missing.onnx') }), /not found/);
  });

  it('rejects a corrupt model file', async () => {
    const folder = temporaryFolder();
    const path = writeLinearRelevanceModel(folder, {});
    writeFileSync(path, 'this is not a protobuf');
    await assert.rejects(loadRelevanceModel({ path }));
  });

  it('rejects a model whose input has the wrong width', async () => {
    const path = writeLinearRelevanceModel(temporaryFolder(), {}, { width: FEATURE_NAMES.length + 3 });
    await assert.rejects(loadRelevanceModel({ path }), /shape/);
  });

  it('rejects settings trained on other features', async () => {
    const path = writeLinearRelevanceModel(temporaryFolder(), {});
    const configPath = path.replace(/\.onnx$/, '.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { featureNames: string[] };
    config.featureNames = [...config.featureNames].reverse();
    writeFileSync(configPath, JSON.stringify(config));
    await assert.rejects(loadRelevanceModel({ path }), /other features/);
  });
});

describe('the shipped model', () => {
  it('ships next to its settings and is small enough for the npm package', () => {
    const path = shippedModelPath();
    assert.ok(existsSync(path) && existsSync(path.replace(/\.onnx$/, '.json')));
    assert.ok(statSync(path).size < 30 * 1024 * 1024);
  });

  it('loads and scores with this version of the features', async () => {
    const model = await loadRelevanceModel();
    const scores = await model.scoreUnits(document, units, 'From which countries did the Norse originate?');
    assert.equal(scores.length, units.length);
    assert.ok([...scores].every(Number.isFinite));
    assert.equal(scores.indexOf(Math.max(...scores)), unitOf('Denmark, Iceland and Norway'));
  });
});
