import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import Keyv from 'keyv';
import { createCompressorCache } from 'tokenfold';
import type { CompressResult } from 'tokenfold';
import { compressors } from '../core/compressors/index.ts';

const realText = compressors.text;
afterEach(() => {
  compressors.text = realText;
});

// Prose over the lossless limit (1,500 tokens), so that it is compressed at all.
const document = Array.from({ length: 300 }, (_, index) => `Sentence number ${index} says something new about the topic ${index % 7}.`).join(' ');

describe('createCompressorCache', () => {
  it('compresses each distinct input once and returns the same result on later calls', async () => {
    let calls = 0;
    compressors.text = (text) => {
      calls++;
      return [text.slice(0, 40), { text: text.slice(40), unit: 'chars', count: text.length - 40 }];
    };
    const compressed: CompressResult[] = [];
    const cached = createCompressorCache({ store: new Keyv(), onCompress: (result) => compressed.push(result) });
    const first = await cached(document, { query: 'topic 3' });
    for (let step = 0; step < 19; step++) assert.equal(await cached(document, { query: 'topic 3' }), first);
    assert.equal(calls, 1);
    assert.equal(compressed.length, 1);

    await cached(document, { query: 'topic 4' });
    assert.equal(calls, 2, 'a different query is a different compression');
  });

  it('shares one compression between concurrent calls for the same input', async () => {
    let calls = 0;
    compressors.text = (text) => {
      calls++;
      return [text.slice(0, 10), { text: text.slice(10), unit: 'chars', count: text.length - 10 }];
    };
    const cached = createCompressorCache({ store: new Keyv() });
    const results = await Promise.all(Array.from({ length: 8 }, () => cached(document)));
    assert.equal(calls, 1);
    assert.ok(results.every((result) => result === results[0]));
  });

  it('forgets the least recently used entry past maxEntries', async () => {
    let calls = 0;
    compressors.text = () => {
      calls++;
      return undefined;
    };
    const cached = createCompressorCache({ store: new Keyv(), maxEntries: 2 });
    const inputs = ['a', 'b', 'c'].map((letter) => `${letter} ${document}`);
    await cached(inputs[0]);
    await cached(inputs[1]);
    await cached(inputs[0]); // a is now the most recent
    await cached(inputs[2]); // evicts b
    await cached(inputs[0]);
    assert.equal(calls, 3);
    await cached(inputs[1]);
    assert.equal(calls, 4);
  });

  it('does not keep a rejected strict compression', async () => {
    const cached = createCompressorCache({ strict: true });
    await assert.rejects(cached(''));
    await assert.rejects(cached(''));
  });
});
