import type { TokenCounter, TokenizerName } from '../types.ts';

/*
 * The framework-neutral view of one model request that the prompt-cache logic works on, and what
 * it reports. Each adapter translates its framework's request into a `CacheView` and applies the
 * `CachePlan` it gets back; everything in between is pure string work in core/cache/.
 *
 * Providers cache a prompt by its prefix, in this order: tool definitions, then the system prompt,
 * then the messages (Anthropic documents exactly this order; OpenAI's automatic cache matches the
 * longest identical prefix of what it is sent, which starts with the same parts). The view keeps
 * that order, so "the first changed position" means the same thing for every provider.
 */

/** One tool definition as the model receives it. */
export interface ToolView {
  name: string;
  description: string;
  /** The input schema, serialized deterministically (JSON). */
  schema: string;
}

/** One message after the system prompt. */
export interface MessageView {
  role: 'user' | 'assistant' | 'tool' | 'system';
  /**
   * A deterministic serialization of the message's content (text, tool calls, tool results):
   * equal text means the provider receives equal bytes. Metadata such as cache markers is left out.
   */
  text: string;
  /** Content blocks the provider sees in it (text parts, tool calls, tool results). Default 1. */
  blocks?: number;
  /** A tool message holding a `[[fold …]]` marker: tokenfold compressed it, so it never changes again. */
  folded?: boolean;
}

/** A model request as the prompt cache sees it. */
export interface CacheView {
  /** The system prompt, one entry per system message or block, in order. */
  system: string[];
  /** The tool definitions, in the order they are sent. */
  tools: ToolView[];
  /** Every message after the system prompt, in order. */
  messages: MessageView[];
}

/** What kind of change broke (or would break) the cached prefix. */
export type ChangeKind =
  | 'timestamp' // a date with a time, a time of day, a Unix time
  | 'date' // a calendar date or a weekday
  | 'uuid'
  | 'request-id' // long hex or alphanumeric ids, `req_…`-style ids
  | 'counter' // any other number that changed
  | 'tools-reordered' // the same tools in another order
  | 'tools-changed' // tools added or removed
  | 'description-changed' // a tool description changed in words
  | 'schema-changed' // a tool's input schema changed
  | 'text-changed' // system text changed in words
  | 'history-changed'; // an earlier message differs (edited, pruned, rewritten)

/** One change between two consecutive calls, located in the current call. */
export interface CacheChange {
  kind: ChangeKind;
  /** Where: `system[0]`, `tools`, `tools[search].description`, `tools[search].schema`, `messages[3]`. */
  where: string;
  /** Character range in the current text of `where`, end exclusive (0 and 0 for `tools`). */
  start: number;
  end: number;
  /** The old and new text of the range, each cut to about 60 characters. */
  before: string;
  after: string;
  /** One line for people: `system[0] chars 112–131: "2026-12-02T10:14:03Z" → "2026-12-02T10:14:41Z"`. */
  example: string;
  /** True when `cacheAlign` moved this span out of the prefix into the context note. */
  moved?: boolean;
}

/** Prompt-cache TTLs Anthropic offers. */
export type CacheTtl = '5m' | '1h';

/** What one model call did to the prompt cache: the `onCacheReport` event and the ledger entry. */
export interface CacheReport {
  /** The conversation (a hash of the namespace and the first user message). */
  conversation: string;
  namespace?: string;
  /** 1 for the first call of the conversation. */
  call: number;
  /** Tokens of the request as sent: tool definitions, system prompt and messages. */
  tokens: number;
  /** Tokens at the start of the request identical to the previous call's: what a cache can serve. */
  stablePrefixTokens: number;
  /**
   * Where the request first differs from the previous call, when it is not a plain continuation
   * of it. Undefined on the first call and when the previous request is a prefix of this one.
   */
  firstChange?: CacheChange;
  /** What changed in the app's own system prompt and tools since the previous call. */
  volatile: CacheChange[];
  /** Volatile spans sent in the context note instead of the prefix (0 without `cacheAlign`). */
  moved: number;
  /** Cache breakpoints tokenfold set on this call (Anthropic `cache_control`). */
  breakpoints: number;
  ttl?: CacheTtl;
  /** Milliseconds since the previous call of the conversation. */
  gapMs?: number;
}

/** Options every adapter takes for prompt-cache alignment and reporting. */
export interface CacheOptions {
  /**
   * Keep the prompt prefix byte-stable: move values that change between calls (timestamps, ids,
   * counters) out of the system prompt and tool descriptions into a short context note at the end
   * of the latest user turn, sort tool definitions by name, and set cache breakpoints. Never
   * touches the user's words or the assistant's past messages. Default false.
   */
  cacheAlign?: boolean;
  /**
   * Set Anthropic cache breakpoints (`cache_control`) on the last stable message, the end of the
   * system prompt and after large folded tool outputs, at most four in all. Default: `cacheAlign`.
   */
  cacheBreakpoints?: boolean;
  /** Told, after each model call, what it did to the prompt cache. A throwing listener is ignored. */
  onCacheReport?: (report: CacheReport) => void;
}

/** Options of `createCacheTracker`. */
export interface CacheTrackerOptions {
  /** Move volatile spans and sort tools. Default false. */
  align?: boolean;
  /** Choose cache breakpoints. Default: `align`. */
  breakpoints?: boolean;
  /**
   * Also move volatile spans out of tool descriptions. Default true; adapters whose framework
   * rejects a changed tool (LangChain's `createAgent`, Mastra) set false, and such spans stay put.
   */
  descriptions?: boolean;
  /** Conversations remembered (least recently used go first). Default 256. */
  maxConversations?: number;
  /** Counts the report's tokens. Default o200k. */
  tokenizer?: TokenizerName | TokenCounter;
  /** The smallest prefix the provider caches, in tokens (Anthropic: 1,024 for Sonnet and Opus 4). Default 1,024. */
  minCacheableTokens?: number;
  /** Breakpoints the provider allows per request. Default 4 (Anthropic). */
  maxBreakpoints?: number;
  /** Clock, for the gaps between calls. Default `Date.now`. */
  now?: () => number;
}
