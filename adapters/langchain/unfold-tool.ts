import { ToolMessage } from '@langchain/core/messages';
import { DynamicStructuredTool, ToolInputParsingException } from '@langchain/core/tools';
import type Keyv from 'keyv';
import { o200kCounter, runUnfoldTool, UNFOLD_TOOL_DESCRIPTION, UNFOLD_TOOL_INPUT_SCHEMA, UNFOLD_TOOL_NAME } from '../../core/index.ts';
import type { UnfoldToolInput } from '../../core/index.ts';
import { emitTokenfoldEvent, UNFOLD_EVENT } from './callback-handler.ts';

export interface UnfoldToolOptions {
  /** The store the compressions wrote to. Default: the core's in-memory store. */
  store?: Keyv;
  /** The namespace the compressions used. */
  namespace?: string;
  /** Longest answer in characters; longer ones are cut with a note on how to page. Default 40,000. */
  maxChars?: number;
}

/**
 * The `unfold` tool as a LangChain tool: give it to any agent or `bindTools` call whose messages
 * carry `[[fold …]]` markers, bound to the same store and namespace as the compressions. It never
 * throws: a bad or expired id becomes an answer the model can act on. `tokenfoldMiddleware`
 * registers one itself.
 *
 * The input schema is the core's JSON Schema, so every adapter shows the model the same tool.
 *
 * @example
 * const unfold = createUnfoldTool({ store, namespace: userId });
 * const agent = createAgent({ model, tools: [search, unfold] });
 */
export function createUnfoldTool(options: UnfoldToolOptions = {}): DynamicStructuredTool {
  const { store, namespace, maxChars } = options;
  return new LenientUnfoldTool({
    name: UNFOLD_TOOL_NAME,
    description: UNFOLD_TOOL_DESCRIPTION,
    // The core's schema is deeply readonly; LangChain only reads it.
    schema: UNFOLD_TOOL_INPUT_SCHEMA as unknown as Record<string, unknown>,
    func: async (input: UnfoldToolInput, _runManager, config) => {
      const answer = await runUnfoldTool(input, { store, namespace, maxChars, source: 'langchain' });
      const { id, lines, grep } = input ?? {};
      const tokensReturned = o200kCounter.count(answer);
      await emitTokenfoldEvent(UNFOLD_EVENT, { id: String(id ?? ''), lines, grep, chars: answer.length, tokensReturned }, config);
      return answer;
    },
  });
}

/**
 * LangChain checks a tool's input against its schema and throws on a mismatch, which the model
 * then reads as a stack trace. This tool shows the model the core's schema like every adapter,
 * but answers what the schema refuses (an id sent as a number, an extra key, no id) the way the
 * core does: a number is an id that lost its leading zeros, anything else gets a message.
 */
class LenientUnfoldTool extends DynamicStructuredTool {
  override async call(...[argument, config, tags]: Parameters<DynamicStructuredTool['call']>): ReturnType<DynamicStructuredTool['call']> {
    try {
      return await super.call(argument, config, tags);
    } catch (error) {
      if (!(error instanceof ToolInputParsingException)) throw error;
      // The core reads what it can (an id as a number gets its leading zeros back, extra keys are
      // ignored) and explains the rest; the answer goes back as the schema's would have.
      // `invoke` passes a tool call's args here and the call itself in the config.
      const toolCall = isToolCall(argument) ? argument : undefined;
      const toolCallId = toolCall?.id ?? (config as { toolCall?: { id?: string } } | undefined)?.toolCall?.id;
      const answer: string = await this.func((toolCall ? toolCall.args : argument) as UnfoldToolInput, undefined, config as never);
      return toolCallId ? new ToolMessage({ content: answer, tool_call_id: toolCallId, name: this.name }) : answer;
    }
  }
}

function isToolCall(value: unknown): value is { type: 'tool_call'; id?: string; args: unknown } {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'tool_call';
}
