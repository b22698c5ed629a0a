import type { CompressorContext, Piece } from '../types.ts';
import { mentionsTrouble, unquote } from './json-rows.ts';
import { tokenRatio } from './lines.ts';
import { ARRAY, ATOM, OBJECT, SEQUENCE, STRING, childrenOf, keyOf, rawOf } from './json-scan.ts';
import type { JsonTree } from './json-scan.ts';

/*
 * What the JSON compressor knows about a document before it renders anything: the estimated
 * token cost of every value, the least each value can shrink to, which objects are maps (many
 * similar entries, handled like arrays), the key path of every node, and where query terms occur.
 *
 * Costs are estimates (`estimateTokens`), summed bottom-up over the node tree in one backward
 * pass, and scaled to exact tokens by one exact count of a sample (`ratio`).
 */

/** What a `[[fold …]]` marker with a short summary costs, in estimated tokens. */
export const MARKER_TOKENS = 24;
const MIN_ELIDABLE_TOKENS = 5; // shorter values cost about what `…` costs
const MAX_PROTECTED_TOKENS = 256; // past this, even a message is better one unfold away
const MAP_MIN_MEMBERS = 8;
/**
 * A list (or map) of scalars this small is never cut: folding it saves about what its marker
 * costs, and such lists hold exactly what an agent uses next (reservation ids, tags, codes).
 */
export const SHORT_LIST_ITEMS = 20;
export const SHORT_LIST_TOKENS = 160;
const MAX_IDENTIFIER_CHARS = 80;

// Values an agent looks for first, ids and codes above all; never shown as `…`.
const PROTECTED_KEY =
  /^(id|ids|\w*_id|\w*Id|\w*_ids|\w*Ids|\w*_id_str|id_str|uuid|\w*_uuid|\w*Uuid|guid|sku|\w*_sku|code|\w*_code|\w*Code|ref|\w*_ref|\w*Ref|slug|name|\w*_name|login|status\w*|state|message|errors?|type|title|reason|text|number|\w*_number|method|path|url|html_url|href|link|key|sha|version|created_at|updated_at|date|timestamp)$/;
// A value shaped like an identifier: one word of letters and digits (`JG7FMM`, `credit_card_4421486`,
// a UUID or a hash), with at least one digit or all in capitals. URLs and paths are not: they are
// long, say little for their length, and stay one unfold away.
const IDENTIFIER_VALUE = /^"(?=[^"]*[0-9]|[A-Z0-9_-]+")[A-Za-z0-9][\w.:@+-]*"$/;
const STOPWORDS = new Set(
  'the and for with that this from what which where when why how are was were have has had not but all any can could would should will you your our their there them then than into onto about show find give list get tell me please does did its it'.split(' '),
);

/** A scanned document, its measurements, and the output pieces being built from it. */
export interface Plan {
  tree: JsonTree;
  /** Exact tokens per estimated token, measured on a sample of this document. */
  ratio: number;
  /** Estimated tokens of each value as minified source, and of each member's `"key":`. */
  cost: Float64Array;
  keyCost: Float64Array;
  /** About the least a value can shrink to: every key visible, collections cut to two rows. */
  floor: Float64Array;
  isMap: Uint8Array;
  /** Key path of each node (`jobs[].color`), interned; array items and map entries share one. */
  pathId: Int32Array;
  pathMark: Uint32Array;
  markStamp: number;
  /** Per query term, the sorted offsets in the minified text where it occurs. */
  queryHits: number[][];
  /** Raw keys whose values never show as `…`, decided once per key. */
  protectedKeys: Map<string, boolean>;
  /** 1 for values that made their row notable (json-rows.ts `standout`): never shown as `…`. */
  standout: Uint8Array;
  /** The input line (1-based) of an input offset, for folds numbered as the input is. */
  lineOf: (offset: number) => number;
  pieces: Piece[];
  buffer: string;
}

