import assert from 'node:assert/strict';
import { test } from 'node:test';
import Keyv from 'keyv';
import { readLedger, recordLedger, settleLedger, type LedgerEntry } from '../index.ts';
import { createCacheTracker, formatCacheSummary, summarizeCacheReports, type CacheView } from './index.ts';

const policy = 'Answer from the order page only.\n'.repeat(200);
const view = (time: string, messages: CacheView['messages']): CacheView => ({
  system: [`Now: ${time}\n${policy}`],
  tools: [],
  messages,
});

test('cache reports in the ledger give each namespace its share repeated and its miss causes', async () => {
  const store = new Keyv();
  const tracker = createCacheTracker();
  const record = async (namespace: string, calls: CacheView[]) => {
    for (const call of calls) {
      const report = await tracker.plan(call, { namespace }).report();
      await recordLedger(store, { type: 'cache-report', at: Date.now(), namespace, source: 'ai', detail: { ...report } });
    }
  };
  const user = { role: 'user' as const, text: 'where is order 42?' };
  const assistant = { role: 'assistant' as const, text: 'looking' };
  await record('support', [view('2026-12-02T10:14:03Z', [user]), view('2026-12-02T10:14:41Z', [user, assistant]), view('2026-12-02T10:15:10Z', [user, assistant, user])]);
  await record('billing', [view('2026-12-02', [user]), view('2026-12-02', [user, assistant])]);
  // Entries of other types and malformed reports are not counted.
  await recordLedger(store, { type: 'compress', at: Date.now(), namespace: 'support', tokensBefore: 10, tokensAfter: 5 });
  await recordLedger(store, { type: 'cache-report', at: Date.now(), namespace: 'support', detail: { tokens: 'many' } });
  await settleLedger();

  const summary = summarizeCacheReports(await readLedger(store));
  const support = summary.find((entry) => entry.namespace === 'support')!;
  const billing = summary.find((entry) => entry.namespace === 'billing')!;
  assert.equal(support.calls, 3);
  assert.deepEqual(support.causes.map((cause) => [cause.kind, cause.calls]), [['timestamp', 2]]);
  assert.match(support.causes[0]!.example, /^system\[0\] chars 5–24: "2026-12-02T10:14:41Z" → "2026-12-02T10:15:10Z"$/);
  assert.ok(support.causes[0]!.tokens > 0.9 * support.tokens * (2 / 3), 'the whole of calls 2 and 3 came after the change');
  assert.deepEqual(billing.causes, []);
  assert.ok(billing.stablePrefixTokens > 0.45 * billing.tokens, 'the second call repeated all of the first');

  const text = formatCacheSummary(summary);
  assert.match(text, /^prompt cache, per namespace/);
  assert.match(text, /\n {2}support {2}3 calls {2}\d+\.\d% repeated\n {4}miss: timestamp {2}2 calls {2}[\d,]+ tokens after it {2}e\.g\. system\[0\] chars 5–24/);
  assert.equal(formatCacheSummary(summarizeCacheReports([] as LedgerEntry[])), '');
});
