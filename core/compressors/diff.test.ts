import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compress, estimateTokens, o200kCounter, type CompressResult } from 'tokenfold';
import { compressDiff } from './diff.ts';
import { restore } from './test-support/restore.ts';

// Hostile inputs must end; how fast such inputs go is measured in bench/reliability.ts (hostile
// inputs, 100 MB inputs), never asserted here.
const HANG_GUARD = { timeout: 60_000 };

async function compressDiffText(text: string, options: { query?: string; budget?: number } = {}): Promise<CompressResult> {
  // Small diffs are read whole unless a budget is given; these tests give one.
  const result = await compress(text, { kind: 'diff', minTokens: 0, budget: 256, ...options });
  assert.equal(result.passThrough, undefined, 'expected the diff to compress');
  assert.equal(await restore(result.text), text, 'folds must restore the input byte for byte');
  return result;
}

function changedLines(diff: string): string[] {
  return diff.split('\n').filter((line) => /^[+-](?!\+\+ |-- )/.test(line));
}

const numbered = (count: number, from: number, line: (i: number) => string) =>
  Array.from({ length: count }, (_, i) => line(from + i)).join('\n');

// `git diff -U8` of a source file: long context around two small changes.
const source = `diff --git a/src/billing/invoice.ts b/src/billing/invoice.ts
index 3f2a9c1..8be0d47 100644
--- a/src/billing/invoice.ts
+++ b/src/billing/invoice.ts
@@ -40,20 +40,21 @@ export class Invoice {
${numbered(8, 40, (i) => `   private readonly line${i} = computeLineTotal(this.items[${i}], this.currency);`)}
-  total(): number {
-    return this.items.reduce((sum, item) => sum + item.price, 0);
+  total(): Money {
+    const cents = this.items.reduce((sum, item) => sum + item.priceInCents, 0);
+    return Money.fromCents(cents, this.currency);
   }
${numbered(8, 51, (i) => `   private readonly extra${i} = computeLineTotal(this.extras[${i}], this.currency);`)}
-  // TODO: rounding
+  // Rounds half to even, as the tax office asks.
${numbered(3, 60, (i) => `   private readonly tail${i} = computeLineTotal(this.tail[${i}], this.currency);`)}
`;

const lockfile = `diff --git a/package-lock.json b/package-lock.json
index 1111111..2222222 100644
--- a/package-lock.json
+++ b/package-lock.json
@@ -1,300 +1,300 @@
${numbered(300, 0, (i) => `-      "integrity": "sha512-${'a'.repeat(20)}${i}",\n+      "integrity": "sha512-${'b'.repeat(20)}${i}",`)}
`;

const rename = `diff --git a/lib/old_name.py b/lib/new_name.py
similarity index 100%
rename from lib/old_name.py
rename to lib/new_name.py
`;

