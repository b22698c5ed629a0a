export { tokenfoldProcessor, type TokenfoldProcessor, type TokenfoldProcessorOptions } from './processor.ts';
export { createUnfoldTool, type MastraUnfoldTool } from './unfold-tool.ts';
