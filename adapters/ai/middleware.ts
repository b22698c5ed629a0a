import { createSavingsTally, recordUsage, usagePolicy, UNFOLD_TOOL_DESCRIPTION, UNFOLD_TOOL_INPUT_SCHEMA, UNFOLD_TOOL_NAME } from '../../core/index.ts';
import { generateWithUnfold, streamWithUnfold, type UnfoldSettings } from './auto-unfold.ts';
import { createPromptCompressor } from './compress-prompt.ts';
import { createPromptCacheStep } from './cache.ts';
import type { CallOptions, FunctionTool, GenerateResult, Model, Prompt, StreamResult } from './sdk-types.ts';
import type { ErrorStage, TokenfoldMiddleware, TokenfoldMiddlewareOptions } from './types.ts';
import { aiSdkUsage, noteUnfoldAnswers, watchUsage } from './usage.ts';

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
  // Net savings for onCompress / onUnfold: compressions minus the unfold answers the model got.
  const savings = createSavingsTally({ onCompress: options.onCompress, onUnfold: options.onUnfold, tokenizer: options.tokenizer, onError: (error) => report(error, 'adapter') });
  const countsUnfolds = options.onCompress !== undefined || options.onUnfold !== undefined;
  const compressPrompt = createPromptCompressor(options, report, savings);
  const cacheStep = createPromptCacheStep({ ...options, source: 'ai', report: (error) => report(error, 'adapter') });
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
    ...(countsUnfolds && { answered: (answer, call) => void savings.unfolded(answer, call) }),
  };
  // The provider's usage of each call goes to the ledger, tagged with the history policy.
  const policy = usagePolicy(options.session);
  const recordCall = (usage: unknown) => {
    if (options.store) void recordUsage(options.store, aiSdkUsage(usage), { namespace: options.namespace, source: 'ai', policy });
  };
  const autoUnfold = options.autoUnfold === true && settings.maxRounds > 0;
  // Auto mode is on for a call when the tool the middleware offered is in its tools.
  const offers = (params: CallOptions) => params.tools?.includes(offered) === true;

  return {
    specificationVersion: 'v3',

    async transformParams({ params }) {
      const call = params as unknown as CallOptions;
      try {
        if (countsUnfolds) await noteUnfoldAnswers(call.prompt, savings);
        const { prompt, folded } = await compressPrompt(call.prompt);
        // Offered once the prompt holds a fold, so the tool list changes at most once per conversation.
        const offer = autoUnfold && folded && !hasTool(call.tools, UNFOLD_TOOL_NAME);
        // Prompt-cache alignment and report (core/cache): last, on exactly what the model gets.
        const sent = cacheStep(prompt, offer ? [...(call.tools ?? []), offered] : call.tools);
        if (sent.prompt === call.prompt && sent.tools === call.tools) return params;
        return { ...params, prompt: sent.prompt as Prompt, ...(sent.tools !== call.tools ? { tools: sent.tools } : {}) };
      } catch (error) {
        report(error, 'adapter');
        return params;
      }
    },

    async wrapGenerate({ doGenerate, params, model }) {
      const first = await doGenerate();
      const call = params as unknown as CallOptions;
      if (!offers(call)) {
        recordCall((first as unknown as GenerateResult).usage);
        return first;
      }
      const inner = model as unknown as Model;
      // With auto-unfold, the usage of every round of the step, added up.
      const result = await generateWithUnfold(first as unknown as GenerateResult, call, inner, settings);
      recordCall(result.usage);
      return result as unknown as typeof first;
    },

    async wrapStream({ doStream, params, model }) {
      const first = await doStream();
      const call = params as unknown as CallOptions;
      const inner = model as unknown as Model;
      const result = offers(call) ? streamWithUnfold(first as unknown as StreamResult, call, inner, settings) : (first as unknown as StreamResult);
      if (!options.store) return result as unknown as typeof first;
      return { ...result, stream: watchUsage(result.stream, recordCall) } as unknown as typeof first;
    },
  };
}

function hasTool(tools: CallOptions['tools'], name: string): boolean {
  return tools?.some((tool) => tool.name === name) === true;
}
