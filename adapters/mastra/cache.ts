import type { ProcessInputStepArgs, ProcessInputStepResult, ProcessLLMRequestArgs, ProcessLLMRequestResult } from '@mastra/core/processors';
import type { CacheOptions } from '../../core/cache/index.ts';
import { reporter, type ToolOutputOptions } from '../../core/index.ts';
import { createPromptCacheStep, type PromptMessage, type PromptTool } from '../ai/cache.ts';

/*
 * Prompt-cache alignment in a Mastra agent, in two hooks:
 * - `processInputStep` sees the step's tools: it notes them as the app made them (for the
 *   report) and, with `cacheAlign`, hands them on sorted by name (Mastra sends tools in the
 *   order of the record's keys). Tool descriptions are never rewritten here, since the tools are
 *   the app's own objects.
 * - `processLLMRequest` sees the prompt Mastra built for the model (the AI SDK's shape) and runs
 *   the AI SDK adapter's cache step on it: system text with placeholders, the context note as the
 *   last user turn, `providerOptions.anthropic.cacheControl` breakpoints. Mastra forwards it to
 *   that call only; memory and the message list keep what the app wrote.
 */

const TOOLS_SEEN = 'tokenfold:cache-tools';

export interface MastraCacheStep {
  /** Whether any option asks for alignment or reports (else both hooks leave everything alone). */
  active: boolean;
  /** Wraps the processor's own `processInputStep` so that the step's tools are noted and sorted. */
  inputStep(
    inner: (args: ProcessInputStepArgs) => ProcessInputStepResult | undefined,
  ): (args: ProcessInputStepArgs) => ProcessInputStepResult | undefined;
  /** The request to send: `prompt` (or the args' own) aligned and reported. */
  llmRequest(args: ProcessLLMRequestArgs, prompt?: ProcessLLMRequestArgs['prompt']): ProcessLLMRequestResult;
}

/** Creates the cache hooks of one processor. */
export function createMastraCacheStep(options: ToolOutputOptions & CacheOptions): MastraCacheStep {
  const report = reporter(options.onError);
  const step = createPromptCacheStep({
    ...options,
    source: 'mastra',
    report: (error) => report(error, { stage: 'adapter', kind: 'cache' }),
  });
  const active = options.cacheAlign === true || options.cacheBreakpoints === true || options.onCacheReport !== undefined || (options.store !== undefined && options.ledger !== false);

  return {
    active,
    inputStep: (inner) =>
      !active
        ? inner
        : (args) => {
            const result = inner(args);
            const tools = (result?.tools ?? args.tools) as Record<string, unknown> | undefined;
            if (!tools) return result;
            args.state[TOOLS_SEEN] = Object.entries(tools).map(([name, tool]) => toolView(name, tool));
            if (options.cacheAlign !== true) return result;
            const names = Object.keys(tools);
            const sorted = [...names].sort();
            if (sorted.every((name, index) => name === names[index])) return result;
            return { ...result, tools: Object.fromEntries(sorted.map((name) => [name, tools[name]])) };
          },
    llmRequest(args, prompt = args.prompt) {
      const tools = (args.state[TOOLS_SEEN] as PromptTool[] | undefined) ?? [];
      const sent = step(prompt as unknown as PromptMessage[], tools);
      return sent.prompt === (prompt as unknown) ? (prompt === args.prompt ? undefined : { prompt }) : { prompt: sent.prompt as unknown as typeof prompt };
    },
  };
}

// Name and description are what the model reads of a Mastra tool; schemas are zod objects whose
// serialization is Mastra's business, so a schema change goes unreported here.
function toolView(name: string, tool: unknown): PromptTool {
  const description = (tool as { description?: unknown } | undefined)?.description;
  return { type: 'function', name, description: typeof description === 'string' ? description : '', inputSchema: '' };
}
