import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import {
  runUnfoldTool,
  UNFOLD_TOOL_DESCRIPTION,
  UNFOLD_TOOL_INPUT_SCHEMA,
  UNFOLD_TOOL_NAME,
  type UnfoldToolOptions,
} from '../../core/index.ts';

/*
 * The unfold tool as a Mastra tool: the core's name, description and answers, with the input
 * schema spelled in zod because that is what `createTool` validates against. Its `execute`
 * never throws: a bad id or a store error is an answer the model can act on.
 */

const { properties } = UNFOLD_TOOL_INPUT_SCHEMA;

const unfoldInputSchema = z.object({
  id: z.string().describe(properties.id.description),
  lines: z.string().optional().describe(properties.lines.description),
  grep: z.string().optional().describe(properties.grep.description),
});

/**
 * The `unfold` tool for a Mastra agent, bound to the store and namespace the processor writes
 * folds to. `tokenfoldProcessor(...).unfoldTool` is one already bound to the processor's options;
 * use this when the tool and the processor are configured apart.
 *
 * @example
 * const agent = new Agent({
 *   tools: { searchLogs, unfold: createUnfoldTool({ store, namespace: 'support' }) },
 *   outputProcessors: [tokenfoldProcessor({ store, namespace: 'support' })],
 *   ...
 * });
 */
export function createUnfoldTool(options: UnfoldToolOptions = {}) {
  return createTool({
    id: UNFOLD_TOOL_NAME,
    description: UNFOLD_TOOL_DESCRIPTION,
    inputSchema: unfoldInputSchema,
    execute: (input) => runUnfoldTool(input, options),
  });
}

export type MastraUnfoldTool = ReturnType<typeof createUnfoldTool>;
