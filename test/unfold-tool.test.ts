import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Keyv from 'keyv';
import { compress, runUnfoldTool, UNFOLD_TOOL_INPUT_SCHEMA } from 'tokenfold';
import { compressors } from '../core/compressors/index.ts';

async function foldOf(text: string, store: Keyv): Promise<string> {
  const realText = compressors.text;
  compressors.text = (input) => ['kept\n', { text: input, unit: 'lines', count: input.split('\n').length }];
  try {
    const result = await compress(text, { kind: 'text', budget: 256, store });
    return result.folds[0]!.id;
  } finally {
    compressors.text = realText;
  }
}

describe('runUnfoldTool', () => {
  const original = Array.from({ length: 400 }, (_, index) => `row ${index}: value ${index * 7}`).join('\n');

  it('returns the original for a valid id and requires only the id', async () => {
    const store = new Keyv();
    const id = await foldOf(original, store);
    assert.equal(await runUnfoldTool({ id }, { store }), original);
    assert.deepEqual(UNFOLD_TOOL_INPUT_SCHEMA.required, ['id']);
  });

  it('cuts long answers at a line boundary and says how to get the rest', async () => {
    const store = new Keyv();
    const id = await foldOf(original, store);
    const answer = await runUnfoldTool({ id }, { store, maxChars: 500 });
    assert.ok(answer.length < 700);
    assert.match(answer, /cut at \d+ lines; call unfold with id \d{15} and lines or grep/);
    assert.ok(original.startsWith(answer.slice(0, answer.indexOf('…'))));
  });

  it('says when grep matches nothing', async () => {
    const store = new Keyv();
    const id = await foldOf(original, store);
    assert.match(await runUnfoldTool({ id, grep: 'zebra' }, { store }), /No line of fold/);
  });

  it('answers bad input and failing stores with a message, never a throw', async () => {
    assert.match(await runUnfoldTool(undefined), /needs an `id`/);
    assert.match(await runUnfoldTool({ id: 'abc' }), /15 digits/);
    assert.match(await runUnfoldTool({ id: '000000000000000' }), /No fold/);
    const broken = new Keyv({
      store: { get: async () => { throw new Error('connection refused'); }, set: async () => true, delete: async () => false, clear: async () => {} },
      throwOnErrors: true,
    });
    assert.match(await runUnfoldTool({ id: '000000000000000' }, { store: broken }), /could not be read/);
  });
});
