import {
  runUnfoldTool,
  UNFOLD_TOOL_DESCRIPTION,
  UNFOLD_TOOL_INPUT_SCHEMA,
  type UnfoldToolInput,
  type UnfoldToolOptions,
} from '../../core/index.ts';

/*
 * The unfold tool in the AI SDK's own tool format. Its input schema is a Standard Schema with a
 * JSON Schema converter (https://standardschema.dev), which AI SDK 6 and 7 both accept as
 * `inputSchema`, so the adapter needs no runtime import of `ai` and fits whichever major the app
 * has. Input checking is lenient on purpose: `runUnfoldTool` explains a bad id to the model,
 * which is more useful to it than a schema error.
 */

/**
 * The unfold tool for `generateText` / `streamText` / agents: returns the original behind a
 * `[[fold …]]` marker, whole or by `lines` / `grep`. Bind it to the same `store` and `namespace`
 * as `tokenfoldMiddleware`. Its answers are never compressed by the middleware.
 *
 * @example
 * const result = await generateText({
 *   model: wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store }) }),
 *   tools: { ...myTools, unfold: unfoldTool({ store }) },
 *   stopWhen: stepCountIs(10),
 *   prompt,
 * });
 */
export function unfoldTool(options: UnfoldToolOptions = {}): UnfoldAiTool {
  return {
    description: UNFOLD_TOOL_DESCRIPTION,
    inputSchema: unfoldInputSchema,
    execute: (input: UnfoldToolInput) => runUnfoldTool(input, options),
  };
}

/**
 * An AI SDK tool, typed by shape so that it fits the `tools` of AI SDK 6 and 7 alike. The schema
 * types follow the Standard Schema spec, which asks libraries to copy them rather than import them.
 */
export interface UnfoldAiTool {
  description: string;
  inputSchema: {
    readonly '~standard': {
      readonly version: 1;
      readonly vendor: string;
      readonly types?: { readonly input: unknown; readonly output: UnfoldToolInput };
      readonly validate: (value: unknown) => ValidationResult;
      readonly jsonSchema: {
        readonly input: (options: { readonly target: string }) => Record<string, unknown>;
        readonly output: (options: { readonly target: string }) => Record<string, unknown>;
      };
    };
  };
  execute: (input: UnfoldToolInput) => Promise<string>;
}

type ValidationResult =
  | { readonly value: UnfoldToolInput; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string }> };

const unfoldInputSchema: UnfoldAiTool['inputSchema'] = {
  '~standard': {
    version: 1,
    vendor: 'tokenfold',
    validate: (value) =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? { value: value as UnfoldToolInput }
        : { issues: [{ message: 'unfold takes an object: { id, lines?, grep? }' }] },
    jsonSchema: {
      input: () => structuredClone(UNFOLD_TOOL_INPUT_SCHEMA) as Record<string, unknown>,
      output: () => structuredClone(UNFOLD_TOOL_INPUT_SCHEMA) as Record<string, unknown>,
    },
  },
};
