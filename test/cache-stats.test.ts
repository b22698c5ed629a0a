import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createSqliteStore, settleLedger } from 'tokenfold';
import { tokenfoldMiddleware } from 'tokenfold/ai';
import { frameworks } from '../adapters/ai/test-support/frameworks.ts';

const folder = mkdtempSync(join(tmpdir(), 'tokenfold-cache-stats-'));
after(() => rmSync(folder, { recursive: true, force: true }));

test('`tokenfold stats` shows the cache-miss causes an adapter recorded, per namespace', async () => {
  const path = join(folder, 'folds.sqlite');
  const store = await createSqliteStore(path);
  const framework = frameworks[0]!;
  const policy = 'Answer from the order page only.\n'.repeat(200);
  let reports = 0;
  const middleware = tokenfoldMiddleware({ store, namespace: 'support', onCacheReport: () => reports++ });
  const { model } = framework.mockModel((_call, index) => (index < 2 ? { toolCalls: [{ id: `call-${index}`, name: 'lookup', input: {} }] } : { text: 'done' }));
  await framework.generateText({
    model: framework.wrapLanguageModel({ model, middleware }),
    tools: { lookup: framework.tool({ description: 'Looks an order up.', inputSchema: framework.jsonSchema({ type: 'object' }), execute: async () => 'order 42: shipped' }) },
    prepareStep: ({ stepNumber }: { stepNumber: number }) => ({ system: `Now: 2026-12-02T10:1${stepNumber}:03Z\n${policy}` }),
    stopWhen: framework.stepCountIs(3),
    prompt: 'Where is order 42?',
  });
  for (let tries = 0; tries < 200 && reports < 3; tries++) await new Promise((resolve) => setTimeout(resolve, 5));
  await settleLedger();
  await store.disconnect();

  const cli = join(import.meta.dirname, '..', 'cli', 'index.ts');
  const result = spawnSync(process.execPath, ['--conditions=tokenfold-source', cli, 'stats', '--store', path], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /prompt cache, per namespace/);
  assert.match(result.stdout, /\n {2}support {2}3 calls {2}\d+\.\d% repeated\n {4}miss: timestamp {2}2 calls {2}[\d,]+ tokens after it {2}e\.g\. system\[0\] chars 5–24: "2026-12-02T10:11:03Z" → "2026-12-02T10:12:03Z"/);
  const json = JSON.parse(spawnSync(process.execPath, ['--conditions=tokenfold-source', cli, 'stats', '--store', path, '--json'], { encoding: 'utf8' }).stdout);
  assert.equal(json.cache[0].causes[0].kind, 'timestamp');
  assert.equal(json.byType['cache-report'], undefined, 'cache reports are not counted as savings');
});
