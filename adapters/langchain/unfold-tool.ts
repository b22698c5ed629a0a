import { tool } from '@langchain/core/tools';
import type { DynamicStructuredTool } from '@langchain/core/tools';
import type Keyv from 'keyv';
import { runUnfoldTool, UNFOLD_TOOL_DESCRIPTION, UNFOLD_TOOL_INPUT_SCHEMA, UNFOLD_TOOL_NAME } from '../../core/index.ts';
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
  const unfoldTool = tool(
    async (input: UnfoldToolInput, config) => {
      const answer = await runUnfoldTool(input, { store, namespace, maxChars });
      const { id, lines, grep } = input ?? {};
      await emitTokenfoldEvent(UNFOLD_EVENT, { id: String(id ?? ''), lines, grep, chars: answer.length }, config);
      return answer;
    },
    {
      name: UNFOLD_TOOL_NAME,
      description: UNFOLD_TOOL_DESCRIPTION,
      // The core's schema is deeply readonly; LangChain only reads it.
      schema: UNFOLD_TOOL_INPUT_SCHEMA as unknown as Record<string, unknown>,
    },
  );
  return unfoldTool as DynamicStructuredTool;
}