/** Measures a scanned document: costs, floors, maps, key paths and query hits. */
export function createPlan(tree: JsonTree, context: CompressorContext, lineOf: (offset: number) => number): Plan {
  const { count, kind, parent } = tree;
  const isMap = new Uint8Array(count);
  for (let id = 0; id < count; id++) if (kind[id] === OBJECT && looksLikeMap(tree, id)) isMap[id] = 1;

  // Key paths, interned: the steps below each path, by raw key ('*' for items and entries).
  const pathId = new Int32Array(count);
  const steps: Array<Map<string, number> | undefined> = [undefined];
  for (let id = 1; id < count; id++) {
    const up = parent[id]!;
    const step = kind[up] === OBJECT && !isMap[up] ? keyOf(tree, id) : '*';
    const below = (steps[pathId[up]!] ??= new Map());
    let known = below.get(step);
    if (known === undefined) {
      below.set(step, (known = steps.length));
      steps.push(undefined);
    }
    pathId[id] = known;
  }

  const plan: Plan = {
    tree,
    ratio: tokenRatio(tree.minified, context),
    cost: new Float64Array(count),
    keyCost: new Float64Array(count),
    floor: new Float64Array(count),
    isMap,
    pathId,
    pathMark: new Uint32Array(steps.length),
    markStamp: 0,
    queryHits: findQueryHits(tree.minified, context.query),
    protectedKeys: new Map(),
    standout: new Uint8Array(count),
    lineOf,
    pieces: [],
    buffer: '',
  };
  measure(plan, context);
  return plan;
}

// Children come after their parent, so one backward pass sums costs bottom-up.
function measure(plan: Plan, context: CompressorContext): void {
  const { tree, cost, keyCost, floor } = plan;
  const isContainer = (id: number) => tree.kind[id] === OBJECT || tree.kind[id] === ARRAY || tree.kind[id] === SEQUENCE;
  const keyCosts = new Map<string, number>(); // keys repeat: estimate each once
  for (let id = tree.count - 1; id >= 0; id--) {
    if (tree.keyStart[id]! >= 0) {
      const key = keyOf(tree, id);
      let known = keyCosts.get(key);
      if (known === undefined) keyCosts.set(key, (known = context.estimateTokens(key) + 1));
      keyCost[id] = known;
    }
    if (isContainer(id)) {
      cost[id] = cost[id]! + 2;
      floor[id] = floor[id]! + 2;
      if (tree.kind[id] !== OBJECT || plan.isMap[id]) floor[id] = Math.min(cost[id]!, collectionFloor(plan, id));
    } else {
      cost[id] = context.estimateTokens(rawOf(tree, id));
      floor[id] = isElidable(plan, id) ? 1 : cost[id]!;
    }
    const up = tree.parent[id]!;
    if (up >= 0) {
      cost[up] = cost[up]! + cost[id]! + keyCost[id]! + 1;
      floor[up] = floor[up]! + floor[id]! + keyCost[id]! + 1;
    }
  }
}

// A collection shows at least its first and last rows, and in a list of strings, the items that
// must stay (error sentences, Link headers, each with the item before it), plus one marker.
function collectionFloor(plan: Plan, id: number): number {
  const { tree, floor, cost } = plan;
  const rows = childrenOf(tree, id);
  if (rows.length === 0) return 2;
  if (isShortScalarList(tree, id, cost[id]!)) return cost[id]!;
  const kept = new Set([rows[0]!, rows[rows.length - 1]!]);
  rows.forEach((row, index) => {
    if (tree.kind[row] === STRING && mentionsTrouble(rawOf(tree, row))) {
      kept.add(row);
      if (index > 0) kept.add(rows[index - 1]!);
    }
  });
  let total = MARKER_TOKENS + 2;
  for (const row of kept) total += (tree.kind[row] === STRING ? cost[row]! : floor[row]!) + plan.keyCost[row]! + 1;
  return total;
}

/**
 * A list or map of at most `SHORT_LIST_ITEMS` scalars costing at most `SHORT_LIST_TOKENS`: shown
 * whole at any budget (see `SHORT_LIST_ITEMS`). `cost` is the collection's estimated tokens.
 */
export function isShortScalarList(tree: JsonTree, id: number, cost: number): boolean {
  const count = tree.childCount[id]!;
  if (count > SHORT_LIST_ITEMS || cost > SHORT_LIST_TOKENS || tree.incomplete.has(id)) return false;
  for (let member = id + 1, k = 0; k < count; k++, member = tree.next[member]!) {
    if (tree.kind[member] !== STRING && tree.kind[member] !== ATOM) return false;
  }
  return true;
}

