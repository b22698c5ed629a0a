import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitClauses, splitSentences } from '../core/compressors/sentences.ts';
import { DEFAULT_FEATURE_SETTINGS, FEATURE_NAMES, unitFeatures } from './features.ts';

const text = 'The duchy of Normandy was founded in 1911.\nIts first ruler was Rollo, a Viking leader, who signed a treaty with King Charles III of West Francia.\n\nMany Normans later settled in England.';
const units = splitClauses(text, splitSentences(text));
const column = (values: Float32Array, unit: number, name: string): number => values[unit * FEATURE_NAMES.length + FEATURE_NAMES.indexOf(name)]!;

describe('unitFeatures', () => {
  it('gives one row of every feature and of term ids per unit, all finite', () => {
    const features = unitFeatures(text, units, 'When was the duchy founded?');
    assert.equal(features.count, units.length);
    assert.equal(features.values.length, units.length * FEATURE_NAMES.length);
    assert.equal(features.unitIds.length, units.length * DEFAULT_FEATURE_SETTINGS.unitTerms);
    assert.ok(features.values.every(Number.isFinite));
    assert.ok(features.unitIds.every((id) => id >= 0 && id < DEFAULT_FEATURE_SETTINGS.buckets));
  });

  it('marks what the query asks for and the units that hold it', () => {
    const { values } = unitFeatures(text, units, 'When was the duchy founded?');
    assert.equal(column(values, 0, 'asks_when'), 1);
    assert.equal(column(values, 0, 'asks_who'), 0);
    assert.equal(column(values, 0, 'has_year'), 1);
    assert.equal(column(values, 0, 'holds_wanted'), 1);
    assert.equal(column(values, 0, 'unit_bm25'), 1);
    const rollo = units.findIndex((unit) => text.slice(unit.start, unit.end).includes('Rollo'));
    assert.equal(column(values, rollo, 'holds_wanted'), 0);
    assert.ok(column(values, rollo, 'new_capitalized') > 0);
  });

  it('finds words that share a prefix with the query', () => {
    const { values } = unitFeatures(text, units, 'Who founded the foundation of Normandy?');
    assert.ok(column(values, 0, 'prefix_coverage') > 0);
  });

  it('is deterministic and handles an empty query and no units', () => {
    const a = unitFeatures(text, units, '');
    const b = unitFeatures(text, units, '');
    assert.deepEqual(a.values, b.values);
    assert.equal(unitFeatures('', [], 'anything').count, 0);
  });

  // Must end; its speed is the relevance benchmark's (bench/models.ts), not asserted here.
  it('reads a multi-megabyte single line', { timeout: 60_000 }, () => {
    const line = 'word '.repeat(400_000) + 'x'.repeat(1_000_000);
    const longUnits = splitClauses(line, splitSentences(line));
    const features = unitFeatures(line, longUnits, 'what word?');
    assert.equal(features.count, longUnits.length);
  });
});
