export { tokenfoldMiddleware, type TokenfoldMiddlewareOptions, type TokenfoldMessageMetadata } from './middleware.ts';
export {
  TokenfoldDocumentCompressor,
  tokenfoldRetriever,
  tokenfoldRunnable,
  type TokenfoldDocumentMetadata,
  type TokenfoldRunnableInput,
} from './document-compressor.ts';
export { createUnfoldTool, type UnfoldToolOptions } from './unfold-tool.ts';
export {
  COMPRESS_EVENT,
  TokenfoldCallbackHandler,
  UNFOLD_EVENT,
  type TokenfoldCompressEvent,
  type TokenfoldRecord,
  type TokenfoldTotals,
  type TokenfoldUnfoldEvent,
} from './callback-handler.ts';
export type { TokenfoldLangChainOptions } from './options.ts';
