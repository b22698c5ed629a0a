import { existsSync, readFileSync } from 'node:fs';
import { MemoryVectorStore } from '@langchain/classic/vectorstores/memory';
import { Document } from '@langchain/core/documents';
import type { DocumentInterface } from '@langchain/core/documents';
import { Embeddings } from '@langchain/core/embeddings';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage } from '@langchain/core/messages';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { RunnablePassthrough, RunnableSequence } from '@langchain/core/runnables';
import { fakeModel } from '@langchain/core/testing';
import { findMarkers, o200kCounter, unfold } from 'tokenfold';
import { createUnfoldTool, TokenfoldCallbackHandler, tokenfoldRetriever } from 'tokenfold/langchain';

/*
 * RAG over Wikipedia paragraphs (SQuAD 2.0): a vector-store retriever returns chunks, and
 * `tokenfoldRetriever` compresses each one for the question before it reaches the prompt. The
 * answer stays in view, metadata is kept (plus `metadata.tokenfold`), and the folded sentences
 * come back byte-exact through the unfold tool.
 *
 *   npm run example:langchain-retriever
 *
 * Offline by default: bag-of-words embeddings and LangChain's fake chat model. With OPENAI_API_KEY
 * set, OpenAI embeddings and gpt-4o-mini run the same chain (`@langchain/openai`).
 * `ContextualCompressionRetriever` from `@langchain/classic` works the same way with
 * `new TokenfoldDocumentCompressor()` as its `baseCompressor`.
 */

/** Offline embeddings: hashed word counts, so that similarity is word overlap. Enough for a demo. */
class WordEmbeddings extends Embeddings {
  constructor() {
    super({});
  }
  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((text) => this.#embed(text));
  }
  async embedQuery(text: string): Promise<number[]> {
    return this.#embed(text);
  }
  #embed(text: string): number[] {
    const vector = new Array<number>(512).fill(0);
    for (const word of text.toLowerCase().match(/[a-z]{4,}/g) ?? []) {
      let hash = 0;
      for (let index = 0; index < word.length; index++) hash = (hash * 31 + word.charCodeAt(index)) >>> 0;
      vector[hash % vector.length]! += 1;
    }
    return vector;
  }
}

const namespace = 'example';
const corpus = new URL('../../../shared/corpora/qa/squad-dev-v2.0.json', import.meta.url);
const { chunks, question, answer } = existsSync(corpus) ? squadChunks() : fallbackChunks();

const provider = await openAI();
const vectorStore = await MemoryVectorStore.fromDocuments(chunks, provider?.embeddings ?? new WordEmbeddings());
const retriever = vectorStore.asRetriever({ k: 4 });
const compressingRetriever = tokenfoldRetriever(retriever, { namespace, exactCounts: true });

const model = provider?.model ?? fakeModel().respond((messages) => new AIMessage(offlineAnswer(messages.at(-1)!.text)));
const prompt = ChatPromptTemplate.fromMessages([
  ['system', 'Answer from the context. Parts of it are folded behind [[fold ID: …]] markers; the unfold tool shows them.'],
  ['human', 'Context:\n{context}\n\nQuestion: {question}'],
]);
const formatDocuments = (documents: DocumentInterface[]) =>
  documents.map((document) => `# ${document.metadata.title} (chunk ${document.metadata.chunk})\n${document.pageContent}`).join('\n\n');
const chain = RunnableSequence.from([
  { context: compressingRetriever.pipe(formatDocuments), question: new RunnablePassthrough() },
  prompt,
  model,
]);

console.log(provider ? 'Embeddings and model: OpenAI' : 'Embeddings and model: offline fakes (set OPENAI_API_KEY for OpenAI)');
console.log(`Question: ${question} (gold answer: "${answer}")\n`);

const report = new TokenfoldCallbackHandler();
const documents = await compressingRetriever.invoke(question, { callbacks: [report] });
const raw = await retriever.invoke(question);
const count = (text: string) => o200kCounter.count(text);
for (const [index, document] of documents.entries()) {
  const before = count(raw[index]!.pageContent);
  const after = count(document.pageContent);
  const hasAnswer = document.pageContent.includes(answer) ? ', holds the answer' : '';
  console.log(`${document.metadata.title} chunk ${document.metadata.chunk}: ${before} -> ${after} tokens${hasAnswer}`);
}
const { totals } = report;
console.log(`Retrieved context: ${totals.tokensBefore.toLocaleString()} -> ${totals.tokensAfter.toLocaleString()} tokens, ${totals.folds} folds`);