/** An object is a map (a collection keyed by id) when its many members are alike. */
function looksLikeMap(tree: JsonTree, id: number): boolean {
  const count = tree.childCount[id]!;
  if (count < MAP_MIN_MEMBERS) return false;
  let objects = 0;
  let arrays = 0;
  let sameKind = true;
  for (let member = id + 1, k = 0; k < count; k++, member = tree.next[member]!) {
    const kind = tree.kind[member];
    if (kind === OBJECT) objects++;
    else if (kind === ARRAY) arrays++;
    if (kind !== tree.kind[id + 1]) sameKind = false;
  }
  if (arrays >= count * 0.9) return true;
  if (objects >= count * 0.9) {
    // Entries share keys: the commonest key is in most of them.
    const keyCounts = new Map<string, number>();
    let commonest = 0;
    for (let member = id + 1, k = 0; k < count; k++, member = tree.next[member]!) {
      if (tree.kind[member] !== OBJECT) continue;
      for (const child of childrenOf(tree, member)) {
        const seen = (keyCounts.get(keyOf(tree, child)) ?? 0) + 1;
        keyCounts.set(keyOf(tree, child), seen);
        commonest = Math.max(commonest, seen);
      }
    }
    return commonest >= objects * 0.7;
  }
  if (!sameKind) return false;
  // Scalars of one kind under keys that are data, not field names: an id -> name table, a
  // version -> release date table (`npm view --json`'s `time`), a path -> size table.
  let numericKeys = 0;
  let dataKeys = 0;
  for (const member of childrenOf(tree, id)) {
    const key = keyOf(tree, member);
    if (/^"-?\d+"$/.test(key)) numericKeys++;
    if (/^"\d|[./:@ ]/.test(key)) dataKeys++;
  }
  return numericKeys >= count * 0.9 || dataKeys >= count * 0.8;
}

/**
 * Strings of an object that may show as `…`: long ones, unless their key names the thing itself
 * (`id`, `name`, `url`, `message`…), the value looks like an identifier, made its row notable, or
 * holds an error sentence or a query term. Very long strings always may.
 */
export function isElidable(plan: Plan, id: number): boolean {
  const { tree } = plan;
  if (tree.kind[id] !== STRING || tree.keyStart[id]! < 0 || plan.cost[id]! < MIN_ELIDABLE_TOKENS || plan.standout[id]) return false;
  if (plan.cost[id]! > MAX_PROTECTED_TOKENS) return true;
  const key = keyOf(tree, id);
  let isProtected = plan.protectedKeys.get(key);
  if (isProtected === undefined) plan.protectedKeys.set(key, (isProtected = PROTECTED_KEY.test(unquote(key))));
  if (isProtected) return false;
  const raw = rawOf(tree, id);
  if (raw.length <= MAX_IDENTIFIER_CHARS && IDENTIFIER_VALUE.test(raw)) return false;
  return !mentionsTrouble(raw) && !hasQueryHit(plan, id);
}

/** Whether a node's text (its key included) contains one of the given query terms (default: all). */
export function hasQueryHit(plan: Plan, id: number, terms?: readonly number[]): boolean {
  const { queryHits, tree } = plan;
  const start = tree.keyStart[id]! >= 0 ? tree.keyStart[id]! : tree.start[id]!;
  const end = tree.end[id]!;
  for (const term of terms ?? queryHits.keys()) {
    const hits = queryHits[term]!;
    const low = countBelow(hits, start);
    if (low < hits.length && hits[low]! < end) return true;
  }
  return false;
}

/**
 * How many values of an ascending list are below `value` (the index of the first one at or
 * above it), by binary search.
 *
 * @example
 * countBelow([3, 8, 20], 10); // 2
 */
export function countBelow(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

// Terms found in most rows of a collection (`builds` in every Jenkins URL) single nothing out.
export function selectiveTerms(plan: Plan, rows: readonly number[]): number[] {
  return [...plan.queryHits.keys()].filter((term) => {
    let hit = 0;
    for (const row of rows) if (hasQueryHit(plan, row, [term])) hit++;
    return hit * 2 <= rows.length || rows.length < 4;
  });
}

function findQueryHits(minified: string, query: string): number[][] {
  // Terms are capped at 64 characters before they become patterns: a 30,000-character word in a
  // query is no search term, and a pattern that long is costly to compile.
  const terms = [...new Set((query.toLowerCase().match(/[\p{L}\p{N}_]{3,}/gu) ?? []).map((term) => term.slice(0, 64)))]
    .filter((term) => !STOPWORDS.has(term))
    .slice(0, 16);
  return terms.map((term) => {
    const pattern = new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu');
    return [...minified.matchAll(pattern)].map((match) => match.index);
  });
}


