/*
 * Which lines of process output to keep within a budget, once the must-keep lines (evidence,
 * see core/evidence.ts) and the noise (progress, passing tests) are decided.
 *
 * Head+tail truncation is what agent frameworks do by default, and it is good at one thing: the
 * verdict and the lines before it are at the end. So the budget is shared between four streams
 * of lines, each taking its lines in its own order, and each guaranteed its share:
 *
 * - near evidence (TOWARD_EVIDENCE of the budget): lines ordered by their distance to the nearest
 *   evidence line, the lines below an error (its details) before the lines above it (what led
 *   there);
 * - the tail (TOWARD_TAIL): from the last line backwards, as truncation keeps it;
 * - the query (TOWARD_QUERY, only when a query matched lines): matching lines, then their
 *   neighbours;
 * - the head (the rest): from the first line on, where the command and its set-up are.
 *
 * A stream that runs out of lines hands its share on. Then the unkept lines fold in runs, and a
 * run too small to be worth its marker stays visible instead.
 */

export interface LineSelectionInput {
  /** Estimated tokens of each line, its line break included. */
  costs: ArrayLike<number>;
  /** 1 where a line must stay visible. */
  keep: Uint8Array;
  /** 1 where a line is already folded (noise) and is no candidate. */
  folded: Uint8Array;
  /** 1 where a line is evidence or important: the near-evidence stream starts from these. */
  anchor: Uint8Array;
  /** 1 where a line matches the query. */
  queryHit?: Uint8Array;
  /** Tokens the kept candidates may cost, after the must-keep lines and markers. */
  budget: number;
}

const TOWARD_EVIDENCE = 0.4;
const TOWARD_TAIL = 0.35;
const TOWARD_QUERY = 0.15;
// Lines above an error count as this much farther than lines below it.
const ABOVE_FACTOR = 1.5;

/**
 * Marks in `keep` the candidates chosen within `budget` (candidates: neither kept nor folded).
 *
 * @example
 * selectLines({ costs, keep, folded, anchor, budget: 2000 }); // keep now holds the chosen lines too
 */
export function selectLines(input: LineSelectionInput): void {
  const { costs, keep, folded } = input;
  const count = keep.length;
  const candidate = (index: number) => !keep[index] && !folded[index];
  const streams: Array<{ share: number; order: number[] }> = [];
  const nearEvidence = orderByDistance(input.anchor, candidate, count);
  if (nearEvidence.length > 0) streams.push({ share: TOWARD_EVIDENCE, order: nearEvidence });
  if (input.queryHit?.includes(1)) {
    streams.push({ share: TOWARD_QUERY, order: orderByDistance(input.queryHit, candidate, count) });
  }
  const tail: number[] = [];
  for (let index = count - 1; index >= 0; index--) if (candidate(index)) tail.push(index);
  streams.push({ share: TOWARD_TAIL, order: tail });
  const head = [...tail].reverse();
  const named = streams.reduce((sum, stream) => sum + stream.share, 0);
  streams.push({ share: Math.max(0.1, 1 - named), order: head });
  const total = streams.reduce((sum, stream) => sum + stream.share, 0);

  let left = input.budget;
  const positions = streams.map(() => 0);
  // First pass: each stream within its share; second: whatever is left, in the same order.
  for (const pass of [0, 1]) {
    for (let s = 0; s < streams.length; s++) {
      const { share, order } = streams[s]!;
      let allowance = pass === 0 ? (input.budget * share) / total : left;
      while (positions[s]! < order.length) {
        const index = order[positions[s]!]!;
        if (keep[index]) {
          positions[s]!++;
          continue;
        }
        const cost = costs[index]!;
        if (cost > allowance || cost > left) break;
        keep[index] = 1;
        allowance -= cost;
        left -= cost;
        positions[s]!++;
      }
    }
  }
}

/**
 * Candidates ordered by distance to the nearest marked line (marked candidates first), lines
 * below a mark before lines above it at the same distance; ties go to the later line.
 */
function orderByDistance(marks: Uint8Array, candidate: (index: number) => boolean, count: number): number[] {
  const distance = new Float64Array(count).fill(Infinity);
  let last = -Infinity;
  for (let index = 0; index < count; index++) {
    if (marks[index]) last = index;
    distance[index] = index - last;
  }
  let next = Infinity;
  for (let index = count - 1; index >= 0; index--) {
    if (marks[index]) next = index;
    distance[index] = Math.min(distance[index]!, (next - index) * ABOVE_FACTOR);
  }
  const order: number[] = [];
  for (let index = 0; index < count; index++) if (candidate(index) && distance[index]! < Infinity) order.push(index);
  return order.sort((a, b) => distance[a]! - distance[b]! || b - a);
}
