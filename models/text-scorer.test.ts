import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { splitClauses, splitSentences } from '../core/compressors/sentences.ts';
import { selectSentences } from '../core/compressors/text.ts';
import { loadRelevanceModel } from './relevance.ts';
import { createTextScorer, relevanceFor, scorerFor } from './text-scorer.ts';
import { temporaryFolder, writeLinearRelevanceModel } from './test-support/tiny-models.ts';

const document = '# Notes\n\nThe cat sat on the mat.\nParis is the capital of France.\n\n- apples\n- pears\n\nThe weather was mild that year.';

describe('createTextScorer', () => {
  it('hands the compressor the model scores, and the selection keeps the layout', async () => {
    const path = writeLinearRelevanceModel(temporaryFolder(), { unit_bm25: 1 });
    const scorer = createTextScorer(() => loadRelevanceModel({ path }));
    const score = await scorer.prepare(document, 'What is the capital of France?');
    assert.ok(score);
    assert.equal(scorer.modelName, 'tiny-linear@1');
    const selection = selectSentences(document, { query: 'capital of France', budget: 20, score });
    const kept = selection.units.filter((_, i) => selection.kept[i]).map((unit) => document.slice(unit.start, unit.end));
    assert.ok(kept.includes('Paris is the capital of France.'));
    for (const unit of selection.units) assert.equal(document.slice(unit.start, unit.end).trim(), document.slice(unit.start, unit.end));
  });

  it('falls back to the built-in scorer and warns once when the model cannot load', async () => {
    const warnings: string[] = [];
    let loads = 0;
    const scorer = createTextScorer(
      () => {
        loads++;
        return loadRelevanceModel({ path: join(temporaryFolder(), 'missing.onnx') });
      },
      { onWarning: (message) => warnings.push(message) },
    );
    assert.equal(await scorer.prepare(document, 'capital?'), undefined);
    assert.equal(await scorer.prepare(document, 'weather?'), undefined);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /could not be loaded.*built-in/);
    assert.equal(loads, 1);
    assert.equal(scorer.modelName, undefined);
  });

  it('falls back when the model fails while scoring, and survives a throwing warning handler', async () => {
    const scorer = createTextScorer(
      async () => ({
        name: 'broken',
        scoreUnits: async () => {
          throw new Error('run failed');
        },
        scoreMany: async () => [],
      }),
      {
        onWarning: () => {
          throw new Error('handler bug');
        },
      },
    );
    assert.equal(await scorer.prepare(document, 'capital?'), undefined);
  });

  it('leaves a text without a query, or with a query far longer than a question, to the built-in scorer', async () => {
    let loads = 0;
    const scorer = createTextScorer(
      async () => {
        loads++;
        throw new Error('not reached');
      },
      { maxQueryWords: 5 },
    );
    assert.equal(await scorer.prepare(document, '  '), undefined);
    assert.equal(await scorer.prepare(document, 'one two three four five six'), undefined);
    assert.equal(loads, 0);
  });
});

describe('relevanceFor', () => {
  it('gives one scorer per model choice per process, and the shipped model scores a question', async () => {
    assert.equal(relevanceFor('shipped'), relevanceFor('shipped'));
    const score = await relevanceFor('shipped').prepare(document, 'What is the capital of France?');
    assert.ok(score);
    assert.equal(relevanceFor('shipped').modelName, 'tokenfold-relevance@1');
  });

  it('falls back with one process warning for a directory that holds no model', async () => {
    const warnings: Error[] = [];
    const listener = (warning: Error): void => void warnings.push(warning);
    // Node's own listener would print the expected warning into the test output: stand in for it.
    const printers = process.listeners('warning');
    process.removeAllListeners('warning');
    process.on('warning', listener);
    try {
      const scorer = relevanceFor({ llmlingua: join(temporaryFolder(), 'absent') });
      assert.equal(await scorer.prepare(document, 'capital?'), undefined);
      assert.equal(await scorer.prepare(document, 'weather?'), undefined);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(warnings.filter((warning) => /built-in extractive scorer/.test(warning.message)).length, 1);
    } finally {
      process.off('warning', listener);
      for (const printer of printers) process.on('warning', printer);
    }
  });
});

describe('scorerFor', () => {
  it('returns the scores as they are for the units they were computed on', () => {
    const units = splitClauses(document, splitSentences(document));
    const scores = Float32Array.from(units, (_, i) => i);
    assert.equal(scorerFor(units, scores)({ text: document, units, query: '' }), scores);
  });

  it('maps scores onto units cut differently by overlap', () => {
    const units = splitClauses(document, splitSentences(document));
    const scores = Float32Array.from(units, (_, i) => i + 1);
    // One unit covering the first two scored units takes the better of their scores.
    const merged = [{ ...units[0]!, end: units[1]!.end }, ...units.slice(2)];
    const mapped = scorerFor(units, scores)({ text: document, units: merged, query: '' });
    assert.deepEqual(Array.from(mapped), [2, ...Array.from(scores).slice(2)]);
  });
});
