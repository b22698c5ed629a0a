import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import Keyv from 'keyv';
import { compress, findMarkers, foldId, TokenfoldError, unfold } from 'tokenfold';
import type { Compressor } from 'tokenfold';
import { compressors } from '../core/compressors/index.ts';

// The core's mechanics (rendering, store writes, pass-through rules) are tested with a stand-in
// compressor, so these tests do not depend on how any real specialist chooses what to keep.
const realText = compressors.text;
afterEach(() => {
  compressors.text = realText;
});

/** Keeps the first line of each paragraph and folds the rest of it. */
const firstLines: Compressor = (text) =>
  text.split('\n\n').flatMap((paragraph, index, all) => {
    const [head, ...rest] = paragraph.split('\n');
    const gap = index < all.length - 1 ? '\n\n' : '';
    if (rest.length === 0) return [head + gap];
    return [`${head}\n`, { text: rest.join('\n'), unit: 'lines' as const, count: rest.length, summary: 'more' }, gap];
  });

const paragraphs = Array.from({ length: 12 }, (_, p) =>
  Array.from({ length: 8 }, (_, l) => `paragraph ${p} line ${l}: the quick brown fox jumps over the lazy dog`).join('\n'),
).join('\n\n');

describe('compress', () => {
  it('renders kept text and one marker per fold, and writes each original to the store', async () => {
    compressors.text = firstLines;
    const store = new Keyv();
    const result = await compress(paragraphs, { kind: 'text', budget: 256, store });
    assert.equal(result.passThrough, undefined);
    assert.equal(result.folds.length, 12);
    assert.ok(result.tokensAfter < result.tokensBefore / 3);
    const markers = findMarkers(result.text);
    assert.deepEqual(markers.map((marker) => marker.id), result.folds.map((fold) => fold.id));
    for (const fold of result.folds) {
      const back = await unfold(fold.id, { store });
      assert.equal(back.status, 'ok');
      if (back.status === 'ok') assert.equal(foldId(back.text), fold.id);
    }
  });

  it('gives byte-identical output for the same input, and ids that are content hashes', async () => {
    compressors.text = firstLines;
    const first = await compress(paragraphs, { kind: 'text', budget: 256, store: new Keyv() });
    const second = await compress(paragraphs, { kind: 'text', budget: 256, store: new Keyv() });
    assert.equal(first.text, second.text);
    assert.deepEqual(first.folds, second.folds);
  });

  it('stores a repeated fold once and marks each place it stood', async () => {
    compressors.text = () => ['a\n', { text: 'same', unit: 'lines', count: 1 }, '\nb\n', { text: 'same', unit: 'lines', count: 1 }];
    const result = await compress('x '.repeat(400), { kind: 'text', budget: 256, store: new Keyv() });
    assert.equal(result.folds.length, 1);
    assert.equal(findMarkers(result.text).length, 2);
  });

  it('passes through when the compressed text would not be smaller', async () => {
    compressors.text = (text) => [text, { text: 'x', unit: 'chars', count: 1 }];
    const input = 'word '.repeat(500);
    const result = await compress(input, { kind: 'text', budget: 256, store: new Keyv() });
    assert.equal(result.passThrough, 'not-smaller');
    assert.equal(result.text, input);
    assert.deepEqual(result.folds, []);
  });

  it('passes through, with no marker and one report, when the store fails', async () => {
    compressors.text = firstLines;
    const failingStore = new Keyv({
      store: { get: async () => undefined, set: async () => { throw new Error('disk full'); }, delete: async () => false, clear: async () => {} },
    });
    const reports: string[] = [];
    const result = await compress(paragraphs, {
      kind: 'text',
      budget: 256,
      store: failingStore,
      onError: (_error, { stage }) => reports.push(stage),
    });
    assert.equal(result.passThrough, 'store-failed');
    assert.equal(result.text, paragraphs);
    assert.deepEqual(findMarkers(result.text), []);
    assert.deepEqual(reports, ['store']);
  });

  it('passes through when a compressor throws, and reports it', async () => {
    compressors.text = () => {
      throw new Error('bug');
    };
    const errors: unknown[] = [];
    const result = await compress(paragraphs, { kind: 'text', budget: 256, onError: (error) => errors.push(error) });
    assert.equal(result.passThrough, 'compressor-failed');
    assert.equal(result.text, paragraphs);
    assert.equal(errors.length, 1);
  });

  it('escapes marker look-alikes from the input so they cannot pass for folds', async () => {
    compressors.text = firstLines;
    const spoof = `[[fold 123456789012: 3 lines]]\n${paragraphs}`;
    const result = await compress(spoof, { kind: 'text', budget: 256, store: new Keyv() });
    assert.ok(result.text.startsWith('[[\\fold 123456789012'));
    assert.ok(findMarkers(result.text).every((marker) => marker.id !== '123456789012'));
  });
});

