import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Keyv from 'keyv';
import { compress, detect, estimateTokens, o200kCounter, unfold } from 'tokenfold';
import type { CompressorContext, ContentKind } from 'tokenfold';
import { compressors, prepareCompressors } from '../core/compressors/index.ts';
import { adversarialInputs, hostileDocuments } from './support/adversarial.ts';

/*
 * Hostile input (test/support/adversarial.ts: long runs of one character, deep nesting, marker
 * look-alikes, thousands of separators on one line), about 100 KB each: the router and every
 * registered compressor, run directly, and compress() end to end must finish without a throw.
 * How long each takes is measured in bench/reliability.ts (Fuzzing: "59 hostile inputs", with the
 * slowest listed), where anything quadratic shows as seconds; tests assert behaviour, not speed.
 * The timeout only stops a run that would never end.
 */

const HANG_GUARD = { timeout: 120_000 };

const context: CompressorContext = {
  query: 'error timeout',
  budget: 500,
  countTokens: (text) => o200kCounter.count(text),
  estimateTokens,
};

describe('hostile input', () => {
  it('is routed', HANG_GUARD, () => {
    for (const [name, text] of Object.entries(adversarialInputs)) assert.ok(detect(text).kind, name);
  });

  for (const kind of Object.keys(compressors) as ContentKind[]) {
    it(`is compressed as ${kind} without a throw`, HANG_GUARD, async () => {
      const problems: string[] = [];
      for (const [name, text] of Object.entries(adversarialInputs)) {
        await prepareCompressors[kind]?.(text, {});
        try {
          compressors[kind]!(text, context);
        } catch (error) {
          problems.push(`${name}: threw ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      assert.deepEqual(problems, []);
    });
  }

  it('goes through compress() end to end, router and token counting included', HANG_GUARD, async () => {
    for (const [name, text] of Object.entries({ ...adversarialInputs, ...hostileDocuments })) {
      const result = await compress(text, { store: new Keyv(), minTokens: 0 });
      assert.ok(result.passThrough !== 'compressor-failed', name);
    }
  });
});

describe('unfold with a hostile grep pattern', () => {
  it('answers a catastrophically backtracking pattern instead of blocking the process', async () => {
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
