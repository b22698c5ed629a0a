import { descriptionWhere, type VolatileMemory } from './detect.ts';
import type { CacheView, ToolView } from './types.ts';
import type { Masked } from './volatile.ts';

/*
 * Alignment: the request the model gets when `cacheAlign` is on.
 *
 * - Tool definitions are sorted by name (then by description and schema), so the order an app
 *   happens to build them in no longer changes the prefix.
 * - Each volatile span (one that was seen changing between calls, see detect.ts) in the system
 *   prompt or a tool description is replaced by a placeholder such as `[timestamp-1]`, and its
 *   current value goes into a context note that the adapter appends to the latest user turn:
 *
 *       Context for this turn (current values of the bracketed placeholders above):
 *       [timestamp-1] 2026-12-02T10:14:41Z
 *
 *   The model receives the same bytes, in a different place: after the cached prefix instead of
 *   inside it. Placeholders are numbered per kind in the order the provider reads the prefix
 *   (tools, then system), and they depend only on the template, so they are the same every call.
 * - Messages are never changed: not the user's words, not the assistant's past messages.
 */

/** What to send instead of the app's prefix. Fields are absent where nothing changes. */
export interface Alignment {
  /** The system parts to send. */
  system?: string[];
  /** Indices of the app's tools, in the order to send them. */
  toolOrder?: number[];
  /** Descriptions to send instead, by index of the app's tools. */
  descriptions?: Map<number, string>;
  /** The context note for the latest user turn. */
  note?: string;
  /** The spans that were moved, by where they were. */
  moved: Array<{ where: string; start: number; end: number; label: string }>;
}

export const NOTE_HEADING = 'Context for this turn (current values of the bracketed placeholders above):';

/**
 * Aligns the app's prefix: sorted tools, volatile spans swapped for placeholders, a note with
 * their values. `masks` are the masks detection made for this call (by `where`). With
 * `descriptions: false` tool descriptions are left as they are.
 *
 * @example
 * const alignment = alignPrefix(view, masks, memory);
 * alignment.system; // ['You are Acme support. Now: [timestamp-1].']
 * alignment.note;   // 'Context for this turn (…):\n[timestamp-1] 2026-12-02T10:14:41Z'
 */
export function alignPrefix(
  view: CacheView,
  masks: ReadonlyMap<string, { text: string; masked: Masked }>,
  memory: VolatileMemory,
  options: { descriptions?: boolean } = {},
): Alignment {
  const alignment: Alignment = { moved: [] };
  const order = view.tools.map((_, index) => index).sort((left, right) => compareTools(view.tools[left]!, view.tools[right]!));
  if (order.some((index, position) => index !== position)) alignment.toolOrder = order;

  const counters = new Map<string, number>();
  const values: string[] = [];
  const swap = (where: string, text: string): string => {
    const masked = masks.get(where)?.masked;
    if (!masked) return text;
    const volatile = memory.get(where, masked.template);
    if (volatile.size === 0) return text;
    let result = '';
    let last = 0;
    masked.spans.forEach((span, index) => {
      if (!volatile.has(index)) return;
      const number = (counters.get(span.kind) ?? 0) + 1;
      counters.set(span.kind, number);
      const label = `${span.kind}-${number}`;
      result += `${text.slice(last, span.start)}[${label}]`;
      last = span.end;
      values.push(`[${label}] ${text.slice(span.start, span.end)}`);
      alignment.moved.push({ where, start: span.start, end: span.end, label });
    });
    return result + text.slice(last);
  };

  for (const index of options.descriptions === false ? [] : order) {
    const tool = view.tools[index]!;
    const description = swap(descriptionWhere(tool.name), tool.description);
    if (description !== tool.description) (alignment.descriptions ??= new Map()).set(index, description);
  }
  const system = view.system.map((text, index) => swap(`system[${index}]`, text));
  if (system.some((text, index) => text !== view.system[index])) alignment.system = system;
  if (values.length > 0) alignment.note = [NOTE_HEADING, ...values].join('\n');
  return alignment;
}

/** The view the model receives under `alignment`, note included. */
export function alignedView(view: CacheView, alignment: Alignment): CacheView {
  const tools = (alignment.toolOrder ?? view.tools.map((_, index) => index)).map((index) => {
    const description = alignment.descriptions?.get(index);
    return description === undefined ? view.tools[index]! : { ...view.tools[index]!, description };
  });
  const messages = alignment.note ? [...view.messages, { role: 'user' as const, text: alignment.note }] : view.messages;
  return { system: alignment.system ?? view.system, tools, messages };
}

function compareTools(left: ToolView, right: ToolView): number {
  return compare(left.name, right.name) || compare(left.description, right.description) || compare(left.schema, right.schema);
}

// Code-unit order, the same in every locale.
function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
