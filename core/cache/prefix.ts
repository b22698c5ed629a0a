import { estimateTokens, sampledTokenCount } from '../tokens.ts';
import type { TokenCounter } from '../types.ts';
import type { CacheChange, CacheView, MessageView } from './types.ts';
import { change, compareTexts } from './volatile.ts';

/*
 * A request as the provider's prefix cache reads it: a list of blocks (each tool definition, each
 * system part, each message) in prefix order. Two consecutive requests share the blocks up to the
 * first one that differs, and that block up to its first differing character.
 *
 * Token counts are filled in on demand and kept on the block, and a block equal to the previous
 * call's block at the same position takes over its counts, so a conversation is counted about
 * once however many calls it makes.
 */

export interface Block {
  /** `tools[search]`, `system[0]`, `messages[3]`. */
  where: string;
  section: 'tools' | 'system' | 'messages';
  text: string;
  /** Provider content blocks it stands for (its cache lookback counts blocks). */
  blocks: number;
  role?: MessageView['role'];
  folded?: boolean;
  /** Exact (sampled above 4 KiB) token count, once counted. */
  tokens?: number;
  /** Cheap estimate, for decisions on the hot path. */
  estimate?: number;
}

/** The blocks of a view, in prefix order. Blocks equal to `previous` at their position reuse its counts. */
export function toBlocks(view: CacheView, previous: readonly Block[] = []): Block[] {
  const blocks: Block[] = [];
  for (const tool of view.tools) {
    blocks.push({ where: `tools[${tool.name}]`, section: 'tools', text: `${tool.name}\n${tool.description}\n${tool.schema}`, blocks: 1 });
  }
  view.system.forEach((text, index) => blocks.push({ where: `system[${index}]`, section: 'system', text, blocks: 1 }));
  view.messages.forEach((message, index) =>
    blocks.push({
      where: `messages[${index}]`,
      section: 'messages',
      text: message.text,
      blocks: Math.max(1, message.blocks ?? 1),
      role: message.role,
      folded: message.folded,
    }),
  );
  blocks.forEach((block, index) => {
    const old = previous[index];
    if (old && old.text === block.text) {
      block.tokens = old.tokens;
      block.estimate = old.estimate;
    }
  });
  return blocks;
}

/** The block's token estimate, remembered. */
export function estimateOf(block: Block): number {
  return (block.estimate ??= estimateTokens(block.text));
}

/** The block's token count, remembered. */
export function tokensOf(block: Block, counter: TokenCounter): number {
  return (block.tokens ??= sampledTokenCount(block.text, counter).tokens);
}

/** How far two requests agree: whole blocks, then characters of the first differing block. */
export interface SharedPrefix {
  /** Blocks equal in both. */
  blocks: number;
  /** Characters of the next block that are equal (0 when there is none). */
  chars: number;
  /** True when `previous` is entirely a prefix of `current` (a plain continuation). */
  continuation: boolean;
}

/** The prefix `current` shares with `previous`. */
export function sharedPrefix(previous: readonly Block[], current: readonly Block[]): SharedPrefix {
  let index = 0;
  while (index < previous.length && index < current.length && previous[index]!.text === current[index]!.text) index++;
  if (index === previous.length) return { blocks: index, chars: 0, continuation: true };
  if (index === current.length) return { blocks: index, chars: 0, continuation: false };
  const before = previous[index]!.text;
  const after = current[index]!.text;
  let chars = 0;
  while (chars < before.length && chars < after.length && before.charCodeAt(chars) === after.charCodeAt(chars)) chars++;
  return { blocks: index, chars, continuation: false };
}

/** Tokens of the shared prefix, counted with `counter`. */
export function sharedTokens(shared: SharedPrefix, current: readonly Block[], counter: TokenCounter): number {
  let tokens = 0;
  for (let index = 0; index < shared.blocks; index++) tokens += tokensOf(current[index]!, counter);
  const partial = current[shared.blocks];
  if (partial && shared.chars > 0) tokens += sampledTokenCount(partial.text.slice(0, shared.chars), counter).tokens;
  return tokens;
}

/** What differs at the first changed position, or undefined for a plain continuation. */
export function describeFirstChange(previous: readonly Block[], current: readonly Block[], shared: SharedPrefix): CacheChange | undefined {
  if (shared.continuation) return undefined;
  const before = previous[shared.blocks]!;
  const after = current[shared.blocks];
  if (!after) {
    return change('history-changed', before.where, 0, 0, `${previous.length - shared.blocks} more blocks`, 'request ends here');
  }
  if (before.section === 'tools' || after.section === 'tools') return toolChange(previous, current);
  if (before.section !== after.section) {
    return change('history-changed', after.where, 0, after.text.length, `${before.where}: ${before.text}`, after.text);
  }
  const kind = after.section === 'system' ? 'text-changed' : 'history-changed';
  return compareTexts(after.where, before.text, after.text, kind).changes[0];
}

// The tool list differs: name the first difference as the app would see it.
function toolChange(previous: readonly Block[], current: readonly Block[]): CacheChange {
  const tools = (blocks: readonly Block[]) => blocks.filter((block) => block.section === 'tools');
  const oldTools = tools(previous);
  const newTools = tools(current);
  const names = (blocks: readonly Block[]) => blocks.map((block) => block.where.slice(6, -1));
  const oldNames = names(oldTools);
  const newNames = names(newTools);
  if (oldNames.join('\u0000') !== newNames.join('\u0000')) {
    const sameSet = [...oldNames].sort().join('\u0000') === [...newNames].sort().join('\u0000');
    return change(sameSet ? 'tools-reordered' : 'tools-changed', 'tools', 0, 0, oldNames.join(', '), newNames.join(', '));
  }
  const index = newTools.findIndex((block, position) => block.text !== oldTools[position]!.text);
  const name = newNames[index]!;
  const [, oldDescription = '', oldSchema = ''] = splitTool(oldTools[index]!.text, name);
  const [, description = '', schema = ''] = splitTool(newTools[index]!.text, name);
  if (oldDescription !== description) {
    return compareTexts(`tools[${name}].description`, oldDescription, description, 'description-changed').changes[0]!;
  }
  return change('schema-changed', `tools[${name}].schema`, 0, schema.length, oldSchema, schema);
}

// A tool block is `name\ndescription\nschema`; the description may hold newlines, the schema (JSON) does not.
function splitTool(text: string, name: string): [string, string, string] {
  const rest = text.slice(name.length + 1);
  const cut = rest.lastIndexOf('\n');
  return [name, rest.slice(0, cut), rest.slice(cut + 1)];
}