describe('compressDiff', () => {
  it('keeps headers, hunk headers and every changed line, and trims context to one line around changes', async () => {
    const result = await compressDiffText(source);
    const visible = result.text.split('\n');
    for (const line of source.split('\n').slice(0, 5)) assert.ok(visible.includes(line), line);
    for (const line of changedLines(source)) assert.ok(visible.includes(line), line);
    // One context line stays on each side of a change; the rest folds as unchanged.
    assert.ok(visible.includes('   private readonly line47 = computeLineTotal(this.items[47], this.currency);'));
    assert.ok(!visible.includes('   private readonly line40 = computeLineTotal(this.items[40], this.currency);'));
    assert.ok(visible.includes('   }'));
    assert.ok(!visible.includes('   private readonly extra51 = computeLineTotal(this.extras[51], this.currency);'));
    assert.ok(visible.includes('   private readonly extra58 = computeLineTotal(this.extras[58], this.currency);'));
    assert.ok(result.folds.length >= 2 && result.folds.every((fold) => fold.summary === 'unchanged'));
  });

  it('folds a lockfile whole behind its headers, with the count of changed lines', async () => {
    const result = await compressDiffText(`${source}${lockfile}${rename}`);
    const visible = result.text.split('\n');
    assert.ok(visible.includes('+++ b/package-lock.json'));
    assert.ok(result.folds.some((fold) => fold.summary === 'generated, +300 -300 lines'), JSON.stringify(result.folds));
    assert.ok(!result.text.includes('sha512-'));
    // A rename without hunks is all header: it stays.
    for (const line of rename.trim().split('\n')) assert.ok(visible.includes(line), line);
  });

  it('keeps a file open when the query names it', async () => {
    const result = await compressDiffText(`${source}${lockfile}`, { query: 'why did package-lock.json change?' });
    assert.ok(result.text.includes('sha512-'));
    assert.ok(result.folds.every((fold) => fold.summary === 'unchanged'));
  });

  it('folds no changed line while the exact count of what it shows fits the budget', async () => {
    // Code is punctuation-dense: the quick estimate runs about a quarter over the exact count.
    const code = numbered(30, 0, (i) => `-  if (options?.[${i}] && !cache.has(key${i})) return fn${i}({ ...args, id: ids[${i}] });\n+  if (options?.[${i}] !== undefined && !cache.has(key${i})) return fn${i}({ ...args, id: ids[${i}]! });`);
    const diff = `diff --git a/src/a.ts b/src/a.ts\nindex 1..2 100644\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1,30 +1,30 @@\n${code}\n`;
    // No context lines: all of it is what the compressor shows when nothing folds.
    const exact = o200kCounter.count(diff);
    assert.ok(estimateTokens(diff) > exact + 20, 'the estimate runs over the exact count here');
    const result = await compress(diff, { kind: 'diff', minTokens: 0, budget: exact + 5 });
    for (const line of changedLines(diff)) assert.ok(result.text.includes(line), line);
  });

  it('does not keep every file open for a query term that all their paths share', async () => {
    // `tokenfold run -- git log -p -- src` asks with its command line: `src` is in every path.
    const result = await compressDiffText(`${source}${source.replaceAll('invoice.ts', 'receipt.ts')}`, { query: 'git log -p -- src' });
    assert.ok(result.folds.some((fold) => fold.summary === 'unchanged'), JSON.stringify(result.folds));
    const named = await compressDiffText(`${source}${source.replaceAll('invoice.ts', 'receipt.ts')}`, { query: 'git log -p -- src/billing/receipt.ts' });
    assert.ok(named.text.includes('   private readonly line40 = computeLineTotal(this.items[40], this.currency);'), 'the named file stays open');
  });

  it('folds the largest hunks to meet the budget, with +added -removed in thousands', async () => {
    const huge = `diff --git a/data/cities.csv b/data/cities.csv
index 5555555..6666666 100644
--- a/data/cities.csv
+++ b/data/cities.csv
@@ -1,987 +1,1204 @@
${numbered(987, 0, (i) => `-city-${i},country-${i % 50},${i * 17}`)}
${numbered(1204, 0, (i) => `+city-${i},country-${i % 50},${i * 17},region-${i % 7}`)}
`;
    const result = await compressDiffText(`${source}${huge}`, { budget: 600 });
    assert.ok(result.folds.some((fold) => fold.summary === '+1,204 -987 lines'), JSON.stringify(result.folds));
    assert.ok(result.text.includes('@@ -1,987 +1,1204 @@'));
    for (const line of changedLines(source)) assert.ok(result.text.includes(line), line);
    assert.ok(result.tokensAfter < 1000);
  });

  it('reads a removed `-- comment` line and an added `++ x` line as changes, not headers', async () => {
    const sql = `diff --git a/db/schema.sql b/db/schema.sql
index 7777777..8888888 100644
--- a/db/schema.sql
+++ b/db/schema.sql
@@ -1,12 +1,12 @@
${numbered(5, 0, (i) => ` CREATE INDEX idx_orders_${i} ON orders (customer_id, created_at, status_${i});`)}
--- old comment about the orders table
+++ new comment about the orders table
${numbered(5, 5, (i) => ` CREATE INDEX idx_orders_${i} ON orders (customer_id, created_at, status_${i});`)}
-DROP TABLE legacy;
+DROP TABLE IF EXISTS legacy;
`;
    const result = await compressDiffText(sql);
    const visible = result.text.split('\n');
    for (const line of ['--- old comment about the orders table', '+++ new comment about the orders table', '+DROP TABLE IF EXISTS legacy;']) {
      assert.ok(visible.includes(line), line);
    }
  });

  it('folds the base85 data of a binary patch', async () => {
    const binary = `diff --git a/assets/logo.png b/assets/logo.png
index 9999999..aaaaaaa 100644
GIT binary patch
literal 4096
${numbered(40, 0, (i) => `zcmV-${'Q'.repeat(60)}${i}`)}

literal 0
HcmV?d00001

`;
    const result = await compressDiffText(`${source}${binary}`);
    assert.ok(result.text.includes('GIT binary patch'));
    assert.ok(result.folds.some((fold) => fold.summary === 'binary patch'));
  });

  it('compresses the real SWE-agent submissions together and keeps every changed line', async () => {
    const folder = '../shared/corpora/agent/swe-agent';
    const submissions = new Set(
      readdirSync(folder)
        .filter((name) => name.endsWith('.traj'))
        .map((name) => JSON.parse(readFileSync(`${folder}/${name}`, 'utf8')).info?.submission)
        .filter((submission): submission is string => typeof submission === 'string' && submission.trimStart().startsWith('diff --git')),
    );
    assert.ok(submissions.size >= 3);
    const diff = [...submissions].join('');
    const result = await compress(diff, { minTokens: 0, budget: 256 });
    assert.equal(result.kind, 'diff');
    assert.equal(await restore(result.text), diff);
    for (const line of changedLines(diff)) assert.ok(result.text.includes(line), line);
    assert.ok(result.text.includes('+++ b/src/marshmallow/fields.py'));
  });

  it('passes through a diff with nothing worth folding', () => {
    const context = { query: '', budget: 10_000, countTokens: estimateTokens, estimateTokens };
    assert.equal(compressDiff(rename, context), undefined);
    assert.equal(compressDiff('no diff here\n', context), undefined);
  });

  it('gives the same pieces for the same input', () => {
    const context = { query: 'invoice', budget: 300, countTokens: estimateTokens, estimateTokens };
    const text = `${source}${lockfile}${rename}`;
    assert.deepEqual(compressDiff(text, context), compressDiff(text, context));
  });

  it('survives adversarial input', HANG_GUARD, () => {
    const context = { query: 'x', budget: 500, countTokens: estimateTokens, estimateTokens };
    const inputs = [
      'x'.repeat(5_000_000),
      `diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,999999999 +1,999999999 @@\n${' context\n'.repeat(300_000)}`,
      `diff --git a/x b/x\n--- a/x\n+++ b/x\n${'@@ -1 +1 @@\n-a\n+b\n'.repeat(200_000)}`,
      `diff --git a/x b/x\n--- a/x\n+++ b/x\n@@@ -1,2 -1,2 +1,3 @@@\n${'- a\n +b\n++c\n'.repeat(200_000)}`,
      `${'diff --git a/x b/x\n'.repeat(300_000)}`,
      `diff --git a/${'a/'.repeat(1_000_000)} b/${'b/'.repeat(1_000_000)}\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-${'x'.repeat(3_000_000)}\n+y\n`,
    ];
    for (const input of inputs) {
      compressDiff(input, context);
    }
  });
});
