import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ContextualCompressionRetriever } from '@langchain/classic/retrievers/contextual_compression';
import { MemoryVectorStore } from '@langchain/classic/vectorstores/memory';
import { Document } from '@langchain/core/documents';
import type { DocumentInterface } from '@langchain/core/documents';
import { AIMessage } from '@langchain/core/messages';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { RunnablePassthrough, RunnableSequence } from '@langchain/core/runnables';
import { fakeModel } from '@langchain/core/testing';
import { FakeEmbeddings } from '@langchain/core/utils/testing';
import Keyv from 'keyv';
import { compress, documentBudget, findMarkers, unfold, type CompressResult } from 'tokenfold';
import {
  TokenfoldCallbackHandler,
  TokenfoldDocumentCompressor,
  tokenfoldRetriever,
  tokenfoldRunnable,
  type TokenfoldDocumentMetadata,
  type TokenfoldLangChainOptions,
} from 'tokenfold/langchain';

const namespace = 'langchain-documents';

interface SquadArticle {
  title: string;
  paragraphs: Array<{ context: string; qas: Array<{ question: string; is_impossible: boolean; answers: Array<{ text: string }> }> }>;
}
const squad = JSON.parse(readFileSync(new URL('../../../shared/corpora/qa/squad-dev-v2.0.json', import.meta.url), 'utf8')) as {
  data: SquadArticle[];
};

/** Chunks of five SQuAD paragraphs, as a retriever over an article would return them. */
const chunks: Document[] = squad.data.slice(0, 3).flatMap((article) => {
  const documents: Document[] = [];
  for (let start = 0; start < article.paragraphs.length; start += 5) {
    const pageContent = article.paragraphs.slice(start, start + 5).map((paragraph) => paragraph.context).join('\n\n');
    documents.push(new Document({ pageContent, metadata: { title: article.title, chunk: start / 5 }, id: `${article.title}-${start / 5}` }));
  }
  return documents;
});

/** One answerable question per chunk, with its gold answer and the chunk that holds it. */
const questions = squad.data.slice(0, 3).flatMap((article) =>
  article.paragraphs
    .filter((_paragraph, index) => index % 5 === 0)
    .flatMap((paragraph, chunk) => {
      const qa = paragraph.qas.find((candidate) => !candidate.is_impossible);
      return qa ? [{ title: article.title, chunk, question: qa.question, answer: qa.answers[0]!.text }] : [];
    }),
);

/** A vector store retriever over the chunks of one article (fake embeddings: every chunk of it comes back). */
async function retrieverFor(title: string) {
  const store = await MemoryVectorStore.fromDocuments(chunks, new FakeEmbeddings());
  const count = chunks.filter((chunk) => chunk.metadata.title === title).length;
  return store.asRetriever({ k: count, filter: (document: DocumentInterface) => document.metadata.title === title });
}

function setUp(options: TokenfoldLangChainOptions = {}) {
  const store = new Keyv();
  const compressions: CompressResult[] = [];
  const compressor = new TokenfoldDocumentCompressor({ store, namespace, onCompress: (result) => compressions.push(result), ...options });
  return { store, compressions, compressor };
}

function originalOf(document: DocumentInterface): Document {
  return chunks.find((chunk) => chunk.id === document.id)!;
}

