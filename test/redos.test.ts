import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Keyv from 'keyv';
import { compress, detect, estimateTokens, o200kCounter, unfold } from 'tokenfold';
import type { CompressorContext, ContentKind } from 'tokenfold';
import { compressors, prepareCompressors } from '../core/compressors/index.ts';
import { adversarialInputs, hostileDocuments } from './support/adversarial.ts';

/*
 * Catastrophic backtracking and other super-linear work on hostile input (test/support/
 * adversarial.ts: long runs of one character, deep nesting, marker look-alikes, thousands of
 * separators on one line). Each string is about 100 KB; linear work on it takes milliseconds, and
 * the 2 s bound (generous, for a busy machine) still catches anything quadratic or worse. This is a
 * correctness guard, not a speed benchmark. The router and every registered compressor are run
 * directly (not through `compress`), so that what is timed is their own scanning.
 */

const LIMIT_MS = 2000;

const context: CompressorContext = {
  query: 'error timeout',
  budget: 500,
  countTokens: (text) => o200kCounter.count(text),
  estimateTokens,
};

function timed(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

describe('hostile input', () => {
  it('is routed in linear time', () => {
    const slow = Object.entries(adversarialInputs)
      .map(([name, text]) => ({ name, ms: timed(() => detect(text)) }))
      .filter(({ ms }) => ms > LIMIT_MS);
    assert.deepEqual(slow, []);
  });

  for (const kind of Object.keys(compressors) as ContentKind[]) {
    it(`is compressed as ${kind} in linear time, without a throw`, async () => {
      const problems: string[] = [];
      for (const [name, text] of Object.entries(adversarialInputs)) {
        await prepareCompressors[kind]?.(text, {});
        try {
          const ms = timed(() => compressors[kind]!(text, context));
          if (ms > LIMIT_MS) problems.push(`${name}: ${Math.round(ms)} ms`);
        } catch (error) {
          problems.push(`${name}: threw ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      assert.deepEqual(problems, []);
    });
  }

  it('goes through compress() end to end in bounded time, router and token counting included', async () => {
    const slow: string[] = [];
    for (const [name, text] of Object.entries({ ...adversarialInputs, ...hostileDocuments })) {
      const started = performance.now();
      await compress(text, { store: new Keyv(), minTokens: 0 });
      const ms = performance.now() - started;
      if (ms > LIMIT_MS) slow.push(`${name}: ${Math.round(ms)} ms`);
    }
    assert.deepEqual(slow, []);
  });
});

describe('unfold with a hostile grep pattern', () => {
  it('answers a catastrophically backtracking pattern in linear time instead of blocking the process', async () => {
    const store = new Keyv();
    const original = compressors.text;
    const folded = `${'a'.repeat(40)}!\n`.repeat(20);
    compressors.text = () => [{ text: folded, unit: 'lines', count: 20 }];
    try {
      const result = await compress('filler '.repeat(400), { kind: 'text', budget: 256, store });
      const id = result.folds[0]!.id;
      // RE2 runs it like any other pattern: no line matches, and no time limit was needed.
      const answer = await unfold(id, { store, grep: '^(a+)+$' });
      assert.equal(answer.status === 'ok' && answer.text, '');
      // An ordinary pattern on the same fold still works.
      const hits = await unfold(id, { store, grep: 'a!$', lines: '1-3' });
      assert.equal(hits.status === 'ok' && hits.text.split('\n').length, 3);
    } finally {
      compressors.text = original;
    }
  });
});
