import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectLines } from './line-select.ts';

// 100 candidate lines of 10 tokens each; returns the indexes selectLines keeps.
function select(options: { anchor?: number[]; query?: number[]; budget: number }): number[] {
  const count = 100;
  const keep = new Uint8Array(count);
  const mark = (indexes: number[] = []) => Uint8Array.from({ length: count }, (_, index) => (indexes.includes(index) ? 1 : 0));
  selectLines({ costs: new Float64Array(count).fill(10), keep, folded: new Uint8Array(count), anchor: mark(options.anchor), queryHit: mark(options.query), budget: options.budget });
  return [...keep.keys()].filter((index) => keep[index]);
}

describe('selectLines', () => {
  it('spends the budget near the evidence, at the end and at the start, each its share', () => {
    const kept = select({ anchor: [50], budget: 200 });
    assert.equal(kept.length, 20);
    assert.ok(kept.includes(50) && kept.includes(51) && kept.includes(49), 'around the evidence');
    assert.ok(kept.includes(99) && kept.includes(95), 'the tail');
    assert.ok(kept.includes(0), 'the head');
    assert.ok(!kept.includes(25) && !kept.includes(75));
  });

  it('prefers the lines below an error to the lines above it', () => {
    const kept = select({ anchor: [50], budget: 200 });
    const below = kept.filter((index) => index > 50 && index < 60).length;
    const above = kept.filter((index) => index < 50 && index > 40).length;
    assert.ok(below > above, `${below} below, ${above} above`);
  });

  it('gives a query its own share, and without evidence hands that share on', () => {
    assert.ok(select({ query: [30], budget: 200 }).includes(30));
    assert.equal(select({ budget: 200 }).length, 20);
  });

  it('keeps nothing more when there is no budget', () => {
    assert.deepEqual(select({ anchor: [10], budget: 0 }), []);
  });
});
