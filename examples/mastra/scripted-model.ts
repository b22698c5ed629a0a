import type {
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3GenerateResult,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import { MockLanguageModelV3 } from 'ai-v6/test';

/*
 * A scripted stand-in for a real model, built on the AI SDK's own MockLanguageModelV3 (which
 * Mastra 1.x accepts as a model), so the example, the tests and the benchmark run Mastra's real
 * agent loop offline. A `decide` function plays the model: it reads the prompt it was sent and
 * answers with text or tool calls. Every prompt and tool list it receives is recorded.
 */

/** What the scripted model does on one step. */
export type ModelTurn =
  | { text: string }
  | { toolCalls: Array<{ toolCallId: string; toolName: string; input: Record<string, unknown> }> };

export interface ScriptedModel {
  model: MockLanguageModelV3;
  /** The prompt of each model call, in order. */
  prompts: LanguageModelV3Prompt[];
  /** The names of the tools offered on each model call, in order. */
  toolNames: string[][];
}

/** A tool result as the model reads it. */
export interface PromptToolResult {
  toolCallId: string;
  toolName: string;
  /** The output as text: a text output's value, or a JSON output's JSON text. */
  text: string;
}

/**
 * A model that plays `decide` on every step, through `doGenerate` and `doStream` alike.
 *
 * @example
 * const { model, prompts } = scriptedModel((prompt, step) =>
 *   step === 0 ? { toolCalls: [{ toolCallId: 'c1', toolName: 'readLog', input: {} }] } : { text: 'done' });
 */
export function scriptedModel(
  decide: (prompt: LanguageModelV3Prompt, step: number) => ModelTurn,
  options: {
    /** The usage reported for each step. Default: zeros (the example counts real tokens itself). */
    usageAt?: (step: number) => LanguageModelV3Usage;
  } = {},
): ScriptedModel {
  const prompts: LanguageModelV3Prompt[] = [];
  const toolNames: string[][] = [];
  const play = (call: LanguageModelV3CallOptions): { turn: ModelTurn; used: LanguageModelV3Usage } => {
    prompts.push(structuredClone(call.prompt));
    toolNames.push((call.tools ?? []).map((tool) => tool.name));
    const step = prompts.length - 1;
    return { turn: decide(call.prompt, step), used: options.usageAt?.(step) ?? usage };
  };
  const model = new MockLanguageModelV3({
    provider: 'scripted',
    modelId: 'scripted-agent',
    doGenerate: async (call) => {
      const { turn, used } = play(call);
      return generateResult(turn, used);
    },
    doStream: async (call) => {
      const { turn, used } = play(call);
      return { stream: streamOf(turn, used) };
    },
  });
  return { model, prompts, toolNames };
}

/** The tool results in a prompt, in order. */
export function toolResultsIn(prompt: LanguageModelV3Prompt): PromptToolResult[] {
  const results: PromptToolResult[] = [];
  for (const message of prompt) {
    if (message.role !== 'tool') continue;
    for (const part of message.content) {
      if (part.type !== 'tool-result') continue;
      const { output } = part;
      const text =
        output.type === 'text' || output.type === 'error-text'
          ? output.value
          : output.type === 'json' || output.type === 'error-json'
            ? JSON.stringify(output.value)
            : JSON.stringify(output);
      results.push({ toolCallId: part.toolCallId, toolName: part.toolName, text });
    }
  }
  return results;
}

/** The text of the last user message in a prompt. */
export function lastUserTextIn(prompt: LanguageModelV3Prompt): string {
  const user = prompt.findLast((message) => message.role === 'user');
  if (!user || user.role !== 'user') return '';
  return user.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
}

// Token usage the mock reports; the example and benchmark count real tokens themselves.
const usage: LanguageModelV3Usage = {
  inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 0, text: 0, reasoning: 0 },
};

function contentOf(turn: ModelTurn): LanguageModelV3Content[] {
  if ('text' in turn) return [{ type: 'text', text: turn.text }];
  return turn.toolCalls.map((call) => ({
    type: 'tool-call',
    toolCallId: call.toolCallId,
    toolName: call.toolName,
    input: JSON.stringify(call.input),
  }));
}

function generateResult(turn: ModelTurn, used: LanguageModelV3Usage): LanguageModelV3GenerateResult {
  return {
    content: contentOf(turn),
    finishReason: { unified: 'text' in turn ? 'stop' : 'tool-calls', raw: undefined },
    usage: used,
    warnings: [],
  };
}

function streamOf(turn: ModelTurn, used: LanguageModelV3Usage): ReadableStream<LanguageModelV3StreamPart> {
  const parts: LanguageModelV3StreamPart[] = [{ type: 'stream-start', warnings: [] }];
  if ('text' in turn) {
    parts.push({ type: 'text-start', id: 'text-1' });
    // Two deltas, so the stream really streams.
    const half = Math.ceil(turn.text.length / 2);
    parts.push({ type: 'text-delta', id: 'text-1', delta: turn.text.slice(0, half) });
    parts.push({ type: 'text-delta', id: 'text-1', delta: turn.text.slice(half) });
    parts.push({ type: 'text-end', id: 'text-1' });
  } else {
    for (const part of contentOf(turn)) if (part.type === 'tool-call') parts.push(part);
  }
  parts.push({ type: 'finish', finishReason: generateResult(turn, used).finishReason, usage: used });
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}

/** All the text a prompt carries (messages, tool calls, tool results), for counting its tokens. */
export function promptText(prompt: LanguageModelV3Prompt): string {
  const texts: string[] = [];
  for (const message of prompt) {
    if (typeof message.content === 'string') {
      texts.push(message.content);
      continue;
    }
    for (const part of message.content) {
      if (part.type === 'text' || part.type === 'reasoning') texts.push(part.text);
      else if (part.type === 'tool-call') texts.push(part.toolName, JSON.stringify(part.input));
    }
  }
  return texts.concat(toolResultsIn(prompt).map((result) => result.text)).join('\n');
}