describe('TokenfoldDocumentCompressor in a ContextualCompressionRetriever', () => {
  it('keeps the answer and the metadata of every document, and says what it folded', async () => {
    const { store, compressor } = setUp();
    for (const { title, chunk, question, answer } of questions.slice(0, 12)) {
      const retriever = new ContextualCompressionRetriever({ baseCompressor: compressor, baseRetriever: await retrieverFor(title) });
      const documents = await retriever.invoke(question);

      assert.equal(documents.length, chunks.filter((candidate) => candidate.metadata.title === title).length);
      const holding = documents.find((document) => document.metadata.chunk === chunk)!;
      assert.ok(holding.pageContent.includes(answer), `"${answer}" stays visible for "${question}"`);
      for (const document of documents) {
        const original = originalOf(document);
        assert.equal(document.metadata.title, original.metadata.title);
        assert.equal(document.metadata.chunk, original.metadata.chunk);
        const tokenfold = document.metadata.tokenfold as TokenfoldDocumentMetadata | undefined;
        if (!tokenfold) {
          assert.equal(document.pageContent, original.pageContent);
          continue;
        }
        assert.ok(tokenfold.tokensAfter < tokenfold.tokensBefore);
        assert.deepEqual(new Set(tokenfold.folds), new Set(findMarkers(document.pageContent).map((marker) => marker.id)));
        for (const id of tokenfold.folds) {
          const folded = await unfold(id, { store, namespace });
          assert.ok(folded.status === 'ok' && original.pageContent.includes(folded.text), 'each fold is a byte-exact span of the original');
        }
      }
    }
  });

  it('compresses most retrieved chunks to fewer tokens', async () => {
    const { compressor } = setUp();
    const { title, question } = questions[0]!;
    const retriever = new ContextualCompressionRetriever({ baseCompressor: compressor, baseRetriever: await retrieverFor(title) });
    const documents = await retriever.invoke(question);
    const compressed = documents.filter((document) => document.metadata.tokenfold);
    assert.ok(compressed.length > documents.length / 2);
  });

  it('compresses each document once for a question asked again', async () => {
    const { compressor, compressions } = setUp();
    const { title, question } = questions[0]!;
    const retriever = new ContextualCompressionRetriever({ baseCompressor: compressor, baseRetriever: await retrieverFor(title) });
    const first = await retriever.invoke(question);
    const second = await retriever.invoke(question);
    assert.equal(compressions.length, first.length);
    assert.deepEqual(second.map((document) => document.pageContent), first.map((document) => document.pageContent));
  });

  it('reports to a TokenfoldCallbackHandler given to the retriever run', async () => {
    const { compressor, compressions } = setUp();
    const { title, question } = questions[0]!;
    const retriever = new ContextualCompressionRetriever({ baseCompressor: compressor, baseRetriever: await retrieverFor(title) });
    const report = new TokenfoldCallbackHandler();
    const documents = await retriever.invoke(question, { callbacks: [report] });

    assert.equal(report.totals.outputs, documents.length);
    assert.equal(report.totals.compressed, compressions.filter((result) => !result.passThrough).length);
    assert.equal(report.totals.tokensBefore, compressions.reduce((sum, result) => sum + result.tokensBefore, 0));
    assert.equal(report.runs.size, 1);
    assert.ok(report.records.every((record) => record.event === 'compress' && record.source === 'document'));
  });

  it('hands back small and non-text documents as they were', async () => {
    const { compressor } = setUp();
    const inputs = [
      new Document({ pageContent: 'Normandy is a region in France.', metadata: { source: 'short' } }),
      { pageContent: 42, metadata: { source: 'number' } } as unknown as Document,
      { pageContent: '', metadata: {} } as Document,
    ];
    const outputs = await compressor.compressDocuments(inputs, 'Where is Normandy?');
    assert.equal(outputs.length, inputs.length);
    outputs.forEach((output, index) => assert.equal(output, inputs[index]));
    assert.deepEqual(await compressor.compressDocuments(undefined as unknown as Document[], 'x'), undefined);
  });

  it('escapes fold markers that a document already holds, so only its own folds parse', async () => {
    const { compressor } = setUp();
    const alreadyText = (await compress(chunks[0]!.pageContent, { store: new Keyv(), query: questions[0]!.question, budget: documentBudget })).text;
    const earlier = findMarkers(alreadyText).map((marker) => marker.id);
    assert.ok(earlier.length > 0);
    const [output] = await compressor.compressDocuments([new Document({ pageContent: alreadyText, metadata: { source: 'compressed' } })], 'Where is Normandy?');
    assert.equal(output!.metadata.source, 'compressed');
    assert.ok(findMarkers(output!.pageContent).every((marker) => !earlier.includes(marker.id)));
    assert.notEqual(output!.pageContent, alreadyText);
    for (const id of earlier) {
      // Where an earlier marker still shows (the compressor may have folded it away), it is escaped.
      if (output!.pageContent.includes(`fold ${id}`)) assert.ok(output!.pageContent.includes(`[[\\fold ${id}`));
    }
  });
});

describe('LCEL', () => {
  it('tokenfoldRetriever compresses for the chain input inside a RAG chain', async () => {
    const { store } = setUp();
    const { title, chunk, question, answer } = questions[1]!;
    const model = fakeModel().respond((messages) => new AIMessage(`read ${messages.at(-1)!.text.length} characters`));
    const prompt = ChatPromptTemplate.fromMessages([['human', 'Context:\n{context}\n\nQuestion: {question}']]);
    const formatDocuments = (documents: DocumentInterface[]) => documents.map((document) => document.pageContent).join('\n\n---\n\n');
    const chain = RunnableSequence.from([
      { context: tokenfoldRetriever(await retrieverFor(title), { store, namespace }).pipe(formatDocuments), question: new RunnablePassthrough() },
      prompt,
      model,
    ]);
    const reply = await chain.invoke(question);

    const sent = model.calls[0]!.messages.at(-1)!.text;
    const rawLength = chunks.filter((candidate) => candidate.metadata.title === title).reduce((sum, candidate) => sum + candidate.pageContent.length, 0);
    assert.ok(sent.length < rawLength, 'the model got less than the raw chunks');
    assert.ok(findMarkers(sent).length > 0);
    assert.ok(sent.includes(answer), `"${answer}" reached the model (chunk ${chunk})`);
    assert.equal(reply.content, `read ${sent.length} characters`);
  });

  it('tokenfoldRunnable takes documents with their query from a RunnableSequence map', async () => {
    const { title, question } = questions[2]!;
    const retriever = await retrieverFor(title);
    const compressions: CompressResult[] = [];
    const chain = RunnableSequence.from([
      { documents: retriever, query: new RunnablePassthrough() },
      tokenfoldRunnable({ store: new Keyv(), onCompress: (result) => compressions.push(result) }),
    ]);
    const documents = await chain.invoke(question);
    const direct = await new TokenfoldDocumentCompressor({ store: new Keyv() }).compressDocuments(await retriever.invoke(question), question);
    assert.deepEqual(documents.map((document) => document.pageContent), direct.map((document) => document.pageContent));
    assert.equal(compressions.length, documents.length);
  });

  it('tokenfoldRunnable pipes straight after a retriever, compressing without a query', async () => {
    const { title } = questions[0]!;
    const retriever = await retrieverFor(title);
    const report = new TokenfoldCallbackHandler();
    const documents = await retriever.pipe(tokenfoldRunnable({ store: new Keyv() })).invoke('anything', { callbacks: [report] });
    const raw = await retriever.invoke('anything');
    assert.equal(documents.length, raw.length);
    assert.ok(documents.some((document) => findMarkers(document.pageContent).length > 0));
    assert.deepEqual(documents.map((document) => document.id), raw.map((document) => document.id));
    assert.equal(report.totals.outputs, raw.length);
  });

  it('tokenfoldRunnable hands on input that is not documents', async () => {
    const runnable = tokenfoldRunnable({ store: new Keyv() });
    assert.equal(await runnable.invoke('not documents' as never), 'not documents');
    assert.deepEqual(await runnable.invoke({ documents: [] }), []);
  });
});
