import type { CacheChange, CacheView, ToolView } from './types.ts';
import { change, compareTexts, mask, type Masked } from './volatile.ts';

/*
 * Volatile-part detection: what changed in the app's own prefix (its system prompt and its tool
 * definitions) since the previous call it made, and which masked spans are therefore volatile.
 *
 * Dates with a time of day and UUIDs count as volatile on sight (see volatile.ts); other values
 * once they were seen changing. Volatility is remembered per template (a text with its
 * volatile-shaped values cut out), not per
 * conversation: a system prompt that carries the current time has the same template in every
 * conversation, so once its time span was seen changing, every later call and every new
 * conversation with that template moves it, from its first call on. The memory holds templates
 * and span positions only, never values, so sharing it across namespaces reveals nothing.
 */

/** The app's prefix as last seen, with the masks of its texts (reused while a text is unchanged). */
export interface PrefixSnapshot {
  system: string[];
  tools: ToolView[];
  masks: Map<string, { text: string; masked: Masked }>;
}

/** Which spans of which template were seen changing. Bounded: least recently used go first. */
export class VolatileMemory {
  readonly #spans = new Map<string, Set<number>>();
  readonly #limit: number;

  constructor(limit = 512) {
    this.#limit = limit;
  }

  /** The indices of the volatile spans of `template` at `where` (empty when none are known). */
  get(where: string, template: string): ReadonlySet<number> {
    const key = `${where}\u0001${template}`;
    const known = this.#spans.get(key);
    if (!known) return EMPTY;
    this.#spans.delete(key);
    this.#spans.set(key, known);
    return known;
  }

  add(where: string, template: string, indices: readonly number[]): void {
    if (indices.length === 0) return;
    const key = `${where}\u0001${template}`;
    const known = this.#spans.get(key) ?? new Set<number>();
    for (const index of indices) known.add(index);
    this.#spans.delete(key);
    this.#spans.set(key, known);
    if (this.#spans.size > this.#limit) this.#spans.delete(this.#spans.keys().next().value!);
  }
}

const EMPTY: ReadonlySet<number> = new Set();

/** Where a tool's description sits, for reports and the memory. */
export const descriptionWhere = (name: string) => `tools[${name}].description`;

/**
 * Compares the app's prefix in `view` with `previous` (the app's previous call in the same
 * namespace), records the spans that changed in `memory`, and returns the changes and a snapshot
 * to compare the next call with.
 *
 * @example
 * const { changes } = detectChanges(previous, view, memory);
 * // [{ kind: 'timestamp', where: 'system[0]', example: 'system[0] chars 112–131: "…" → "…"', … }]
 */
export function detectChanges(
  previous: PrefixSnapshot | undefined,
  view: CacheView,
  memory: VolatileMemory,
): { changes: CacheChange[]; snapshot: PrefixSnapshot } {
  const masks = new Map<string, { text: string; masked: Masked }>();
  const masked = (where: string, text: string): Masked => {
    const known = previous?.masks.get(where);
    const result = known && known.text === text ? known.masked : mask(text);
    masks.set(where, { text, masked: result });
    return result;
  };
  const changes: CacheChange[] = [];
  const compare = (where: string, before: string | undefined, after: string, wordsKind: CacheChange['kind']) => {
    const afterMask = masked(where, after);
    memory.add(where, afterMask.template, afterMask.spans.flatMap((span, index) => (span.onSight ? [index] : [])));
    if (before === undefined || before === after) return;
    const beforeMask = previous?.masks.get(where)?.masked ?? mask(before);
    const result = compareTexts(where, before, after, wordsKind, { before: beforeMask, after: afterMask });
    memory.add(where, afterMask.template, result.volatile);
    changes.push(...result.changes);
  };

  const oldTools = new Map((previous?.tools ?? []).map((tool) => [tool.name, tool]));
  if (previous) changes.push(...toolListChanges(previous.tools, view.tools));
  for (const tool of view.tools) {
    const old = oldTools.get(tool.name);
    compare(descriptionWhere(tool.name), old?.description, tool.description, 'description-changed');
    if (old && old.schema !== tool.schema) {
      changes.push(change('schema-changed', `tools[${tool.name}].schema`, 0, tool.schema.length, old.schema, tool.schema));
    }
  }
  view.system.forEach((text, index) => {
    const before = previous ? (previous.system[index] ?? '') : undefined;
    compare(`system[${index}]`, before, text, 'text-changed');
  });
  return { changes, snapshot: { system: view.system, tools: view.tools, masks } };
}

// Tools added or removed, or the same tools in another order.
function toolListChanges(before: readonly ToolView[], after: readonly ToolView[]): CacheChange[] {
  const oldNames = before.map((tool) => tool.name);
  const newNames = after.map((tool) => tool.name);
  if (oldNames.join('\u0000') === newNames.join('\u0000')) return [];
  const sameSet = oldNames.length === newNames.length && [...oldNames].sort().join('\u0000') === [...newNames].sort().join('\u0000');
  if (sameSet) return [change('tools-reordered', 'tools', 0, 0, oldNames.join(', '), newNames.join(', '))];
  const added = newNames.filter((name) => !oldNames.includes(name));
  const removed = oldNames.filter((name) => !newNames.includes(name));
  const describe = (names: string[], sign: string) => names.map((name) => `${sign}${name}`);
  return [change('tools-changed', 'tools', 0, 0, oldNames.join(', '), [...describe(added, '+'), ...describe(removed, '-')].join(', '))];
}
