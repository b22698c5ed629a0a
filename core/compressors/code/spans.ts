import { MAX_SUMMARY_CHARS } from '../../folds.ts';

/*
 * Rows to fold, proposed in document order: the common ground of the tree outline (outline.ts)
 * and the indentation outline (indentation.ts).
 *
 * `keep` protects rows, cutting short a span proposed earlier that reached them, so a row that
 * starts the next item is never hidden. With `merge`, a span that follows the previous one with
 * only blank rows between joins it: one marker instead of two, the coarser outline levels' way of
 * saving the marker line each fold costs; unless their summaries together would be longer than a
 * marker shows (a group of private members lists every name, and two lists make two markers).
 */

/**
 * The longest summary an outline gives a marker: what a marker shows (`MAX_SUMMARY_CHARS`), less
 * room for the note of the outline level used (`outline level 3 of 3; `), which goes on a marker
 * that has room for it.
 */
export const OUTLINE_SUMMARY_CHARS = MAX_SUMMARY_CHARS - 24;

/** Rows `start` to `end`, 0-based and inclusive, to fold into one marker, with what it holds. */
export interface FoldSpan {
  start: number;
  end: number;
  /** One line for the marker: `private: _parse, _flush`. */
  summary?: string;
}

/** Proposes and protects rows in document order. */
export interface SpanBuilder {
  spans: FoldSpan[];
  /** Rows `from` to `to` stay visible. */
  keep(from: number, to: number): void;
  /** Rows `start` to `end` fold, minus rows already kept or folded, if still worth a marker. */
  fold(start: number, end: number, summary?: string): void;
}

export interface SpanBuilderOptions {
  /** Whether rows `start`..`end` are worth a marker. */
  worth: (start: number, end: number) => boolean;
  /** When given, a span separated from the previous one by blank rows only joins it. */
  merge?: { blank: (row: number) => boolean };
}

/**
 * A span builder.
 *
 * @example
 * const builder = createSpanBuilder({ worth: () => true });
 * builder.keep(0, 0); builder.fold(1, 9); builder.spans; // [{ start: 1, end: 9 }]
 */
export function createSpanBuilder(options: SpanBuilderOptions): SpanBuilder {
  const { worth, merge } = options;
  const spans: FoldSpan[] = [];
  let keptUpTo = -1;
  return {
    spans,
    keep(from, to) {
      // A span proposed earlier may reach into rows that turn out to start the next item.
      while (spans.length > 0 && spans[spans.length - 1]!.end >= from) {
        const last = spans[spans.length - 1]!;
        if (last.start >= from) spans.pop();
        else {
          last.end = from - 1;
          if (!worth(last.start, last.end)) spans.pop();
          break;
        }
      }
      if (to > keptUpTo) keptUpTo = to;
    },
    fold(start, end, summary) {
      const previous = spans.length > 0 ? spans[spans.length - 1] : undefined;
      const from = Math.max(start, keptUpTo + 1, (previous?.end ?? -1) + 1);
      if (end < from) return;
      const joined = merge && previous && joins(previous.end, from, merge.blank) ? joinSummaries(previous.summary, summary) : false;
      if (previous && joined !== false && (joined === undefined || joined.length <= OUTLINE_SUMMARY_CHARS)) {
        previous.end = end;
        previous.summary = joined;
        return;
      }
      if (!worth(from, end)) return;
      spans.push(summary === undefined ? { start: from, end } : { start: from, end, summary });
    },
  };
}

function joins(previousEnd: number, from: number, blank: (row: number) => boolean): boolean {
  for (let row = previousEnd + 1; row < from; row++) if (!blank(row)) return false;
  return true;
}

// Two summaries of one marker: the names they list, once each (`private: a, b` + `private: c`).
function joinSummaries(first: string | undefined, second: string | undefined): string | undefined {
  if (!first || !second) return first ?? second;
  const prefix = /^[\w ]+: /.exec(second)?.[0];
  if (prefix && first.startsWith(prefix)) return `${first}, ${second.slice(prefix.length)}`;
  return `${first}; ${second}`;
}
