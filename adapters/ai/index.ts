export { tokenfoldMiddleware } from './middleware.ts';
export { unfoldTool, type UnfoldAiTool } from './unfold-tool.ts';
export { compressDocuments, type CompressDocumentsOptions } from './documents.ts';
export type { ErrorStage, TokenfoldMiddleware, TokenfoldMiddlewareOptions } from './types.ts';
