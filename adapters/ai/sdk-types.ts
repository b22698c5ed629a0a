import type { LanguageModelMiddleware } from 'ai';

/*
 * The AI SDK shapes the adapter reads and writes, taken from AI SDK 7's own middleware interface.
 * AI SDK 6 (spec v3) sends the same shapes for every field used here: prompt messages, tool
 * results, tool calls, stream parts and usage. The tests run both majors to keep that true.
 */

type Hooks = Required<LanguageModelMiddleware>;
export type CallOptions = Parameters<Hooks['transformParams']>[0]['params'];
export type Prompt = CallOptions['prompt'];
export type Message = Prompt[number];
export type ToolMessage = Extract<Message, { role: 'tool' }>;
export type ToolResultPart = Extract<ToolMessage['content'][number], { type: 'tool-result' }>;
export type ToolResultOutput = ToolResultPart['output'];
export type AssistantMessage = Extract<Message, { role: 'assistant' }>;
export type AssistantPart = AssistantMessage['content'][number];
export type FunctionTool = Extract<NonNullable<CallOptions['tools']>[number], { type: 'function' }>;
export type GenerateResult = Awaited<ReturnType<Hooks['wrapGenerate']>>;
export type Content = GenerateResult['content'][number];
export type ToolCallContent = Extract<Content, { type: 'tool-call' }>;
export type Usage = GenerateResult['usage'];
export type StreamResult = Awaited<ReturnType<Hooks['wrapStream']>>;
export type StreamPart = StreamResult['stream'] extends ReadableStream<infer Part> ? Part : never;
export type Model = Parameters<Hooks['wrapGenerate']>[0]['model'];
