import type { Callbacks } from '@langchain/core/callbacks/manager';
import { Document } from '@langchain/core/documents';
import type { DocumentInterface } from '@langchain/core/documents';
import { BaseDocumentCompressor } from '@langchain/core/retrievers/document_compressors';
import { RunnableLambda } from '@langchain/core/runnables';
import type { Runnable, RunnableConfig, RunnableInterface } from '@langchain/core/runnables';
import { documentBudget } from '../../core/index.ts';
import { COMPRESS_EVENT, emitTokenfoldEvent } from './callback-handler.ts';
import { createSafeCompress, reportError } from './options.ts';
import type { SafeCompress, TokenfoldLangChainOptions } from './options.ts';

/*
 * Retrieved documents, compressed for the question they were retrieved for. Each document is
 * compressed on its own and keeps its metadata; `metadata.tokenfold` says what was folded, and
 * what was folded stays one `unfold` call away (give the model `createUnfoldTool` bound to the
 * same store and namespace). A document that would not get smaller comes back as it was.
 *
 * Three ways in, all over the same compressor:
 * - `TokenfoldDocumentCompressor` for `ContextualCompressionRetriever` (`@langchain/classic`);
 * - `tokenfoldRetriever(retriever)`: a retriever-shaped runnable, query in, compressed documents out;
 * - `tokenfoldRunnable()` for LCEL: documents in (with the query alongside when there is one).
 */

/** What a compressed document carries under `metadata.tokenfold`. */
export interface TokenfoldDocumentMetadata {
  kind: string;
  tokensBefore: number;
  tokensAfter: number;
  folds: string[];
}

/** The input of `tokenfoldRunnable`: documents, or documents with the query they answer. */
export type TokenfoldRunnableInput = DocumentInterface[] | { documents: DocumentInterface[]; query?: string };

/**
 * A LangChain document compressor that folds what each document does not need to show for the
 * query, keeping it recoverable.
 *
 * @example
 * const retriever = new ContextualCompressionRetriever({
 *   baseCompressor: new TokenfoldDocumentCompressor({ namespace: userId }),
 *   baseRetriever: vectorStore.asRetriever(),
 * });
 * const documents = await retriever.invoke('When did the Normans conquer England?');
 */
export class TokenfoldDocumentCompressor extends BaseDocumentCompressor {
  readonly #options: TokenfoldLangChainOptions;
  readonly #compressSafely: SafeCompress;

  constructor(options: TokenfoldLangChainOptions = {}) {
    super();
    this.#options = options;
    // Retrieved documents are compressed for the query even when small (see `documentBudget`).
    this.#compressSafely = createSafeCompress({ budget: documentBudget, ...options });
  }

  /** Compresses each document for `query`; never throws, never drops a document. */
  async compressDocuments(documents: DocumentInterface[], query: string, callbacks?: Callbacks): Promise<DocumentInterface[]> {
    if (!Array.isArray(documents)) return documents;
    return Promise.all(
      documents.map((document) =>
        this.#compressDocument(document, typeof query === 'string' ? query : '', callbacks).catch((error) => {
          reportError(this.#options, error);
          return document;
        }),
      ),
    );
  }

  async #compressDocument(document: DocumentInterface, query: string, callbacks: Callbacks | undefined): Promise<DocumentInterface> {
    const compression = await this.#compressSafely(document?.pageContent, query);
    if (!compression) return document;
    const { result, cached } = compression;
    const folds = result.folds.map((fold) => fold.id);
    await emitTokenfoldEvent(
      COMPRESS_EVENT,
      {
        source: 'document',
        ...(document.id ? { name: document.id } : {}),
        kind: result.kind,
        tokensBefore: result.tokensBefore,
        tokensAfter: result.tokensAfter,
        folds,
        ...(result.passThrough ? { passThrough: result.passThrough } : {}),
        cached,
      },
      { callbacks },
    );
    if (!compression.changed) return document;
    const tokenfold: TokenfoldDocumentMetadata = {
      kind: result.kind,
      tokensBefore: result.tokensBefore,
      tokensAfter: result.tokensAfter,
      folds,
    };
    return new Document({
      pageContent: result.text,
      metadata: { ...document.metadata, tokenfold },
      ...(document.id !== undefined ? { id: document.id } : {}),
    });
  }
}

/**
 * A runnable that compresses documents, for LCEL. Piped straight after a retriever it compresses
 * without a query (structure only); give it `{ documents, query }` for query-aware compression,
 * or use `tokenfoldRetriever`, which knows the query.
 *
 * @example
 * const chain = RunnableSequence.from([
 *   { documents: retriever, query: new RunnablePassthrough() },
 *   tokenfoldRunnable(),
 *   formatDocumentsAsString,
 * ]);
 * // or, without a query: retriever.pipe(tokenfoldRunnable())
 */
export function tokenfoldRunnable(
  options: TokenfoldLangChainOptions | TokenfoldDocumentCompressor = {},
): Runnable<TokenfoldRunnableInput, DocumentInterface[]> {
  const compressor = options instanceof TokenfoldDocumentCompressor ? options : new TokenfoldDocumentCompressor(options);
  return RunnableLambda.from(async (input: TokenfoldRunnableInput, config?: RunnableConfig) => {
    if (Array.isArray(input)) return compressor.compressDocuments(input, '', config?.callbacks);
    if (input && typeof input === 'object' && Array.isArray(input.documents)) {
      return compressor.compressDocuments(input.documents, input.query ?? '', config?.callbacks);
    }
    // Not documents: hand it on as it came rather than break the chain.
    return input as unknown as DocumentInterface[];
  }).withConfig({ runName: 'TokenfoldDocumentCompressor' });
}

/**
 * Wraps a retriever (or any runnable from a query to documents) so that what it returns is
 * compressed for the query it was asked: a drop-in replacement in LCEL chains, and
 * `ContextualCompressionRetriever` without `@langchain/classic`.
 *
 * @example
 * const chain = RunnableSequence.from([
 *   { context: tokenfoldRetriever(retriever).pipe(formatDocumentsAsString), question: new RunnablePassthrough() },
 *   prompt,
 *   model,
 * ]);
 */
export function tokenfoldRetriever(
  retriever: RunnableInterface<string, DocumentInterface[]>,
  options: TokenfoldLangChainOptions | TokenfoldDocumentCompressor = {},
): Runnable<string, DocumentInterface[]> {
  const compressor = options instanceof TokenfoldDocumentCompressor ? options : new TokenfoldDocumentCompressor(options);
  return RunnableLambda.from(async (query: string, config?: RunnableConfig) => {
    const documents = await retriever.invoke(query, config);
    return compressor.compressDocuments(documents, query, config?.callbacks);
  }).withConfig({ runName: 'TokenfoldRetriever' });
}
