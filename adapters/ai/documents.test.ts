import assert from 'node:assert/strict';
import { test } from 'node:test';
import Keyv from 'keyv';
import { findMarkers, unfold } from 'tokenfold';
import { compressDocuments } from 'tokenfold/ai';
import { corpus } from './test-support/prompts.ts';

const squad = JSON.parse(corpus('qa/squad-dev-v2.0.json'));
const articles: Array<{ text: string; qas: any[] }> = squad.data.slice(0, 3).map((article: any) => ({
  text: article.paragraphs.map((paragraph: any) => paragraph.context).join('\n\n'),
  qas: article.paragraphs.flatMap((paragraph: any) => paragraph.qas).filter((qa: any) => !qa.is_impossible),
}));

test('documents come back compressed in their order, keeping what the question asks about, with every fold resolvable', async () => {
  const store = new Keyv();
  const namespace = 'rag';
  const { question, answers } = articles[1]!.qas[0];
  const documents = articles.map((article) => article.text);
  const compressed = await compressDocuments(documents, { query: question, store, namespace });

  assert.equal(compressed.length, documents.length);
  compressed.forEach((text, index) => {
    assert.ok(text.length < documents[index]!.length, `document ${index} is shorter`);
    assert.ok(documents[index]!.startsWith(text.slice(0, 20)), `document ${index} is in its place`);
  });
  assert.ok(answers.some((answer: any) => compressed[1]!.includes(answer.text)), 'the answer is still in view');
  for (const [index, text] of compressed.entries()) {
    for (const { id } of findMarkers(text)) {
      const original = await unfold(id, { store, namespace });
      assert.equal(original.status, 'ok');
      if (original.status === 'ok') assert.ok(documents[index]!.includes(original.text), 'a fold holds original text');
    }
  }
});

test('a total budget is shared out over the documents', async () => {
  const documents = articles.map((article) => article.text);
  const sizes = async (budget: number) => {
    const compressed = await compressDocuments(documents, { query: 'history', store: new Keyv(), budget });
    return compressed.reduce((sum, text) => sum + text.length, 0);
  };
  assert.ok((await sizes(1_000)) < (await sizes(6_000)));
});

test('short, empty and non-text documents come back as they were', async () => {
  const results: Array<string | undefined> = [];
  const documents = ['A short note.', '', null as unknown as string, articles[0]!.text];
  const compressed = await compressDocuments(documents, {
    query: 'Normans',
    store: new Keyv(),
    onCompress: (result, index) => (results[index] = result.passThrough),
  });
  assert.deepEqual(compressed.slice(0, 3), documents.slice(0, 3));
  assert.deepEqual(results.slice(0, 2), ['small', 'unusable']);
  assert.equal(results[3], undefined, 'the long document was compressed');
});
