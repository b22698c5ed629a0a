import type { CacheChange, ChangeKind } from './types.ts';

/*
 * Values that apps put in a prompt and that change from call to call: timestamps, dates, UUIDs,
 * request ids, counters. Finding them is a masking problem: replace every value of these shapes
 * with a placeholder, and two versions of a text whose masks are equal differ only in those
 * values, at the same positions. Which of them are volatile is then a fact (they changed), not a
 * guess; the shapes only name the kind of each change. Two shapes are taken as volatile on sight,
 * before any change: a date with a time of day and a UUID (an app that writes one into its
 * prompt writes the current time or a fresh id), so a new conversation is aligned from its first
 * call. A text whose masks differ changed in words, and is reported as such but never moved.
 */

/** A value of a volatile shape found in a text. */
export interface MaskedSpan {
  start: number;
  end: number;
  kind: Exclude<ChangeKind, `tools-${string}` | `${string}-changed`>;
  /**
   * A date with a time of day, or a UUID: what an app writes into its prompt is then almost always
   * the current time or a fresh id, so it counts as volatile before it was seen changing.
   */
  onSight?: boolean;
}

/** A text with every value of a volatile shape cut out. */
export interface Masked {
  /** The text with each span replaced by U+0000 (which real prompts never contain). */
  template: string;
  spans: MaskedSpan[];
}

const MONTH = '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const WEEKDAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:day|sday|nesday|rsday|urday)?';

// One pass, most specific shape first; the index of the group that matched names the kind.
const SHAPES: Array<[MaskedSpan['kind'], string, onSight?: true]> = [
  // 2026-12-02T10:14:03Z, 2026-12-02 10:14:03.123+01:00
  ['timestamp', String.raw`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?`, true],
  // Tue, 02 Dec 2026 10:14:03 GMT
  ['timestamp', String.raw`${WEEKDAY}, \d{1,2} ${MONTH} \d{4} \d{2}:\d{2}(?::\d{2})?(?: GMT| [+-]\d{4})?`, true],
  ['uuid', String.raw`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`, true],
  // 2026-12-02, 12/02/2026, December 2, 2026, 2 December 2026, Tuesday
  ['date', String.raw`\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b${MONTH} \d{1,2}(?:st|nd|rd|th)?,? \d{4}\b|\b\d{1,2} ${MONTH} \d{4}\b|\b${WEEKDAY}\b`],
  // 10:14, 10:14:03.5, 9:05 PM
  ['timestamp', String.raw`\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[AaPp][Mm]\b)?`],
  // req_8fK2mQ91x, run-4fd1a2, and long hex or mixed letter-and-digit tokens
  ['request-id', String.raw`\b(?:req|request|run|trace|span|sess|session|msg|chatcmpl|call|id)[_-][A-Za-z0-9]{6,}\b|\b[0-9a-f]{16,}\b|\b(?=[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z][A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{20,}\b`],
  // Unix times in seconds or milliseconds (2001 to 2286)
  ['timestamp', String.raw`\b1\d{9}(?:\d{3})?\b`],
  ['counter', String.raw`\b\d+(?:\.\d+)?\b`],
];
const PATTERN = new RegExp(SHAPES.map(([, source]) => `(${source})`).join('|'), 'g');

/**
 * Cuts every value of a volatile shape out of `text`.
 *
 * @example
 * mask('Now: 2026-12-02T10:14:03Z, step 4');
 * // { template: 'Now: \u0000, step \u0000', spans: [{ start: 5, end: 25, kind: 'timestamp', onSight: true }, { start: 32, end: 33, kind: 'counter' }] }
 */
export function mask(text: string): Masked {
  const spans: MaskedSpan[] = [];
  let template = '';
  let last = 0;
  for (const match of text.matchAll(PATTERN)) {
    const group = match.findIndex((value, index) => index > 0 && value !== undefined);
    const start = match.index;
    const [kind, , onSight] = SHAPES[group - 1]!;
    spans.push({ start, end: start + match[0].length, kind, ...(onSight ? { onSight } : {}) });
    template += `${text.slice(last, start)}\u0000`;
    last = start + match[0].length;
  }
  return { template: template + text.slice(last), spans };
}

/**
 * What changed from `before` to `after` (two versions of the text at `where`), in the current
 * text's positions. Volatile values that changed give one change each, with their kind; a change in
 * words gives one `wordsKind` change over the differing region. Equal texts give none.
 *
 * @example
 * compareTexts('system[0]', mask(old), mask(now), old, now, 'text-changed');
 * // [{ kind: 'timestamp', where: 'system[0]', start: 112, end: 132, example: 'system[0] chars 112–131: "…" → "…"', … }]
 */
export function compareTexts(
  where: string,
  before: string,
  after: string,
  wordsKind: ChangeKind,
  masks: { before: Masked; after: Masked } = { before: mask(before), after: mask(after) },
): { changes: CacheChange[]; volatile: number[] } {
  if (before === after) return { changes: [], volatile: [] };
  if (masks.before.template === masks.after.template) {
    const changes: CacheChange[] = [];
    const volatile: number[] = [];
    masks.after.spans.forEach((span, index) => {
      const old = masks.before.spans[index]!;
      const oldValue = before.slice(old.start, old.end);
      const newValue = after.slice(span.start, span.end);
      if (oldValue === newValue) return;
      volatile.push(index);
      changes.push(change(span.kind, where, span.start, span.end, oldValue, newValue));
    });
    return { changes, volatile };
  }
  return { changes: [wordsChange(where, before, after, wordsKind)], volatile: [] };
}

/** The region where two texts differ (after their common prefix and suffix), as one change. */
export function wordsChange(where: string, before: string, after: string, kind: ChangeKind): CacheChange {
  let prefix = 0;
  const shorter = Math.min(before.length, after.length);
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix < shorter - prefix &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  ) {
    suffix++;
  }
  return change(kind, where, prefix, after.length - suffix, before.slice(prefix, before.length - suffix), after.slice(prefix, after.length - suffix));
}

/** A change with its one-line example. */
export function change(kind: ChangeKind, where: string, start: number, end: number, before: string, after: string): CacheChange {
  const shortBefore = excerpt(before);
  const shortAfter = excerpt(after);
  // A list of tools has no character range; an insertion in words has a position but no length.
  const range = kind.startsWith('tools-') ? '' : end > start ? ` chars ${start}–${end - 1}` : ` at char ${start}`;
  return {
    kind,
    where,
    start,
    end,
    before: shortBefore,
    after: shortAfter,
    example: `${where}${range}: ${JSON.stringify(shortBefore)} → ${JSON.stringify(shortAfter)}`,
  };
}

// Long values are cut in the middle: the ends are what tells two ids or two texts apart.
function excerpt(text: string): string {
  return text.length <= 60 ? text : `${text.slice(0, 28)}…${text.slice(-28)}`;
}
