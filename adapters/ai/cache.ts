import { cacheReporter, createCacheTracker, type CacheOptions, type CachePlan, type CacheTtl, type CacheView, type MessageView } from '../../core/cache/index.ts';
import type { TokenCounter, TokenizerName } from '../../core/index.ts';
import type Keyv from 'keyv';

/*
 * Prompt-cache alignment for AI SDK shaped requests: the language-model prompt (`system`, `user`,
 * `assistant`, `tool` messages with parts) and its tools. The AI SDK middleware uses it in
 * `transformParams`, and the Mastra processor in `processLLMRequest`, which hands processors the
 * same prompt shape (spec v2, v3 and v4 agree on every field read here).
 *
 * What it changes, only with `cacheAlign` (see core/cache/align.ts for why):
 * - the leading system messages' text, where a volatile value became a placeholder;
 * - the order of the tools (by name), and tool descriptions that held a volatile value;
 * - one user message appended at the end, holding the context note; providers merge it into the
 *   latest user turn (Anthropic joins it to the tool results before it);
 * - `providerOptions.anthropic.cacheControl` on the last system message and on the chosen
 *   messages (the AI SDK's Anthropic provider puts it on the message's last part). Other
 *   providers ignore the `anthropic` key.
 * Everything else keeps its bytes: the user's and the assistant's messages, tool calls and results.
 */

/** Loose shapes of the prompt, shared by spec v2, v3 and v4. */
export interface PromptMessage {
  role: string;
  content: unknown;
  providerOptions?: Record<string, Record<string, unknown> | undefined>;
}
export interface PromptTool {
  type: string;
  name: string;
  description?: string;
  inputSchema?: unknown;
  args?: unknown;
}

/** What the adapter hands to the cache step besides the request. */
export interface PromptCacheOptions extends CacheOptions {
  namespace?: string;
  store?: Keyv;
  ledger?: boolean;
  tokenizer?: TokenizerName | TokenCounter;
  /** Who recorded the ledger entries: 'ai', 'mastra'. */
  source: string;
  /** Told about survived failures (the request goes out as the app built it). */
  report: (error: unknown) => void;
}

/** Aligns one request and reports it; returns the request to send (the same objects when nothing changes). */
export type PromptCacheStep = <Tool extends PromptTool>(
  prompt: readonly PromptMessage[],
  tools: readonly Tool[] | undefined,
) => { prompt: PromptMessage[]; tools: Tool[] | undefined };

/**
 * Creates the cache step one adapter instance runs before each model call. Without `cacheAlign`,
 * `cacheBreakpoints`, `onCacheReport` or a ledger store it does nothing at all.
 *
 * @example
 * const cacheStep = createPromptCacheStep({ cacheAlign: true, source: 'ai', report });
 * const { prompt, tools } = cacheStep(params.prompt, params.tools);
 */
export function createPromptCacheStep(options: PromptCacheOptions): PromptCacheStep {
  const reporter = cacheReporter({
    onCacheReport: options.onCacheReport,
    store: options.ledger !== false ? options.store : undefined,
    namespace: options.namespace,
    source: options.source,
    onError: options.report,
  });
  const active = options.cacheAlign === true || options.cacheBreakpoints === true || reporter.wanted;
  const tracker = createCacheTracker({ align: options.cacheAlign, breakpoints: options.cacheBreakpoints, tokenizer: options.tokenizer });
  const texts = new WeakMap<object, string>();

  return <Tool extends PromptTool>(prompt: readonly PromptMessage[], tools: readonly Tool[] | undefined) => {
    const unchanged = { prompt: prompt as PromptMessage[], tools: tools as Tool[] | undefined };
    if (!active || !Array.isArray(prompt)) return unchanged;
    try {
      const view = promptView(prompt, tools ?? [], texts);
      const plan = tracker.plan(view, { namespace: options.namespace, existingBreakpoints: countBreakpoints(prompt) });
      if (reporter.wanted) reporter.send(plan);
      return applyPlan(prompt, tools, view.system.length, plan);
    } catch (error) {
      options.report(error);
      return unchanged;
    }
  };
}

/** The request as the prompt cache sees it. Leading system messages are the system prompt. */
export function promptView(prompt: readonly PromptMessage[], tools: readonly PromptTool[], texts = new WeakMap<object, string>()): CacheView {
  const systemCount = leadingSystem(prompt);
  return {
    system: prompt.slice(0, systemCount).map((message) => (typeof message.content === 'string' ? message.content : stringify(message.content))),
    tools: tools.map((tool) => ({
      name: String(tool.name),
      description: typeof tool.description === 'string' ? tool.description : '',
      schema: stringify(tool.type === 'function' ? tool.inputSchema : tool.args),
    })),
    messages: prompt.slice(systemCount).map((message) => messageView(message, texts)),
  };
}

