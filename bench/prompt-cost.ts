/*
 * What an AI SDK request would cost under the providers' published prompt-caching rules, for the
 * benchmarks that replay agent runs (bench/session.ts, bench/cache.ts). The rules themselves are
 * core/cache/pricing.ts; this turns a request as the middleware sent it (prompt and tools) into
 * priced blocks, with the breakpoints it carries or the ones an app sets on its own, and says what
 * each block is, so that a cost can be split by part of the prompt.
 *
 *   const call = pricedCall(raw, tools, at, { appBreakpoints: true });
 *   const costs = anthropicCosts([call, ...]);
 *   costByPart([call, ...], costs); // { tools, system, task, assistant, 'tool output', user }
 */
import { o200kCounter } from 'tokenfold';
import { promptView, type PromptMessage, type PromptTool } from '../adapters/ai/cache.ts';
import { toBlocks } from '../core/cache/prefix.ts';
import { ANTHROPIC_RULES, type CallCost, type PricedBlock, type PricedCall } from '../core/cache/pricing.ts';

/** The part of a prompt a block belongs to. */
export type PromptPart = 'tools' | 'system' | 'task' | 'assistant' | 'tool output' | 'user';

export interface PartedCall extends PricedCall {
  /** The part of each block, by index. */
  parts: PromptPart[];
}

const tokenCounts = new Map<string, number>();

/** o200k tokens of a text, remembered (a replay sends the same blocks call after call). */
export function tokens(text: string): number {
  let count = tokenCounts.get(text);
  if (count === undefined) tokenCounts.set(text, (count = o200kCounter.count(text)));
  return count;
}

/**
 * One request as the price rules read it. Breakpoints: the ones the request carries
 * (`providerOptions.anthropic.cacheControl`, as tokenfold sets them), plus with `appBreakpoints`
 * the two an app sets on its own: the end of the system prompt and the last message.
 */
export function pricedCall(raw: readonly PromptMessage[], tools: readonly PromptTool[], at: number, options: { appBreakpoints: boolean }): PartedCall {
  const view = promptView(raw, tools);
  const blocks: PricedBlock[] = toBlocks(view).map((block) => ({ text: block.text, tokens: tokens(block.text), blocks: block.blocks }));
  const offset = view.tools.length;
  const breakpoints = raw.flatMap((message, index) => {
    const control = message.providerOptions?.anthropic?.cacheControl as { ttl?: '5m' | '1h' } | undefined;
    return control ? [{ index: offset + index, ttl: control.ttl ?? ('5m' as const) }] : [];
  });
  if (options.appBreakpoints) {
    if (view.system.length > 0) breakpoints.push({ index: offset + view.system.length - 1, ttl: '5m' });
    breakpoints.push({ index: blocks.length - 1, ttl: '5m' });
  }
  const parts: PromptPart[] = [
    ...view.tools.map(() => 'tools' as const),
    ...view.system.map(() => 'system' as const),
    ...view.messages.map((message, index): PromptPart =>
      message.role === 'assistant' ? 'assistant' : message.role === 'tool' ? 'tool output' : index === 0 ? 'task' : message.role === 'system' ? 'system' : 'user',
    ),
  ];
  return { at, blocks, breakpoints, parts };
}

/**
 * The Anthropic cost of a run's calls split by part of the prompt: each block priced as read,
 * written or uncached by where `anthropicCosts` put the call's boundaries.
 */
export function costByPart(calls: readonly PartedCall[], costs: readonly CallCost[]): Record<PromptPart, number> {
  const byPart: Record<PromptPart, number> = { tools: 0, system: 0, task: 0, assistant: 0, 'tool output': 0, user: 0 };
  calls.forEach((call, index) => {
    const { readBlocks = 0, writtenBlocks = 0, writePrice = 1 } = costs[index]!;
    call.blocks.forEach((block, at) => {
      const price = at < readBlocks ? ANTHROPIC_RULES.read : at < writtenBlocks ? writePrice : 1;
      byPart[call.parts[at]!] += block.tokens * price;
    });
  });
  return byPart;
}