const withFolds = documents.find((document) => findMarkers(document.pageContent).length > 0);
if (withFolds) {
  console.log(`\nA compressed chunk, with its metadata:\n${indent(withFolds.pageContent)}`);
  console.log(indent(JSON.stringify(withFolds.metadata)));
  const [marker] = findMarkers(withFolds.pageContent);
  const unfoldTool = createUnfoldTool({ namespace });
  const answerText = String(await unfoldTool.invoke({ id: marker!.id }));
  const stored = await unfold(marker!.id, { namespace });
  const original = raw.find((document) => document.id === withFolds.id)!.pageContent;
  console.log(`\nUnfold round trip: fold ${marker!.id} -> ${answerText.length} characters`);
  console.log(indent(answerText));
  console.log(`  byte-exact with the stored original: ${stored.status === 'ok' && stored.text === answerText ? 'yes' : 'no'}`);
  console.log(`  a verbatim span of the chunk: ${original.includes(answerText) ? 'yes' : 'no'}`);
}

const reply = await chain.invoke(question);
console.log(`\nAnswer (${provider ? 'gpt-4o-mini' : 'fake model'}): ${reply.content}`);

/** OpenAI embeddings and chat model when a key is set and `@langchain/openai` is installed. */
async function openAI(): Promise<{ embeddings: Embeddings; model: BaseChatModel } | undefined> {
  if (!process.env.OPENAI_API_KEY) return undefined;
  try {
    const { ChatOpenAI, OpenAIEmbeddings } = await import('@langchain/openai');
    return { embeddings: new OpenAIEmbeddings({ model: 'text-embedding-3-small' }), model: new ChatOpenAI({ model: 'gpt-4o-mini' }) };
  } catch {
    console.log('OPENAI_API_KEY is set but @langchain/openai is not installed: npm install @langchain/openai. Running offline.');
    return undefined;
  }
}

/** The fake model's answer: the context line that holds the most question words. */
function offlineAnswer(promptText: string): string {
  const words = new Set(question.toLowerCase().match(/[a-z]{4,}/g) ?? []);
  const sentences = promptText.split(/(?<=[.!?])\s+|\n/).filter((sentence) => !sentence.startsWith('Question:'));
  const score = (sentence: string) => (sentence.toLowerCase().match(/[a-z]{4,}/g) ?? []).filter((word) => words.has(word)).length;
  return sentences.reduce((best, sentence) => (score(sentence) > score(best) ? sentence : best), '');
}

/** Five-paragraph chunks of the first three SQuAD articles, and a question about one of them. */
function squadChunks() {
  const squad = JSON.parse(readFileSync(corpus, 'utf8')) as {
    data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ question: string; is_impossible: boolean; answers: Array<{ text: string }> }> }> }>;
  };
  const articles = squad.data.slice(0, 3);
  const chunks = articles.flatMap((article) => {
    const documents: Document[] = [];
    for (let start = 0; start < article.paragraphs.length; start += 5) {
      const pageContent = article.paragraphs.slice(start, start + 5).map((paragraph) => paragraph.context).join('\n\n');
      documents.push(new Document({ pageContent, metadata: { title: article.title, chunk: start / 5 }, id: `${article.title}-${start / 5}` }));
    }
    return documents;
  });
  const qa = articles[0]!.paragraphs[10]!.qas.find((candidate) => !candidate.is_impossible)!;
  return { chunks, question: qa.question, answer: qa.answers[0]!.text };
}

// Used only when the shared corpora are not next to the repo.
function fallbackChunks() {
  const sentences = Array.from({ length: 60 }, (_, index) => `Paragraph ${index} describes a harbour town, its markets and its weather in season ${index % 4}.`);
  sentences[37] = 'The Normans conquered England in 1066 under William the Conqueror.';
  const chunks = [0, 1, 2].map((chunk) => new Document({ pageContent: sentences.slice(chunk * 20, chunk * 20 + 20).join(' '), metadata: { title: 'Towns', chunk }, id: `towns-${chunk}` }));
  return { chunks, question: 'When did the Normans conquer England?', answer: '1066' };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line.length > 200 ? `${line.slice(0, 197)}...` : line}`)
    .join('\n');
}