function messageView(message: PromptMessage, texts: WeakMap<object, string>): MessageView {
  const role = message.role === 'user' || message.role === 'assistant' || message.role === 'tool' ? message.role : 'system';
  if (!Array.isArray(message.content)) return { role, text: typeof message.content === 'string' ? message.content : stringify(message.content) };
  let text = '';
  for (const part of message.content as unknown[]) text += `${partText(part, texts)}\n`;
  return { role, text, blocks: message.content.length, folded: role === 'tool' && text.includes('[[fold ') };
}

// One part as the provider would read it. Texts are remembered by object: the AI SDK hands back
// the same parts step after step, and a tool result rewritten by tokenfold is a new part around
// the same output object (tokenfold's memo), so tool results are remembered by their output.
function partText(part: unknown, texts: WeakMap<object, string>): string {
  if (typeof part !== 'object' || part === null) return String(part);
  const value = part as { type?: unknown; text?: unknown; toolName?: unknown; input?: unknown; output?: unknown; mediaType?: unknown; data?: unknown };
  const key = value.type === 'tool-result' && typeof value.output === 'object' && value.output !== null ? value.output : part;
  const known = texts.get(key);
  if (known !== undefined) return known;
  let text: string;
  switch (value.type) {
    case 'text':
    case 'reasoning':
      text = String(value.text);
      break;
    case 'tool-call':
      text = `${String(value.toolName)}(${typeof value.input === 'string' ? value.input : stringify(value.input)})`;
      break;
    case 'tool-result':
      text = `${String(value.toolName)} → ${outputText(value.output)}`;
      break;
    case 'file':
      text = `[file ${String(value.mediaType)} ${typeof value.data === 'string' ? value.data.length : (value.data as { byteLength?: number })?.byteLength ?? ''}]`;
      break;
    default:
      text = stringify(value);
  }
  texts.set(key, text);
  return text;
}

function outputText(output: unknown): string {
  if (typeof output !== 'object' || output === null) return String(output);
  const { type, value } = output as { type?: unknown; value?: unknown };
  if ((type === 'text' || type === 'error-text') && typeof value === 'string') return value;
  return stringify(type === 'json' || type === 'error-json' ? value : output);
}

/** The request to send under `plan`. Parts of the prompt that do not change keep their objects. */
function applyPlan<Tool extends PromptTool>(
  prompt: readonly PromptMessage[],
  tools: readonly Tool[] | undefined,
  systemCount: number,
  plan: CachePlan,
): { prompt: PromptMessage[]; tools: Tool[] | undefined } {
  const marked = new Set(plan.breakpoints.messages.map((index) => index + systemCount));
  if (plan.breakpoints.system) marked.add(systemCount - 1);
  const changed = plan.system !== undefined || plan.note !== undefined || marked.size > 0;
  let next = prompt as PromptMessage[];
  if (changed) {
    next = prompt.map((message, index) => {
      const content = index < systemCount && plan.system ? plan.system[index] : message.content;
      if (content === message.content && !marked.has(index)) return message;
      return { ...message, content, ...(marked.has(index) ? { providerOptions: withCacheControl(message.providerOptions, plan.ttl) } : {}) };
    });
    if (plan.note !== undefined) next.push({ role: 'user', content: [{ type: 'text', text: plan.note }] });
  }
  let nextTools = tools as Tool[] | undefined;
  if (tools && (plan.toolOrder || plan.descriptions)) {
    nextTools = (plan.toolOrder ?? tools.map((_, index) => index)).map((index) => {
      const description = plan.descriptions?.get(index);
      return description === undefined ? tools[index]! : { ...tools[index]!, description };
    });
  }
  return { prompt: next, tools: nextTools };
}

function withCacheControl(providerOptions: PromptMessage['providerOptions'], ttl: CacheTtl): NonNullable<PromptMessage['providerOptions']> {
  // Five minutes is Anthropic's default; only the hour is spelled out.
  const cacheControl = ttl === '1h' ? { type: 'ephemeral', ttl } : { type: 'ephemeral' };
  return { ...providerOptions, anthropic: { ...providerOptions?.anthropic, cacheControl } };
}

/** Breakpoints the app set itself, on messages or parts (they count against Anthropic's four). */
function countBreakpoints(prompt: readonly PromptMessage[]): number {
  let count = 0;
  const has = (options: unknown) => {
    const anthropic = (options as PromptMessage['providerOptions'])?.anthropic;
    return anthropic?.cacheControl !== undefined || anthropic?.cache_control !== undefined;
  };
  for (const message of prompt) {
    if (has(message.providerOptions)) count++;
    if (Array.isArray(message.content)) for (const part of message.content) if (has((part as { providerOptions?: unknown })?.providerOptions)) count++;
  }
  return count;
}

function leadingSystem(prompt: readonly PromptMessage[]): number {
  let count = 0;
  while (count < prompt.length && prompt[count]?.role === 'system') count++;
  return count;
}

// JSON as it would be sent; a value JSON cannot express is described instead of thrown.
function stringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