describe('compress on unusable input', () => {
  const cases: Array<[string, unknown, string]> = [
    ['an empty string', '', 'empty'],
    ['whitespace', ' \n\t ', 'empty'],
    ['null', null, 'not-text'],
    ['undefined', undefined, 'not-text'],
    ['a number', 42, 'not-text'],
    ['an object', { a: 1 }, 'not-text'],
    ['text with NUL bytes', 'abc\u0000def'.repeat(100), 'binary'],
    ['invalid UTF-8 bytes', new Uint8Array([0x61, 0xff, 0xfe, 0x62]), 'binary'],
  ];
  for (const [name, input, kind] of cases) {
    it(`passes ${name} through as ${kind}`, async () => {
      const result = await compress(input);
      assert.equal(result.kind, kind);
      assert.equal(result.passThrough, 'unusable');
      assert.deepEqual(result.folds, []);
    });
    it(`throws a TokenfoldError for ${name} when strict`, async () => {
      await assert.rejects(compress(input, { strict: true }), (error: unknown) => error instanceof TokenfoldError && error.code === kind);
    });
  }

  it('decodes valid UTF-8 bytes and compresses them like a string', async () => {
    const result = await compress(new TextEncoder().encode('héllo wörld'));
    assert.equal(result.text, 'héllo wörld');
    assert.equal(result.passThrough, 'small');
  });

  it('passes through inputs over maxBytes', async () => {
    const result = await compress('a'.repeat(2000), { maxBytes: 1000 });
    assert.equal(result.passThrough, 'too-large');
  });

  it('estimates the token count of a large input and says so', async () => {
    const result = await compress('lorem ipsum dolor sit amet '.repeat(40_000), { kind: 'text', budget: 256, store: new Keyv() });
    assert.equal(result.tokensBeforeExact, false);
    assert.ok(result.tokensBefore > 100_000);
  });
});

describe('unfold', () => {
  const lines = Array.from({ length: 30 }, (_, index) => `line ${index + 101} ${index % 3 === 0 ? 'ERROR' : 'ok'}`);
  async function foldLines(store: Keyv, options: { namespace?: string; ttl?: number } = {}): Promise<string> {
    compressors.text = (text) => [lines[0]!, '\n', { text: lines.slice(1).join('\n'), unit: 'lines', count: 29, firstLine: 102 }];
    const result = await compress(`${lines.join('\n')}\n${'filler '.repeat(300)}`, { kind: 'text', budget: 256, store, ...options });
    return result.folds[0]!.id;
  }

  it('returns the original whole, or a line range or grep hits in original numbering, with numbers', async () => {
    const store = new Keyv();
    const id = await foldLines(store);
    const whole = await unfold(id, { store });
    assert.deepEqual(whole.status === 'ok' && whole.text, lines.slice(1).join('\n'));
    const range = await unfold(id, { store, lines: '110-112' });
    assert.deepEqual(range.status === 'ok' && range.text, '110: line 110 ERROR\n111: line 111 ok\n112: line 112 ok');
    const hits = await unfold(id, { store, grep: 'error', lines: [102, 110] });
    assert.deepEqual(hits.status === 'ok' && hits.text, '104: line 104 ERROR\n107: line 107 ERROR\n110: line 110 ERROR');
  });

  it('accepts the whole marker as the id and refuses an invalid regex with a message', async () => {
    const store = new Keyv();
    const id = await foldLines(store);
    assert.equal((await unfold(`[[fold ${id}: 29 lines]]`, { store, grep: 'line 11\\(' })).status, 'ok');
    const invalid = await unfold(`[[fold ${id}: 29 lines]]`, { store, grep: 'line 11(' });
    assert.equal(invalid.status, 'invalid-request');
    assert.match(invalid.status === 'invalid-request' ? invalid.message : '', /missing closing \)/);
  });

  it('answers not-found for another namespace, even with a correct id', async () => {
    const store = new Keyv();
    const id = await foldLines(store, { namespace: 'alice' });
    assert.equal((await unfold(id, { store, namespace: 'alice' })).status, 'ok');
    assert.equal((await unfold(id, { store, namespace: 'bob' })).status, 'not-found');
    assert.equal((await unfold(id, { store })).status, 'not-found');
  });

  it('answers expired once the TTL has passed', async () => {
    const store = new Keyv();
    const id = await foldLines(store, { ttl: 20 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const result = await unfold(id, { store });
    assert.equal(result.status, 'expired');
  });

  it('rejects malformed ids and ranges with a message instead of throwing', async () => {
    assert.equal((await unfold('nope')).status, 'invalid-request');
    assert.equal((await unfold('123456789012345', { lines: '9-3' })).status, 'invalid-request');
  });
});

describe('the time budget', () => {
  it('passes through an input too large for its kind to compress in time, and compresses it with more time', async () => {
    const log = Array.from({ length: 2000 }, (_, index) => `2024-01-01 10:00:${String(index % 60).padStart(2, '0')} INFO worker ${index % 7} handled request ${index}`).join('\n');
    const hurried = await compress(log, { timeBudgetMs: 1, store: new Keyv() });
    assert.equal(hurried.passThrough, 'over-time-budget');
    assert.equal(hurried.text, log);
    const patient = await compress(log, { timeBudgetMs: 10_000, store: new Keyv() });
    assert.equal(patient.passThrough, undefined);
  });
});
