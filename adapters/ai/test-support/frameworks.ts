import * as ai7 from 'ai';
import * as ai7Test from 'ai/test';
import * as ai6 from 'ai-v6';
import * as ai6Test from 'ai-v6/test';

/*
 * AI SDK 7 (`ai`) and AI SDK 6 (`ai-v6`) side by side for the tests, example and benchmark, with
 * one scripted mock model that speaks either major's spec (v4 and v3).
 */

/** What a scripted model says in one call. */
export interface Reply {
  reasoning?: string;
  text?: string;
  toolCalls?: Array<{ id: string; name: string; input: unknown; providerExecuted?: boolean }>;
  /** Stream only: awaited after the text deltas went out, before the tool parts and `finish`. */
  pauseAfterText?: Promise<unknown>;
  /** Input tokens the usage reports as cache reads and writes (part of its total). Default none. */
  cache?: { read: number; write: number };
}

/** What a scripted model was sent in one call. */
export interface SentCall {
  // Typed loosely on purpose: the same scripts drive spec v3 (AI SDK 6) and v4 (AI SDK 7) models.
  prompt: any[];
  tools?: any[];
  toolChoice?: any;
}

export type Script = (call: SentCall, index: number) => Reply;

/** One AI SDK major, with the calls the tests need. Loosely typed: see `SentCall`. */
export interface Framework {
  name: 'ai 7' | 'ai 6';
  generateText: (options: any) => Promise<any>;
  streamText: (options: any) => any;
  wrapLanguageModel: (options: { model: any; middleware: any }) => any;
  stepCountIs: (count: number) => any;
  tool: (definition: any) => any;
  jsonSchema: (schema: any) => any;
  /** A mock model of this major's spec that answers by `script` and records what it was sent. */
  mockModel(script: Script): { model: any; calls: SentCall[] };
}

const usage = (input: number, cache = { read: 0, write: 0 }) => ({
  inputTokens: { total: input, noCache: input - cache.read - cache.write, cacheRead: cache.read, cacheWrite: cache.write },
  outputTokens: { total: 10, text: 10, reasoning: 0 },
});

// The mock's input token count: the size of the prompt it was sent (0 for one JSON cannot express).
export function promptSize(prompt: unknown): number {
  try {
    return JSON.stringify(prompt)?.length ?? 0;
  } catch {
    return 0;
  }
}

function generated(reply: Reply, call: SentCall) {
  const content: any[] = [];
  if (reply.reasoning) content.push({ type: 'reasoning', text: reply.reasoning });
  if (reply.text) content.push({ type: 'text', text: reply.text });
  for (const toolCall of reply.toolCalls ?? []) {
    content.push({
      type: 'tool-call',
      toolCallId: toolCall.id,
      toolName: toolCall.name,
      input: JSON.stringify(toolCall.input),
      ...(toolCall.providerExecuted ? { providerExecuted: true } : {}),
    });
  }
  const calledTools = (reply.toolCalls ?? []).some((toolCall) => !toolCall.providerExecuted);
  return {
    content,
    finishReason: { unified: calledTools ? 'tool-calls' : 'stop', raw: undefined },
    usage: usage(promptSize(call.prompt), reply.cache),
    warnings: [],
  };
}

function streamed(reply: Reply, call: SentCall) {
  const { content, finishReason, usage: used } = generated(reply, call);
  return new ReadableStream({
    async start(controller) {
      controller.enqueue({ type: 'stream-start', warnings: [] });
      for (const part of content) {
        if (part.type === 'text' || part.type === 'reasoning') {
          const kind = part.type;
          controller.enqueue({ type: `${kind}-start`, id: kind });
          for (const word of part.text.split(/(?<= )/)) controller.enqueue({ type: `${kind}-delta`, id: kind, delta: word });
          controller.enqueue({ type: `${kind}-end`, id: kind });
        }
      }
      await reply.pauseAfterText;
      for (const part of content) {
        if (part.type !== 'tool-call') continue;
        controller.enqueue({ type: 'tool-input-start', id: part.toolCallId, toolName: part.toolName });
        controller.enqueue({ type: 'tool-input-delta', id: part.toolCallId, delta: part.input });
        controller.enqueue({ type: 'tool-input-end', id: part.toolCallId });
        controller.enqueue(part);
      }
      controller.enqueue({ type: 'finish', finishReason, usage: used });
      controller.close();
    },
  });
}

function makeMock(MockModel: any) {
  return (script: Script) => {
    const calls: SentCall[] = [];
    const record = (params: any): SentCall => {
      const call = { prompt: params.prompt, tools: params.tools, toolChoice: params.toolChoice };
      calls.push(call);
      return call;
    };
    const model = new MockModel({
      doGenerate: async (params: any) => {
        const call = record(params);
        return generated(script(call, calls.length - 1), call);
      },
      doStream: async (params: any) => {
        const call = record(params);
        return { stream: streamed(script(call, calls.length - 1), call) };
      },
    });
    return { model, calls };
  };
}

export const frameworks: Framework[] = [
  {
    name: 'ai 7',
    generateText: ai7.generateText,
    streamText: ai7.streamText,
    wrapLanguageModel: ai7.wrapLanguageModel,
    stepCountIs: ai7.stepCountIs,
    tool: ai7.tool,
    jsonSchema: ai7.jsonSchema,
    mockModel: makeMock(ai7Test.MockLanguageModelV4),
  },
  {
    name: 'ai 6',
    generateText: ai6.generateText,
    streamText: ai6.streamText,
    wrapLanguageModel: ai6.wrapLanguageModel,
    stepCountIs: ai6.stepCountIs,
    tool: ai6.tool,
    jsonSchema: ai6.jsonSchema,
    mockModel: makeMock(ai6Test.MockLanguageModelV3),
  },
];
