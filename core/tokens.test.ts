import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { estimateTokens, o200kCounter, resolveTokenCounter, sampledTokenCount } from './tokens.ts';

const prose = 'The quick brown fox jumps over the lazy dog, again and again, 42 times.\n';

describe('o200kCounter', () => {
  it('counts exactly like gpt-tokenizer on ordinary text', () => {
    const text = prose.repeat(50) + '{"id": 505874924095815681, "url": "https://example.com/a?b=c"}';
    assert.equal(o200kCounter.count(text), countTokens(text));
  });

  it('counts special-token strings as text instead of throwing', () => {
    assert.ok(o200kCounter.count('a <|endoftext|> b') > 3);
  });

  it('stays close to the exact count on long runs of one letter or symbol, which it counts in chunks', () => {
    for (const run of ['='.repeat(5000), 'a'.repeat(5000)]) {
      const exact = countTokens(run);
      const chunked = o200kCounter.count(run);
      assert.ok(Math.abs(chunked - exact) <= 5, `${chunked} vs ${exact}`);
    }
  });

  it('proves a count is within a limit, or says false', () => {
    assert.equal(o200kCounter.countUpTo!(prose, 1000), countTokens(prose));
    assert.equal(o200kCounter.countUpTo!(prose.repeat(100), 10), false);
    assert.equal(o200kCounter.countUpTo!('-'.repeat(5000), 10), false);
  });
});

describe('resolveTokenCounter', () => {
  it('loads cl100k_base on demand and takes a custom counter as it is', async () => {
    const cl100k = await resolveTokenCounter('cl100k_base');
    assert.equal(cl100k.name, 'cl100k_base');
    assert.ok(cl100k.count(prose) > 0);
    const custom = { name: 'words', count: (text: string) => text.split(/\s+/).length };
    assert.equal(await resolveTokenCounter(custom), custom);
    await assert.rejects(resolveTokenCounter('p50k' as never), TypeError);
  });
});

describe('sampledTokenCount', () => {
  it('is exact for short inputs and within 10% for long ones', () => {
    assert.deepEqual(sampledTokenCount(prose, o200kCounter), { tokens: countTokens(prose), exact: true });
    const long = Array.from({ length: 3000 }, (_, index) => `2024-01-01 10:00:${index % 60} INFO request ${index} served in ${index % 97} ms`).join('\n');
    const sampled = sampledTokenCount(long, o200kCounter);
    const exact = countTokens(long);
    assert.equal(sampled.exact, false);
    assert.ok(Math.abs(sampled.tokens - exact) / exact < 0.1, `${sampled.tokens} vs ${exact}`);
  });
});

describe('estimateTokens', () => {
  it('lands within a factor of two of o200k on prose, JSON and logs', () => {
    const samples = [
      prose.repeat(20),
      JSON.stringify(Array.from({ length: 50 }, (_, id) => ({ id, name: `user${id}`, active: id % 2 === 0 }))),
      '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating\n'.repeat(20),
    ];
    for (const sample of samples) {
      const ratio = estimateTokens(sample) / countTokens(sample);
      assert.ok(ratio > 0.5 && ratio < 2, `ratio ${ratio}`);
    }
  });
});
