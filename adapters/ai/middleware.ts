import { UNFOLD_TOOL_DESCRIPTION, UNFOLD_TOOL_INPUT_SCHEMA, UNFOLD_TOOL_NAME } from '../../core/index.ts';
import { generateWithUnfold, streamWithUnfold, type UnfoldSettings } from './auto-unfold.ts';
import { createPromptCompressor } from './compress-prompt.ts';
import type { CallOptions, FunctionTool, GenerateResult, Model, StreamResult } from './sdk-types.ts';
import type { ErrorStage, TokenfoldMiddleware, TokenfoldMiddlewareOptions } from './types.ts';

/*
 * The AI SDK middleware: before each model call it compresses the tool results in the prompt
 * (see compress-prompt.ts for exactly what changes and what never does), and with `autoUnfold` it
 * also offers the unfold tool and answers the model's unfold calls itself (see auto-unfold.ts).
 *
 * It never throws because of compression: whatever fails, the original prompt goes out. Errors of
 * the model itself reach the app as they would without the middleware.
 */

/**
 * Middleware for `wrapLanguageModel` (AI SDK 6 and 7) that compresses tool outputs before each
 * model call, folding what it drops behind `[[fold …]]` markers the unfold tool resolves.
 * Each output is compressed once; every later step sends the same bytes.
 *
 * @example
 * import { generateText, stepCountIs, wrapLanguageModel } from 'ai';
 * import { tokenfoldMiddleware } from 'tokenfold/ai';
 *
 * const model = wrapLanguageModel({
 *   model: openai('gpt-4.1'),
 *   middleware: tokenfoldMiddleware({ namespace: conversationId, autoUnfold: true }),
 * });
 * const { text } = await generateText({ model, tools, stopWhen: stepCountIs(20), prompt });
 */
export function tokenfoldMiddleware(options: TokenfoldMiddlewareOptions = {}): TokenfoldMiddleware {
  const report = (error: unknown, stage: ErrorStage) => {
    try {
      options.onError?.(error, { stage });
    } catch {
      // A failing reporter must not break the agent loop.
    }
  };
  const compressPrompt = createPromptCompressor(options, report);
  const offered: FunctionTool = {
    type: 'function',
    name: UNFOLD_TOOL_NAME,
    description: UNFOLD_TOOL_DESCRIPTION,
    inputSchema: structuredClone(UNFOLD_TOOL_INPUT_SCHEMA) as unknown as FunctionTool['inputSchema'],
  };
  const settings: UnfoldSettings = {
    offered,
    store: options.store,
    namespace: options.namespace,
    maxChars: options.unfoldMaxChars,
    maxRounds: Math.max(0, options.maxUnfoldRounds ?? 5),
    report: (error) => report(error, 'unfold'),
  };
  const autoUnfold = options.autoUnfold === true && settings.maxRounds > 0;
  // Auto mode is on for a call when the tool the middleware offered is in its tools.
  const offers = (params: CallOptions) => params.tools?.includes(offered) === true;

  return {
    specificationVersion: 'v3',

    async transformParams({ params }) {
      const call = params as unknown as CallOptions;
      try {
        const { prompt, folded } = await compressPrompt(call.prompt);
        // Offered once the prompt holds a fold, so the tool list changes at most once per conversation.
        const offer = autoUnfold && folded && !hasTool(call.tools, UNFOLD_TOOL_NAME);
        if (prompt === call.prompt && !offer) return params;
        return { ...params, prompt, ...(offer ? { tools: [...(call.tools ?? []), offered] } : {}) };
      } catch (error) {
        report(error, 'adapter');
        return params;
      }
    },

    async wrapGenerate({ doGenerate, params, model }) {
      const first = await doGenerate();
      const call = params as unknown as CallOptions;
      if (!offers(call)) return first;
      const inner = model as unknown as Model;
      const result = await generateWithUnfold(first as unknown as GenerateResult, call, inner, settings);
      return result as unknown as typeof first;
    },

    async wrapStream({ doStream, params, model }) {
      const first = await doStream();
      const call = params as unknown as CallOptions;
      if (!offers(call)) return first;
      const inner = model as unknown as Model;
      return streamWithUnfold(first as unknown as StreamResult, call, inner, settings) as unknown as typeof first;
    },
  };
}

function hasTool(tools: CallOptions['tools'], name: string): boolean {
  return tools?.some((tool) => tool.name === name) === true;
}
