import { HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import type { BaseMessage } from '@langchain/core/messages';
import { toJsonSchema } from '@langchain/core/utils/json_schema';
import type { ModelRequest } from 'langchain';
import { cacheReporter, createCacheTracker, type CacheOptions, type CachePlan, type CacheTtl, type CacheView, type MessageView } from '../../core/cache/index.ts';
import type { TokenfoldLangChainOptions } from './options.ts';
import { reportError } from './options.ts';
import { copyToolMessage } from './tool-message.ts';

/*
 * Prompt-cache alignment for `createAgent`: the middleware's `wrapModelCall` passes each model
 * request through here. Only the request of that call changes, never the agent state.
 *
 * With `cacheAlign` (core/cache/align.ts says why):
 * - the system message's text, where a volatile value became a placeholder;
 * - the tools, sorted by name (the same tool objects: createAgent rejects a tool replaced by a
 *   copy, so a volatile value in a tool description is reported but stays where it is);
 * - one HumanMessage appended at the end with the context note (ChatAnthropic sends it in the
 *   same user turn as the tool results before it);
 * - cache breakpoints in `@langchain/anthropic`'s content-block form: the marked message's last
 *   text block gets `cache_control: { type: 'ephemeral' }` (a string content becomes one text
 *   block with the same text). Set for Anthropic models (ChatAnthropic, or `initChatModel` with
 *   the anthropic provider), or for any model with `cacheBreakpoints: true`, since other
 *   providers may reject the unknown field. Breakpoints go on the system message, human and tool
 *   messages only: an AI message's blocks are the provider's own.
 */

export type LangChainCacheStep = (request: ModelRequest) => ModelRequest;

/** Creates the step one middleware instance runs on every model request. Does nothing when no option asks for it. */
export function createLangChainCacheStep(options: TokenfoldLangChainOptions & CacheOptions): LangChainCacheStep | undefined {
  const reporter = cacheReporter({
    onCacheReport: options.onCacheReport,
    store: options.ledger !== false ? options.store : undefined,
    namespace: options.namespace,
    source: 'langchain',
    onError: (error) => reportError(options, error),
  });
  if (options.cacheAlign !== true && options.cacheBreakpoints !== true && !reporter.wanted) return undefined;
  // createAgent rejects a tool replaced by a copy, so descriptions stay as the app wrote them.
  const tracker = createCacheTracker({ align: options.cacheAlign, breakpoints: options.cacheBreakpoints ?? options.cacheAlign, descriptions: false, tokenizer: options.tokenizer });
  const texts = new WeakMap<object, string>();
  const schemas = new WeakMap<object, string>();

  return (request) => {
    try {
      const view = requestView(request, texts, schemas);
      const breakpoints = options.cacheBreakpoints ?? (options.cacheAlign === true && isAnthropic(request.model));
      const plan = tracker.plan(view, { namespace: options.namespace, breakpoints });
      if (reporter.wanted) reporter.send(plan);
      return applyPlan(request, plan);
    } catch (error) {
      reportError(options, error);
      return request;
    }
  };
}

function requestView(request: ModelRequest, texts: WeakMap<object, string>, schemas: WeakMap<object, string>): CacheView {
  return {
    system: systemTexts(request.systemMessage),
    tools: request.tools.map((tool) => {
      const { name, description } = tool as { name?: unknown; description?: unknown };
      return { name: String(name ?? ''), description: typeof description === 'string' ? description : '', schema: schemaText(tool, schemas) };
    }),
    messages: request.messages.map((message) => messageView(message, texts)),
  };
}

// The system message's text blocks (a string content is one).
function systemTexts(message: SystemMessage | undefined): string[] {
  if (!message) return [];
  if (typeof message.content === 'string') return message.content ? [message.content] : [];
  return message.content.flatMap((block) => (block.type === 'text' && typeof block.text === 'string' ? [block.text] : []));
}

function schemaText(tool: object, schemas: WeakMap<object, string>): string {
  const known = schemas.get(tool);
  if (known !== undefined) return known;
  const schema = (tool as { schema?: unknown }).schema;
  let text: string;
  try {
    text = JSON.stringify(schema === undefined ? tool : toJsonSchema(schema as Parameters<typeof toJsonSchema>[0])) ?? '';
  } catch {
    text = '';
  }
  schemas.set(tool, text);
  return text;
}

// Messages in the agent state are the same objects call after call: serialize each once.
function messageView(message: BaseMessage, texts: WeakMap<object, string>): MessageView {
  const type = message.type;
  const role = type === 'human' ? 'user' : type === 'ai' ? 'assistant' : type === 'tool' ? 'tool' : 'system';
  let text = texts.get(message);
  if (text === undefined) {
    const content = typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
    const calls = (message as { tool_calls?: Array<{ name: string; args: unknown }> }).tool_calls ?? [];
    text = content + calls.map((call) => `\n${call.name}(${JSON.stringify(call.args)})`).join('');
    texts.set(message, text);
  }
  const blocks = (Array.isArray(message.content) ? message.content.length : 1) + ((message as { tool_calls?: unknown[] }).tool_calls?.length ?? 0);
  return { role, text, blocks, folded: role === 'tool' && text.includes('[[fold ') };
}

function applyPlan(request: ModelRequest, plan: CachePlan): ModelRequest {
  const { system, toolOrder, note, breakpoints, ttl } = plan;
  let systemMessage = request.systemMessage;
  if (system || breakpoints.system) systemMessage = rewriteSystem(systemMessage, system, breakpoints.system ? ttl : undefined);
  let messages = request.messages;
  if (breakpoints.messages.length > 0 || note) {
    const marked = new Set(breakpoints.messages);
    messages = messages.map((message, index) => (marked.has(index) ? withCacheControl(message, ttl) : message));
    if (note) messages.push(new HumanMessage({ content: note }));
  }
  const tools = toolOrder ? toolOrder.map((index) => request.tools[index]!) : request.tools;
  return { ...request, systemMessage, messages, tools };
}

function cacheControl(ttl: CacheTtl) {
  return ttl === '1h' ? { type: 'ephemeral', ttl } : { type: 'ephemeral' };
}

// The system message with its text blocks replaced in order, and a breakpoint on the last one.
function rewriteSystem(message: SystemMessage, texts: string[] | undefined, ttl: CacheTtl | undefined): SystemMessage {
  const blocks = typeof message.content === 'string' ? [{ type: 'text' as const, text: message.content }] : message.content;
  let next = 0;
  const lastText = blocks.findLastIndex((block) => block.type === 'text');
  const content = blocks.map((block, index) => {
    if (block.type !== 'text') return block;
    const text = texts?.[next++] ?? block.text;
    return { ...block, text, ...(ttl && index === lastText ? { cache_control: cacheControl(ttl) } : {}) };
  });
  if (!ttl && typeof message.content === 'string') return new SystemMessage({ ...fieldsOf(message), content: String(content[0]?.text ?? '') });
  return new SystemMessage({ ...fieldsOf(message), content });
}

// A human or tool message whose last text block carries a breakpoint; other messages as they are.
function withCacheControl(message: BaseMessage, ttl: CacheTtl): BaseMessage {
  if (message.type !== 'human' && message.type !== 'tool') return message;
  const blocks = typeof message.content === 'string' ? [{ type: 'text' as const, text: message.content }] : message.content;
  const last = blocks.findLastIndex((block) => block.type === 'text');
  if (last === -1) return message;
  const content = blocks.map((block, index) => (index === last ? { ...block, cache_control: cacheControl(ttl) } : block));
  if (ToolMessage.isInstance(message)) return copyToolMessage(message, { content });
  return new HumanMessage({ ...fieldsOf(message), content });
}

function fieldsOf(message: BaseMessage) {
  return { id: message.id, name: message.name, additional_kwargs: message.additional_kwargs, response_metadata: message.response_metadata };
}

// As LangChain's own anthropicPromptCachingMiddleware decides it.
function isAnthropic(model: unknown): boolean {
  const named = model as { getName?: () => string; _defaultConfig?: { modelProvider?: string } } | undefined;
  const name = typeof named?.getName === 'function' ? named.getName() : undefined;
  return name === 'ChatAnthropic' || (name === 'ConfigurableModel' && named?._defaultConfig?.modelProvider === 'anthropic');
}
