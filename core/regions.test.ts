import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import Keyv from 'keyv';
import { compress, estimateTokens, findMarkers, unfold } from 'tokenfold';
import { compressStructured, vetoFolds } from './regions.ts';
import type { CompressorContext, Piece } from './types.ts';

const repeat = (count: number, line: (index: number) => string) => Array.from({ length: count }, (_, index) => line(index));
const context = (budget: number): CompressorContext => ({ query: '', budget, countTokens: estimateTokens, estimateTokens });
const expand = (pieces: readonly Piece[]) => pieces.map((piece) => (typeof piece === 'string' ? piece : piece.text)).join('');

describe('vetoFolds', () => {
  const lines = ['a', 'b', 'ERROR c', 'd', 'e'];

  it('splits a contiguous fold around a line the evidence keeps, losing nothing', () => {
    const pieces: Piece[] = [{ text: lines.join('\n'), unit: 'lines', count: 5, firstLine: 1, summary: 'five' }, '\n'];
    const checked = vetoFolds(pieces, lines, Uint8Array.from([0, 0, 1, 0, 0]))!;
    assert.equal(expand(checked), `${lines.join('\n')}\n`);
    assert.ok(checked.includes('ERROR c\n'));
    assert.deepEqual(checked.filter((piece) => typeof piece !== 'string').map((fold) => (fold as { firstLine: number }).firstLine), [1, 4]);
  });

  it('refuses a fold gathered from many places that hides a kept line', () => {
    const gathered: Piece[] = [{ text: 'b\nERROR c', unit: 'lines', count: 2, lineNumbers: [2, 3] }];
    assert.equal(vetoFolds(gathered, lines, Uint8Array.from([0, 0, 1, 0, 0])), undefined);
  });
});

describe('compressStructured', () => {
  it('compresses a CI log region by region, keeping the failure at the end that the budget would otherwise starve', () => {
    const text = [
      ...repeat(300, (index) => `   Compiling crate-${index} v0.${index}.3 (/home/dev/deps/crate-${index})`),
      ...repeat(400, (index) => `2026-12-02 10:${String(Math.floor(index / 60) % 60).padStart(2, '0')}:${String(index % 60).padStart(2, '0')} INFO server: request ${index} served in ${index % 17} ms from cache shard ${index % 5}`),
      '+./scripts/check-schema --event-file=/tmp/tmp.TZ43 --schema=strict.json',
      'flag provided but not defined: -event-file',
      'Usage of ./scripts/check-schema:',
      '  -schema string',
      'The command "ci/run-tests.sh" exited with 2.',
    ].join('\n');
    const { pieces, regions, kind } = compressStructured(text, 'build', true, context(2000));
    assert.ok(regions && regions.length >= 2, JSON.stringify(regions));
    assert.equal(kind, 'log', 'the kind that covers most lines');
    const visible = pieces!.filter((piece) => typeof piece === 'string').join('');
    for (const line of ['flag provided but not defined: -event-file', '+./scripts/check-schema --event-file=/tmp/tmp.TZ43 --schema=strict.json', 'The command "ci/run-tests.sh" exited with 2.']) {
      assert.ok(visible.includes(line), line);
    }
    assert.equal(expand(pieces!), text);
  });

  it('folds the middle of a line too long to keep, its head and tail in view, but keeps an error line whole up to 10,000 characters', () => {
    const progress = `Pulling fs layer ${'#'.repeat(20_000)} 100%`;
    const error = `- The requested package acme/bridge 4.4@dev exists as acme/bridge[${repeat(300, (index) => `v2.${index}.0`).join(', ')}] but these are rejected.`;
    // The progress line is last, where the last lines are kept.
    const text = [...repeat(60, (index) => `step ${index}: fetched layer ${index}`), 'Your requirements could not be resolved to an installable set of packages.', error, ...repeat(10, (index) => `cleanup ${index}`), progress].join('\n');
    const { pieces } = compressStructured(text, 'build', true, context(800));
    const visible = pieces!.filter((piece) => typeof piece === 'string').join('');
    assert.ok(visible.includes(error), 'the error line stays whole');
    assert.ok(visible.includes(progress.slice(0, 300)) && visible.includes(progress.slice(-300)) && !visible.includes(progress));
    assert.equal(expand(pieces!), text);
  });
});

describe('compress on line-structured output', () => {
  it('numbers folds of every region with the input’s line numbers', async () => {
    const store = new Keyv();
    const text = [
      ...repeat(200, (index) => `   Compiling crate-${index} v0.${index}.3 (/home/dev/deps/crate-${index})`),
      ...repeat(300, (index) => `2026-12-02 10:${String(Math.floor(index / 60)).padStart(2, '0')}:${String(index % 60).padStart(2, '0')} INFO server: request ${index} served`),
      'error: could not compile `app` due to 1 previous error',
    ].join('\n');
    const result = await compress(text, { store });
    assert.ok(result.segments && result.segments.length >= 2, JSON.stringify(result.segments));
    const inputLines = text.split('\n');
    assert.ok(findMarkers(result.text).length > 1, 'folds in more than one region');
    for (const { id } of findMarkers(result.text)) {
      const back = await unfold(id, { store, grep: '.' });
      assert.equal(back.status, 'ok');
      if (back.status !== 'ok') continue;
      for (const numbered of back.text.split('\n')) {
        const [, number, line] = /^(\d+): (.*)$/s.exec(numbered)!;
        assert.equal(inputLines[Number(number) - 1], line, `line ${number} of fold ${id}`);
      }
    }
  });

  it('reads small outputs whole and only minifies small JSON, unless a budget is given', async () => {
    const log = repeat(40, (index) => `2026-12-02 10:14:${String(index).padStart(2, '0')} INFO job ${index} done`).join('\n');
    assert.equal((await compress(log)).passThrough, 'small');
    assert.ok((await compress(log, { budget: 100 })).folds.length > 0);
    const json = JSON.stringify({ reservations: ['JG7FMM', 'H8Q2XR', 'BOH180', 'K5ZZ01', 'P9WQ3E'], user: { id: 'mia_li_3668', name: 'Mia Li' }, notes: 'x '.repeat(200) }, null, 2);
    const result = await compress(json);
    assert.equal(result.passThrough, undefined);
    assert.ok(result.text.length < json.length, 'minified');
    assert.equal(result.folds.length, 0);
    assert.deepEqual(JSON.parse(result.text), JSON.parse(json));
  });

  it('treats a budget the caller gives as a ceiling, and says when what must stay is over it', async () => {
    const lines = readFileSync(new URL('../test/fixtures/failures/jest-verbose-many-suites.txt', import.meta.url), 'utf8');
    const roomy = await compress(lines, { budget: 2000 });
    assert.ok(roomy.tokensAfter <= 2000 && !roomy.overBudget, `${roomy.tokensAfter} tokens`);
    const tight = await compress(lines, { budget: 50 });
    assert.equal(tight.overBudget, true);
    assert.equal(tight.budget, 50);
  });

  it('takes a budget rule: documentBudget compresses a small passage for its query', async () => {
    const passage = repeat(30, (index) => `The harbour of town ${index} was rebuilt in ${1800 + index} after a storm destroyed the old piers.`).join(' ');
    assert.equal((await compress(passage, { query: 'when was the harbour of town 7 rebuilt' })).passThrough, 'small');
    const { documentBudget } = await import('tokenfold');
    const compressed = await compress(passage, { query: 'when was the harbour of town 7 rebuilt', budget: documentBudget });
    assert.equal(compressed.passThrough, undefined);
    assert.ok(compressed.text.includes('1807'));
  });
});
