import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anthropicCosts, openAiCosts, type PricedBlock, type PricedCall } from './pricing.ts';

const block = (text: string, tokens: number): PricedBlock => ({ text, tokens });
const system = block('system', 2000);
const countChars = (text: string) => text.length;

test('Anthropic: the first call writes up to its breakpoint, the next reads it and writes what it added', () => {
  const calls: PricedCall[] = [
    { at: 0, blocks: [system, block('user', 100)], breakpoints: [{ index: 1, ttl: '5m' }] },
    { at: 60_000, blocks: [system, block('user', 100), block('assistant', 50), block('tool', 800)], breakpoints: [{ index: 3, ttl: '5m' }] },
  ];
  const [first, second] = anthropicCosts(calls);
  assert.deepEqual(first, { tokens: 2100, read: 0, write: 2100, uncached: 0, cost: 2100 * 1.25, readBlocks: 0, writtenBlocks: 2, writePrice: 1.25 });
  assert.deepEqual(second, { tokens: 2950, read: 2100, write: 850, uncached: 0, cost: 2100 * 0.1 + 850 * 1.25, readBlocks: 2, writtenBlocks: 4, writePrice: 1.25 });
});

test('Anthropic: no breakpoint, a changed prefix, an expired entry or a short prefix cache nothing', () => {
  const withBreakpoint = (at: number, head: PricedBlock): PricedCall => ({ at, blocks: [head, block('user', 100)], breakpoints: [{ index: 1, ttl: '5m' }] });
  assert.equal(anthropicCosts([{ at: 0, blocks: [system] }])[0]!.uncached, 2000);
  const changed = anthropicCosts([withBreakpoint(0, system), withBreakpoint(1000, block('system 2', 2000))]);
  assert.equal(changed[1]!.read, 0);
  const expired = anthropicCosts([withBreakpoint(0, system), withBreakpoint(6 * 60_000, system)]);
  assert.equal(expired[1]!.read, 0);
  const hour = anthropicCosts([
    { ...withBreakpoint(0, system), breakpoints: [{ index: 1, ttl: '1h' }] },
    { ...withBreakpoint(30 * 60_000, system), breakpoints: [{ index: 1, ttl: '1h' }] },
  ]);
  assert.equal(hour[0]!.cost, 2100 * 2);
  assert.equal(hour[1]!.read, 2100);
  const short = anthropicCosts([withBreakpoint(0, block('short', 500)), withBreakpoint(1000, block('short', 500))]);
  assert.deepEqual([short[0]!.write, short[1]!.read], [0, 0]);
});

test('Anthropic: a cached prefix more than 20 blocks before every breakpoint is not found', () => {
  const many = Array.from({ length: 25 }, (_, index) => block(`part ${index}`, 10));
  const calls: PricedCall[] = [
    { at: 0, blocks: [system], breakpoints: [{ index: 0, ttl: '5m' }] },
    { at: 1000, blocks: [system, ...many], breakpoints: [{ index: 25, ttl: '5m' }] },
  ];
  assert.equal(anthropicCosts(calls)[1]!.read, 0);
  const near = [{ ...calls[1]!, breakpoints: [{ index: 0, ttl: '5m' as const }, { index: 25, ttl: '5m' as const }] }];
  assert.equal(anthropicCosts([calls[0]!, ...near])[1]!.read, 2000);
});

test('OpenAI: the shared prefix is read from 1,024 tokens up in steps of 128, at 0.25x', () => {
  const calls: PricedCall[] = [
    { at: 0, blocks: [system, block('user', 100)] },
    { at: 1000, blocks: [system, block('user', 100), block('more', 300)] },
    { at: 2000, blocks: [block('abcdef', 1100), block('x', 10)] },
    { at: 3000, blocks: [block('abcxyz', 1100), block('x', 10)] },
  ];
  const costs = openAiCosts(calls, countChars);
  assert.deepEqual(costs[0], { tokens: 2100, read: 0, write: 0, uncached: 2100, cost: 2100 });
  assert.equal(costs[1]!.read, 1024 + 8 * 128); // 2,100 shared
  assert.equal(costs[1]!.cost, 2400 - 2048 + 2048 * 0.25);
  // Sharing three characters (three "tokens" here) of the first block is under the minimum.
  assert.equal(costs[3]!.read, 0);
});
