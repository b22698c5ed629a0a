import type { MastraDBMessage } from '@mastra/core/agent/message-list';
import type { ProcessToolResultArgs } from '@mastra/core/processors';
import { createSession, createToolOutputCompressor, type SessionOptions, type SessionOutput, type ToolOutputOptions } from '../../core/index.ts';
import { rewritePrompt } from '../ai/session-prompt.ts';
import type { Prompt } from '../ai/sdk-types.ts';

/*
 * The session features (core/session) in a Mastra agent. A tool result is decided once as it
 * arrives (`processToolResult`: a reference, a diff, or compressed with its learned budget) and
 * stored as sent, as without the session. History folds apply to each model call's prompt only
 * (`processLLMRequest`), whose shape is the AI SDK's, so the AI SDK adapter's translation serves.
 */

export interface MastraSession {
  /** The text to store for a tool result that just arrived, or undefined to keep it. */
  toolResult(args: ProcessToolResultArgs): Promise<string | undefined>;
  /** The prompt with history folds applied, or undefined when nothing changes. */
  llmRequest(prompt: unknown): Promise<unknown>;
}

/** Creates the session of one processor. */
export function createMastraSession(session: true | SessionOptions, options: ToolOutputOptions): MastraSession {
  const compressOutput = createToolOutputCompressor({ source: 'mastra', ...options });
  const core = createSession(session === true ? {} : session, compressOutput, { source: 'mastra', ...options });

  return {
    async toolResult(args) {
      const text = typeof args.result === 'string' ? args.result : safeJson(args.result);
      if (text === undefined) return undefined;
      const { outputs, step, query } = sessionOutputs(args.messages ?? []);
      const arriving: SessionOutput = { id: args.toolCallId, tool: args.toolName, input: args.args, text, step, query };
      const sent = (await core.prepare([...outputs, arriving], { step, arrivals: new Set([args.toolCallId]) })).get(args.toolCallId);
      return sent?.changed ? sent.text : undefined;
    },

    async llmRequest(prompt) {
      const rewritten = await rewritePrompt(core, prompt as Prompt, new Set());
      return rewritten.prompt === prompt ? undefined : rewritten.prompt;
    },
  };
}

/** The tool outputs of Mastra's stored messages, in order, their step and the last user text. */
function sessionOutputs(messages: readonly MastraDBMessage[]): { outputs: SessionOutput[]; step: number; query: string } {
  const outputs: SessionOutput[] = [];
  let step = 0;
  let query = '';
  for (const message of messages) {
    const parts: Array<Record<string, any>> = Array.isArray(message?.content?.parts) ? (message.content.parts as never) : [];
    if (message?.role === 'user') {
      query = parts.flatMap((part) => (part.type === 'text' && typeof part.text === 'string' ? [part.text] : [])).join('\n') || query;
      continue;
    }
    if (message?.role !== 'assistant') continue;
    step++;
    for (const part of parts) {
      if (part.type === 'step-start') step++;
      const invocation = part.type === 'tool-invocation' ? part.toolInvocation : undefined;
      if (invocation?.state !== 'result') continue;
      const text = typeof invocation.result === 'string' ? invocation.result : safeJson(invocation.result);
      if (text !== undefined) outputs.push({ id: invocation.toolCallId, tool: invocation.toolName, input: invocation.args, text, step, query });
    }
  }
  return { outputs, step, query };
}

function safeJson(value: unknown): string | undefined {
  try {
    const text = JSON.stringify(value);
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}
