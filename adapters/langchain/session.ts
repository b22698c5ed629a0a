import { ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { createSession, createToolOutputCompressor, estimateTokens, type Session, type SessionOptions, type SessionOutput } from '../../core/index.ts';
import type { TokenfoldLangChainOptions } from './options.ts';
import { copyToolMessage } from './tool-message.ts';

/*
 * The session features (core/session) in a LangChain agent: LangChain messages translated into
 * the session's list of tool outputs, and its answer put back.
 * - A new tool result is decided once, as it arrives (`wrapToolCall`): a repeat becomes a
 *   reference, a re-read a diff, anything else is compressed with its learned budget. The rewrite
 *   is durable, as without the session: the state holds what was sent.
 * - History folds (`history: 'batch' | 'always'`) rewrite earlier tool messages for the model call
 *   only (`wrapModelCall`), so the state keeps what each output was sent as and the policy decides
 *   again, the same way, at every call.
 */

/** What the middleware needs of the session. */
export interface LangChainSession {
  /** The message to store for a tool result that just arrived (itself when nothing changes). */
  toolResult(result: ToolMessage, call: { id?: string; name: string; args: unknown }, history: readonly BaseMessage[] | undefined): Promise<ToolMessage>;
  /** The messages to send to the model, with history folds applied. */
  modelMessages(messages: BaseMessage[]): Promise<BaseMessage[]>;
}

/** Creates the session of one middleware instance. */
export function createLangChainSession(session: true | SessionOptions, options: TokenfoldLangChainOptions & { tools?: readonly string[]; skipTools?: readonly string[] }): LangChainSession {
  const compressOutput = createToolOutputCompressor({ source: 'langchain', ...options });
  const core: Session = createSession(session === true ? {} : session, compressOutput, { source: 'langchain', ...options });

  return {
    async toolResult(result, call, history) {
      if (typeof result.content !== 'string' || !call.id) return result;
      // The question the agent is on now: the last human message, not that of the last output.
      const { outputs, step, query } = sessionOutputs(history ?? []);
      const arriving: SessionOutput = { id: call.id, tool: call.name, input: call.args, text: result.content, step, query };
      const sent = (await core.prepare([...outputs, arriving], { step, arrivals: new Set([call.id]) })).get(call.id);
      if (!sent?.changed) return result;
      const tokenfold = { how: sent.how, folds: sent.folds, ...(sent.result ? { kind: sent.result.kind, tokensBefore: sent.result.tokensBefore, tokensAfter: sent.result.tokensAfter } : {}) };
      return copyToolMessage(result, { content: sent.text, tokenfold });
    },

    async modelMessages(messages) {
      const { outputs, step } = sessionOutputs(messages);
      if (outputs.length === 0) return messages;
      const prepared = await core.prepare(outputs, { step, arrivals: new Set() });
      let next: BaseMessage[] | undefined;
      messages.forEach((message, index) => {
        if (!ToolMessage.isInstance(message)) return;
        const sent = prepared.get(message.tool_call_id);
        if (!sent?.changed || sent.how !== 'history') return;
        next ??= messages.slice();
        next[index] = copyToolMessage(message, { content: sent.text });
      });
      return next ?? messages;
    },
  };
}

/**
 * The tool outputs of LangChain messages, in order, the step they are at (AI messages) and the
 * last human text (what an output arriving now answers).
 */
export function sessionOutputs(messages: readonly BaseMessage[]): { outputs: SessionOutput[]; step: number; query: string } {
  const inputs = new Map<string, unknown>();
  const outputs: SessionOutput[] = [];
  let step = 0;
  let query = '';
  let between = 0;
  for (const message of messages) {
    const type = message?.type;
    if (type === 'human' || type === 'system') {
      const text = typeof message.text === 'string' ? message.text : '';
      if (type === 'human') query = text;
      between += estimateTokens(text);
    } else if (type === 'ai') {
      step++;
      between += estimateTokens(typeof message.text === 'string' ? message.text : '');
      for (const call of (message as { tool_calls?: Array<{ id?: string; args: unknown }> }).tool_calls ?? []) {
        if (call.id) inputs.set(call.id, call.args);
        between += estimateTokens(JSON.stringify(call.args) ?? '');
      }
    } else if (ToolMessage.isInstance(message) && typeof message.content === 'string') {
      outputs.push({ id: message.tool_call_id, tool: message.name ?? '', input: inputs.get(message.tool_call_id), text: message.content, step, query, between });
      between = 0;
    }
  }
  return { outputs, step, query };
}
