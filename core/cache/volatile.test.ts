import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseTtl } from './breakpoints.ts';
import { compareTexts, mask } from './volatile.ts';

const kinds = (text: string) => mask(text).spans.map((span) => [text.slice(span.start, span.end), span.kind, span.onSight === true]);

test('each volatile shape is found and named; dates with a time and UUIDs count on sight', () => {
  assert.deepEqual(kinds('Now: 2026-12-02T10:14:03.120+01:00.'), [['2026-12-02T10:14:03.120+01:00', 'timestamp', true]]);
  assert.deepEqual(kinds('Date: Tue, 02 Dec 2026 10:14:03 GMT'), [['Tue, 02 Dec 2026 10:14:03 GMT', 'timestamp', true]]);
  assert.deepEqual(kinds('trace 6f1c2a3e-0b4d-4c8e-9a71-2f3e4d5c6b7a'), [['6f1c2a3e-0b4d-4c8e-9a71-2f3e4d5c6b7a', 'uuid', true]]);
  assert.deepEqual(kinds('Today is Tuesday, December 2, 2026 (12/02/2026).'), [
    ['Tuesday', 'date', false],
    ['December 2, 2026', 'date', false],
    ['12/02/2026', 'date', false],
  ]);
  assert.deepEqual(kinds('at 9:05 PM'), [['9:05 PM', 'timestamp', false]]);
  assert.deepEqual(kinds('request req_8fK2mQ91x, epoch 1764670443'), [
    ['req_8fK2mQ91x', 'request-id', false],
    ['1764670443', 'timestamp', false],
  ]);
  assert.deepEqual(kinds('commit 3f2a9c1d0b8e7f6a5b4c, step 12 of 50'), [
    ['3f2a9c1d0b8e7f6a5b4c', 'request-id', false],
    ['12', 'counter', false],
    ['50', 'counter', false],
  ]);
  assert.deepEqual(kinds('snake_case_function_name and plain words'), []);
});

test('only values that changed are volatile; a change in words is one region', () => {
  const before = 'Step 3 of 50, at 10:14. Be brief.';
  const after = 'Step 4 of 50, at 10:15. Be brief.';
  const { changes, volatile } = compareTexts('system[0]', before, after, 'text-changed');
  assert.deepEqual(volatile, [0, 2]);
  assert.deepEqual(changes.map((change) => change.example), ['system[0] chars 5–5: "3" → "4"', 'system[0] chars 17–21: "10:14" → "10:15"']);

  const words = compareTexts('system[0]', 'You help Alice with orders.', 'You help Bob with orders.', 'text-changed');
  assert.deepEqual(words.volatile, []);
  assert.equal(words.changes[0]!.example, 'system[0] chars 9–11: "Alice" → "Bob"');
  assert.deepEqual(compareTexts('system[0]', before, before, 'text-changed'), { changes: [], volatile: [] });
});

test('the TTL arithmetic: an hour pays for long pauses over a large prefix, not for quick steps', () => {
  const pauses = chooseTtl({ gapsMs: [40_000, 420_000, 600_000], prefixTokens: 20_000, addedTokens: 800 });
  // 5 minutes: 1.25·800 + 20,000·(⅓·0.1 + ⅔·1.25) = 18,333; an hour: 2·800 + 20,000·0.1 = 3,600.
  assert.equal(Math.round(pauses.cost5m), 18_333);
  assert.equal(Math.round(pauses.cost1h), 3_600);
  assert.equal(pauses.ttl, '1h');
  assert.equal(chooseTtl({ gapsMs: [10_000, 20_000], prefixTokens: 20_000, addedTokens: 800 }).ttl, '5m');
  assert.equal(chooseTtl({ gapsMs: [], prefixTokens: 20_000, addedTokens: 800 }).ttl, '5m');
  // Gaps over an hour miss either way: the cheaper write wins.
  assert.equal(chooseTtl({ gapsMs: [2 * 3_600_000, 3 * 3_600_000], prefixTokens: 20_000, addedTokens: 800 }).ttl, '5m');
});
