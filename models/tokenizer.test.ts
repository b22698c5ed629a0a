import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTokenizer } from './tokenizer.ts';
import { TINY_VOCABULARY, tinyWordPieceTokenizer } from './test-support/tiny-models.ts';

const idOf = (piece: string): number => TINY_VOCABULARY.indexOf(piece);

describe('parseTokenizer with a WordPiece (BERT) file', () => {
  const tokenizer = parseTokenizer(tinyWordPieceTokenizer());

  it('lowercases, splits off punctuation and gives each token its word range', () => {
    const text = 'Paris is in FRANCE.';
    const tokens = tokenizer.encode(text);
    assert.deepEqual(tokens.map((token) => token.id), ['paris', 'is', 'in', 'france', '.'].map(idOf));
    assert.deepEqual(tokens.map((token) => text.slice(token.start, token.end)), ['Paris', 'is', 'in', 'FRANCE', '.']);
  });

  it('splits a word into continuation pieces and marks what it cannot split as unknown', () => {
    const tokens = tokenizer.encode('cats dogs');
    assert.deepEqual(tokens.map((token) => token.id), [idOf('cat'), idOf('##s'), idOf('[UNK]')]);
    assert.deepEqual(tokens.slice(0, 2).map((token) => [token.start, token.end]), [[0, 4], [0, 4]]);
  });

  it('reads the [CLS] and [SEP] wrapping from the post-processor', () => {
    assert.deepEqual(tokenizer.prefix, [idOf('[CLS]')]);
    assert.deepEqual(tokenizer.suffix, [idOf('[SEP]')]);
    assert.equal(tokenizer.padId, idOf('[PAD]'));
  });

  it('strips accents when lowercasing, as BERT uncased does', () => {
    assert.deepEqual(tokenizer.encode('Pärïs').map((token) => token.id), [idOf('paris')]);
  });
});

describe('parseTokenizer with a Unigram (XLM-R, SentencePiece) file', () => {
  const vocabulary: Array<[string, number]> = [
    ['<s>', 0], ['<pad>', 0], ['</s>', 0], ['<unk>', 0],
    ['▁', -3], ['▁Par', -4], ['is', -3], ['▁Paris', -5], ['▁is', -2], ['▁the', -2], ['▁P', -6], ['ar', -6], ['i', -6], ['s', -6],
  ];
  const tokenizer = parseTokenizer({
    normalizer: { type: 'Precompiled' },
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', add_prefix_space: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>' } }, { Sequence: { id: 'A' } }, { SpecialToken: { id: '</s>' } }],
      special_tokens: { '<s>': { ids: [0] }, '</s>': { ids: [2] } },
    },
    model: { type: 'Unigram', unk_id: 3, vocab: vocabulary },
  });
  const piece = (id: number): string => vocabulary[id]![0];

  it('picks the most probable segmentation of each word', () => {
    // "▁Paris" alone (-5) beats "▁Par" + "is" (-7).
    assert.deepEqual(tokenizer.encode('Paris is').map((token) => piece(token.id)), ['▁Paris', '▁is']);
  });

  it('keeps word ranges in the original text and marks unknown characters', () => {
    const text = 'the Parisx';
    const tokens = tokenizer.encode(text);
    assert.deepEqual(tokens.map((token) => piece(token.id)), ['▁the', '▁Paris', '<unk>']);
    assert.equal(text.slice(tokens[2]!.start, tokens[2]!.end), 'Parisx');
  });

  it('reads <s> and </s> from a template post-processor, and <pad> from the vocabulary', () => {
    assert.deepEqual(tokenizer.prefix, [0]);
    assert.deepEqual(tokenizer.suffix, [2]);
    assert.equal(tokenizer.padId, 1);
  });
});

describe('parseTokenizer refusing what it does not support', () => {
  it('says so for byte-level BPE', () => {
    assert.throws(() => parseTokenizer({ model: { type: 'BPE', vocab: { a: 0 }, merges: [] } }), /BPE.*not supported/);
  });

  it('says so for a file without a vocabulary', () => {
    assert.throws(() => parseTokenizer({ version: '1.0' }), /no model vocabulary/);
  });
});
