import { providerUsage, type ProviderUsage } from '../../core/index.ts';

/**
 * A LangChain model response's `usage_metadata` as `ProviderUsage`: `input_tokens` (which
 * includes cached tokens), `input_token_details.cache_read` and `cache_creation`, as
 * `@langchain/anthropic` and `@langchain/openai` fill them. `undefined` when the response has no
 * usage (a model that does not report it, or a `Command` instead of a message).
 *
 * @example
 * langChainUsage(new AIMessage({ content: 'ok', usage_metadata: { input_tokens: 1200, output_tokens: 5, total_tokens: 1205,
 *   input_token_details: { cache_read: 1000 } } }));
 * // { inputTokens: 1200, cacheReadTokens: 1000, cacheWriteTokens: 0 }
 */
export function langChainUsage(response: unknown): ProviderUsage | undefined {
  const usage = (response as { usage_metadata?: { input_tokens?: unknown; input_token_details?: { cache_read?: unknown; cache_creation?: unknown } } } | null)?.usage_metadata;
  if (typeof usage !== 'object' || usage === null) return undefined;
  const details = usage.input_token_details ?? {};
  return providerUsage(usage.input_tokens, details.cache_read, details.cache_creation);
}
