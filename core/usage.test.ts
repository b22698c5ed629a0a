import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Keyv from 'keyv';
import { createSavingsTally, o200kCounter, readLedger, recordUsage, settleLedger, usageByPolicy, usagePolicy, type LedgerEntry, type UnfoldEvent } from 'tokenfold';
import { usageTable } from '../cli/stats.ts';

describe('provider usage in the ledger', () => {
  it('records one entry per call with its policy, and totals each policy with its cost at Anthropic\'s prices', async () => {
    const store = new Keyv();
    await recordUsage(store, { inputTokens: 10_000, cacheReadTokens: 0, cacheWriteTokens: 9_000 }, { namespace: 'n', source: 'ai', policy: 'keep' });
    await recordUsage(store, { inputTokens: 11_000, cacheReadTokens: 9_000, cacheWriteTokens: 1_500 }, { namespace: 'n', source: 'ai', policy: 'keep' });
    await recordUsage(store, { inputTokens: 8_000, cacheReadTokens: 0, cacheWriteTokens: 0 }, { namespace: 'n', source: 'ai', policy: 'off' });
    await recordUsage(store, undefined, { policy: 'off' });
    await settleLedger();
    const entries = await readLedger(store, { namespace: 'n' });
    assert.equal(entries.length, 3);
    const totals = usageByPolicy(entries);
    // keep: uncached 1,000 + 500, reads 9,000 × 0.1, writes 10,500 × 1.25.
    assert.deepEqual(totals.keep, { calls: 2, inputTokens: 21_000, cacheReadTokens: 9_000, cacheWriteTokens: 10_500, cost: 1_500 + 900 + 13_125 });
    assert.deepEqual(totals.off, { calls: 1, inputTokens: 8_000, cacheReadTokens: 0, cacheWriteTokens: 0, cost: 8_000 });
  });

  it('caps cached counts at the input count for entries a store hands back broken', () => {
    const broken: LedgerEntry = { type: 'usage', at: 0, inputTokens: 100, cacheReadTokens: 500, cacheWriteTokens: -3, detail: { policy: 'nonsense' } };
    assert.deepEqual(usageByPolicy([broken]).unknown, { calls: 1, inputTokens: 100, cacheReadTokens: 100, cacheWriteTokens: 0, cost: 10 });
  });

  it('tags calls with the session policy an adapter runs under', () => {
    assert.deepEqual([usagePolicy(undefined), usagePolicy(false), usagePolicy(true), usagePolicy({}), usagePolicy({ history: 'batch' })], ['off', 'off', 'keep', 'keep', 'batch']);
  });

  it('prints a table per policy for tokenfold stats, and nothing without usage', () => {
    const table = usageTable({ batch: { calls: 2, inputTokens: 21_000, cacheReadTokens: 9_000, cacheWriteTokens: 10_500, cost: 15_525 } });
    assert.match(table, /batch\s+2\s+21,000\s+42\.9%\s+50\.0%\s+15,525/);
    assert.equal(usageTable({}), '');
  });
});

describe('createSavingsTally', () => {
  it('nets unfold answers against what the outputs saved, and counts an unfold once per tool call', async () => {
    const events: UnfoldEvent[] = [];
    const savings = createSavingsTally({ onUnfold: (event) => events.push(event) });
    savings.sent(1_000, 200);
    savings.sent(500, 450);
    const answer = 'line one\nline two\n';
    await savings.unfolded(answer, { toolCallId: 'call-1', input: { id: '482913075561204' } });
    await savings.unfolded(answer, { toolCallId: 'call-1', input: { id: '482913075561204' } });
    const returned = o200kCounter.count(answer);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0], {
      id: '482913075561204',
      toolCallId: 'call-1',
      tokensReturned: returned,
      savings: { outputs: 2, tokensBefore: 1_500, tokensAfter: 650, tokensSaved: 850, unfolds: 1, tokensReturned: returned, netSaved: 850 - returned },
    });
    // A diff that replaced a counted compression corrects the totals without a second output.
    assert.equal(savings.sent(0, -100, false).tokensSaved, 950);
    assert.equal(savings.current().outputs, 2);
  });

  it('survives a throwing listener', async () => {
    const errors: unknown[] = [];
    const savings = createSavingsTally({ onUnfold: () => { throw new Error('listener bug'); }, onError: (error) => errors.push(error) });
    await savings.unfolded('text', { toolCallId: 'x' });
    assert.equal(errors.length, 1);
    assert.equal(savings.current().unfolds, 1);
  });
});
