import { compress, documentBudget, type CompressOptions, type CompressResult } from '../../core/index.ts';

/*
 * Documents the app puts in the prompt itself (RAG passages, fetched pages, files) never pass
 * through a tool result, so the middleware does not see them. This helper compresses them with
 * the question as the query, folding what it drops into the same store the unfold tool reads.
 * Nothing here is specific to the AI SDK.
 */

export interface CompressDocumentsOptions extends Omit<CompressOptions, 'budget' | 'strict'> {
  /** What the documents are for, usually the user's question. */
  query: string;
  /** Target tokens for all documents together, shared out by their size. Default: per document. */
  budget?: number;
  /** Called once per document with its result, e.g. to report savings. */
  onCompress?: (result: CompressResult, index: number) => void;
}

/**
 * Compresses documents for the prompt, keeping what bears on `query`. Returns the texts in the
 * same order; a document that cannot be compressed (short, binary, not text) comes back as it was.
 * Never throws.
 *
 * @example
 * const passages = await compressDocuments(retrieved.map((hit) => hit.text), { query: question, store });
 * const { text } = await generateText({
 *   model,
 *   system: `Answer from these sources:\n\n${passages.join('\n\n---\n\n')}`,
 *   prompt: question,
 *   tools: { unfold: unfoldTool({ store }) },
 * });
 */
export async function compressDocuments(
  documents: ReadonlyArray<string>,
  options: CompressDocumentsOptions,
): Promise<string[]> {
  const { budget, onCompress, ...compressOptions } = options;
  const totalChars = documents.reduce((sum, document) => sum + (typeof document === 'string' ? document.length : 0), 0);
  return Promise.all(
    documents.map(async (document, index) => {
      if (typeof document !== 'string') return document;
      const share = budget && totalChars > 0 ? Math.max(64, Math.round((budget * document.length) / totalChars)) : 0;
      try {
        // Without a shared budget each document gets `documentBudget`: small passages are
        // compressed for the query too, unlike tool outputs.
        const result = await compress(document, { ...compressOptions, budget: share || documentBudget });
        try {
          onCompress?.(result, index);
        } catch {
          // Reporting must never break compression.
        }
        return result.text; // the document itself when passed through, look-alikes escaped
      } catch {
        return document;
      }
    }),
  );
}
