import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Keyv from 'keyv';
import { compress } from 'tokenfold';
import type { RelevanceScorer } from 'tokenfold';

// Sentences about one topic each; a query that BM25 matches to the first, and a "model" that
// prefers the last: the kept text shows whose scores the text compressor used.
const document = Array.from({ length: 24 }, (_, index) => `Paragraph ${index} is about the harbour of town number ${index}, its ships and its trade.`).join('\n\n');

function preferLast(calls: string[]): RelevanceScorer {
  return {
    prepare: async (_text, query) => {
      calls.push(query);
      return ({ units }) => units.map((_unit, index) => index);
    },
  };
}

describe('compress with a relevance model', () => {
  it('ranks text units with the model instead of BM25', async () => {
    const calls: string[] = [];
    const query = 'harbour of town number 0';
    const withModel = await compress(document, { kind: 'text', query, budget: 60, relevance: preferLast(calls), store: new Keyv() });
    const withBm25 = await compress(document, { kind: 'text', query, budget: 60, store: new Keyv() });
    assert.deepEqual(calls, [query]);
    assert.match(withModel.text, /town number 23/);
    assert.doesNotMatch(withModel.text, /town number 0,/);
    assert.match(withBm25.text, /town number 0,/);
  });

  it('falls back to BM25 when the model rejects, returns nothing or returns the wrong number of scores', async () => {
    const query = 'harbour of town number 0';
    const expected = (await compress(document, { kind: 'text', query, budget: 60, store: new Keyv() })).text;
    const broken: RelevanceScorer[] = [
      { prepare: () => Promise.reject(new Error('model file corrupt')) },
      { prepare: async () => undefined },
      { prepare: async () => () => [1, 2] },
      { prepare: async () => () => { throw new Error('shape'); } },
    ];
    for (const relevance of broken) {
      const result = await compress(document, { kind: 'text', query, budget: 60, relevance, store: new Keyv() });
      assert.equal(result.text, expected);
    }
  });

  it('does not ask the model without a query or for other kinds', async () => {
    const calls: string[] = [];
    await compress(document, { kind: 'text', budget: 60, relevance: preferLast(calls), store: new Keyv() });
    await compress(document, { kind: 'log', query: 'harbour', relevance: preferLast(calls), store: new Keyv() });
    assert.deepEqual(calls, []);
  });
});

describe('the shipped relevance model', () => {
  it('loads with onnxruntime-node and ranks text through compress, deterministically and without warnings', async () => {
    const { relevanceFor } = await import('tokenfold/models');
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const relevance = relevanceFor('shipped');
      const query = 'What does town number 7 trade?';
      const first = await compress(document, { kind: 'text', query, budget: 60, relevance, store: new Keyv() });
      const second = await compress(document, { kind: 'text', query, budget: 60, relevance, store: new Keyv() });
      assert.equal(first.text, second.text);
      assert.match(first.text, /town number 7,/);
      assert.ok(first.tokensAfter < first.tokensBefore / 2);
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings.filter((message) => message.includes('tokenfold')), []);
  });
});
