/*
 * One linear pass over JSON text that minifies it and records where every value sits.
 *
 * The JSON compressor must never re-serialize a parsed value: `JSON.parse` rounds ids above 2^53,
 * turns `1.50` into `1.5` and forgets `\u00e9` escapes. So it works on raw source slices only, and
 * this scanner is what gives it those slices. It removes whitespace outside strings (the only
 * change it makes to the text) and records each value as a node with its [start, end) in the *minified* text,
 * its parent, and for object members the span of the key. Nodes are numbered in document order,
 * so a node's descendants are the nodes `id + 1` up to `next[id]`.
 *
 * It never recurses and never throws on bad input:
 * - Containers nested deeper than `maxDepth` become one opaque node (scanned, minified, not
 *   recorded), so `[[[[…]]]]` 100,000 levels deep costs one node, not a stack overflow.
 * - Several top-level values (NDJSON, concatenated JSON) hang under a synthetic sequence node,
 *   separated by `\n` in the minified text.
 * - Input that ends inside a value (cut at 50 KB) gives `incomplete` nodes that end where the
 *   input ends; text after the last complete child of such a container is kept in `tail`.
 * - A syntax error returns `undefined`, unless `lineMode` is on: then each line is scanned on its
 *   own and a line that is not one JSON value becomes a `RAW` node holding the line as it is.
 */

export const OBJECT = 0;
export const ARRAY = 1;
export const STRING = 2;
/** A number, `true`, `false`, `null` (or a bare word such as `NaN`, tolerated). */
export const ATOM = 3;
/** A container past the depth limit, kept as one raw slice. */
export const OPAQUE = 4;
/** A line that is not a JSON value (line mode only). Its slice is the line, trimmed. */
export const RAW = 5;
/** The synthetic parent of several top-level values. */
export const SEQUENCE = 6;

export interface JsonTree {
  /** The input without whitespace outside strings; top-level values are separated by `\n`. */
  minified: string;
  count: number;
  /** Node 0 is always the synthetic sequence; `root` is 1 when the input is one value. */
  root: number;
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  /** Key span of an object member, or -1. */
  keyStart: Int32Array;
  keyEnd: Int32Array;
  parent: Int32Array;
  /** The first node after this node's subtree. */
  next: Int32Array;
  childCount: Int32Array;
  /**
   * Where each node's entry begins in the input (not the minified text): its key for an object
   * member, else its value. Tells which input line a value was on.
   */
  source: Int32Array;
  /** Nodes cut by the end of the input. */
  incomplete: Set<number>;
  /** For incomplete containers: where the text after their last complete child begins. */
  tail: Map<number, number>;
}

export interface ScanOptions {
  /** Containers nested deeper than this become one opaque node. Default 64. */
  maxDepth?: number;
  /** Scan each line on its own, turning lines that are not one JSON value into `RAW` nodes. */
  lineMode?: boolean;
}

const DEFAULT_MAX_DEPTH = 64;

// What the state machine expects next.
const VALUE = 0;
const VALUE_OR_CLOSE = 1; // right after `[`
const KEY = 2;
const KEY_OR_CLOSE = 3; // right after `{`
const COLON = 4;
const COMMA_OR_CLOSE = 5;

const SPACE = 32;
const TAB = 9;
const NEWLINE = 10;
const RETURN = 13;
const QUOTE = 34;
const BACKSLASH = 92;

// A byte-order mark counts as space: it is not JSON, but it opens many files.
function isSpace(c: number): boolean {
  return c === SPACE || c === NEWLINE || c === RETURN || c === TAB || c === 0xfeff;
}

// Characters that end a bare atom.
function endsAtom(c: number): boolean {
  return c === 44 || c === 93 || c === 125 || c === 58 || c === QUOTE || c === 91 || c === 123 || isSpace(c);
}

function isAtomChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 43 || c === 46 || c === 95;
}

/**
 * Scans JSON, NDJSON or a truncated JSON document into a tree of raw spans over its minified
 * text. Returns `undefined` on a syntax error (outside line mode) or when nothing was found.
 *
 * @example
 * const tree = scanJson('{"id": 505874924095815681}');
 * tree.minified.slice(tree.start[2], tree.end[2]); // '505874924095815681', digit for digit
 */
export function scanJson(text: string, options: ScanOptions = {}): JsonTree | undefined {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  // Typed columns: a value takes at least one character, and most far more.
  let capacity = Math.max(1024, text.length >> 4);
  const tree: JsonTree = {
    minified: '',
    count: 0,
    root: 0,
    kind: new Uint8Array(capacity),
    start: new Int32Array(capacity),
    end: new Int32Array(capacity),
    keyStart: new Int32Array(capacity),
    keyEnd: new Int32Array(capacity),
    parent: new Int32Array(capacity),
    next: new Int32Array(capacity),
    childCount: new Int32Array(capacity),
    source: new Int32Array(capacity),
    incomplete: new Set(),
    tail: new Map(),
  };
  const grow = () => {
    capacity *= 2;
    const widen = <Column extends Uint8Array | Int32Array>(column: Column): Column => {
      const wider = new (column.constructor as new (length: number) => Column)(capacity);
      wider.set(column);
      return wider;
    };
    tree.kind = widen(tree.kind);
    tree.start = widen(tree.start);
    tree.end = widen(tree.end);
    tree.keyStart = widen(tree.keyStart);
    tree.keyEnd = widen(tree.keyEnd);
    tree.parent = widen(tree.parent);
    tree.next = widen(tree.next);
    tree.childCount = widen(tree.childCount);
    tree.source = widen(tree.source);
  };
  const parts: string[] = [];
  let outLength = 0; // minified length committed to `parts`
  let segmentStart = 0; // input index where the uncommitted run of non-space text begins
  let i = 0;
  let nextNewline = text.indexOf('\n'); // first `\n` at or after the string being read
  const opaqueAt = new Map<number, number>(); // stack level -> the opaque node open there

  const position = (index: number) => outLength + (index - segmentStart);
  const commit = (index: number) => {
    if (index > segmentStart) {
      parts.push(text.slice(segmentStart, index));
      outLength += index - segmentStart;
    }
    segmentStart = index;
  };
  const addNode = (kind: number, parent: number, start: number, keyStart: number, keyEnd: number, source: number) => {
    if (tree.count === capacity) grow();
    const id = tree.count++;
    tree.kind[id] = kind;
    tree.start[id] = start;
    tree.end[id] = start;
    tree.keyStart[id] = keyStart;
    tree.keyEnd[id] = keyEnd;
    tree.parent[id] = parent;
    tree.next[id] = id + 1;
    tree.childCount[id] = 0;
    tree.source[id] = source;
    if (parent >= 0) tree.childCount[parent]!++;
    return id;
  };
  addNode(SEQUENCE, -1, 0, -1, -1, 0);

  // Index after the closing quote of the string opening at `from`; -1 when the input ends first;
  // -2 when a raw newline sits inside it (not JSON, and a sign of a broken line in NDJSON).
  const stringEnd = (from: number, limit: number) => {
    let search = from + 1;
    for (;;) {
      const quote = text.indexOf('"', search);
      if (quote === -1 || quote >= limit) return -1;
      let backslash = quote - 1;
      while (text.charCodeAt(backslash) === BACKSLASH) backslash--;
      if ((quote - 1 - backslash) % 2 === 1) {
        search = quote + 1; // an escaped quote
        continue;
      }
      if (nextNewline !== -1 && nextNewline < from) nextNewline = text.indexOf('\n', from);
      return nextNewline !== -1 && nextNewline < quote ? -2 : quote + 1;
    }
  };

  /**
   * Scans values from `i` up to `limit` under the sequence node. With `single`, exactly one
   * complete value must fill the range. Returns false on a syntax error.
   */
  const scanRange = (limit: number, single: boolean): boolean => {
    const stack: number[] = []; // open containers: node id, or -1 when not recorded
    const isObject: boolean[] = [];
    const lastEnd: number[] = []; // minified end of the last complete child, per open container
    let expect = VALUE;
    let keyStart = -1;
    let keyEnd = -1;
    let keySource = -1; // input index of the current key
    let values = 0;
    const finishValue = (endPosition: number) => {
      if (stack.length === 0) {
        values++;
        expect = VALUE;
      } else {
        lastEnd[lastEnd.length - 1] = endPosition;
        expect = COMMA_OR_CLOSE;
      }
    };

    while (i < limit) {
      const c = text.charCodeAt(i);
      if (isSpace(c)) {
        commit(i);
        while (i < limit && isSpace(text.charCodeAt(i))) i++;
        segmentStart = i;
        continue;
      }
      if ((expect === VALUE || expect === VALUE_OR_CLOSE) && !(c === 93 && expect === VALUE_OR_CLOSE)) {
        if (stack.length === 0) {
          if (single && values > 0) return false;
          if (tree.childCount[0]! > 0) {
            commit(i);
            parts.push('\n');
            outLength++;
          }
        }
        const parent = stack.length === 0 ? 0 : stack[stack.length - 1]!;
        const recording = parent !== -1;
        const inObject = stack.length > 0 && isObject[isObject.length - 1]!;
        const memberKeyStart = inObject ? keyStart : -1;
        const memberKeyEnd = inObject ? keyEnd : -1;
        const source = inObject ? keySource : i;
        if (c === 123 || c === 91) {
          const kind = stack.length >= maxDepth ? OPAQUE : c === 123 ? OBJECT : ARRAY;
          const id = recording ? addNode(kind, parent, position(i), memberKeyStart, memberKeyEnd, source) : -1;
          if (id >= 0 && kind === OPAQUE) opaqueAt.set(stack.length, id);
          stack.push(id >= 0 && kind !== OPAQUE ? id : -1);
          isObject.push(c === 123);
          lastEnd.push(position(i) + 1);
          expect = c === 123 ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
          i++;
          continue;
        }
        if (c === QUOTE) {
          const after = stringEnd(i, limit);
          if (after === -2) return false;
          const id = recording ? addNode(STRING, parent, position(i), memberKeyStart, memberKeyEnd, source) : -1;
          i = after === -1 ? limit : after;
          if (id >= 0) tree.end[id] = position(i);
          if (after === -1) {
            // The input ends inside this string.
            if (id >= 0) tree.incomplete.add(id);
            if (stack.length > 0) lastEnd[lastEnd.length - 1] = position(i);
            break;
          }
          finishValue(position(i));
          continue;
        }
        const atomStart = i;
        while (i < limit && !endsAtom(text.charCodeAt(i))) {
          if (!isAtomChar(text.charCodeAt(i))) return false;
          i++;
        }
        if (i === atomStart) return false;
        const id = recording ? addNode(ATOM, parent, position(atomStart), memberKeyStart, memberKeyEnd, source) : -1;
        if (id >= 0) tree.end[id] = position(i);
        finishValue(position(i));
        continue;
      }
      if (expect === KEY || expect === KEY_OR_CLOSE) {
        if (c === QUOTE) {
          const after = stringEnd(i, limit);
          if (after === -2) return false;
          if (after === -1) {
            i = limit; // cut inside a key: the key stays in the container's tail
            break;
          }
          keyStart = position(i);
          keySource = i;
          i = after;
          keyEnd = position(i);
          expect = COLON;
          continue;
        }
        if (!(c === 125 && expect === KEY_OR_CLOSE)) return false;
      } else if (expect === COLON) {
        if (c !== 58) return false;
        i++;
        expect = VALUE;
        continue;
      } else if (expect === COMMA_OR_CLOSE && c === 44) {
        i++;
        expect = isObject[isObject.length - 1] ? KEY : VALUE;
        continue;
      }
      // A closing bracket, which must match the open container.
      if (stack.length === 0 || (c !== 125 && c !== 93) || (c === 125) !== isObject[isObject.length - 1]) return false;
      i++;
      const recorded = stack.pop()!;
      isObject.pop();
      lastEnd.pop();
      const closed = recorded >= 0 ? recorded : (opaqueAt.get(stack.length) ?? -1);
      opaqueAt.delete(stack.length);
      if (closed >= 0) {
        tree.end[closed] = position(i);
        tree.next[closed] = tree.count;
      }
      finishValue(position(i));
    }

    if (stack.length === 0) return !single || values === 1;
    // The range ended inside open containers: the input was cut. Each one ends where the input
    // ends; the innermost keeps the text after its last complete child (`,"key":`) as its tail.
    if (single) return false;
    let innermost = true;
    for (let level = stack.length - 1; level >= 0; level--) {
      const id = stack[level] !== -1 ? stack[level]! : (opaqueAt.get(level) ?? -1);
      if (id < 0) continue;
      tree.incomplete.add(id);
      tree.end[id] = position(i);
      tree.next[id] = tree.count;
      tree.tail.set(id, innermost && tree.kind[id] !== OPAQUE ? lastEnd[level]! : position(i));
      innermost = false;
    }
    opaqueAt.clear();
    return true;
  };

  if (!options.lineMode) {
    if (!scanRange(text.length, false)) return undefined;
    commit(text.length);
  } else {
    let lineStart = 0;
    while (lineStart < text.length) {
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd === -1) lineEnd = text.length;
      const checkpoint = { count: tree.count, parts: parts.length, outLength, children: tree.childCount[0]! };
      i = lineStart;
      segmentStart = lineStart;
      if (scanRange(lineEnd, true)) {
        commit(lineEnd);
      } else {
        rollback(tree, checkpoint.count);
        tree.childCount[0] = checkpoint.children;
        parts.length = checkpoint.parts;
        outLength = checkpoint.outLength;
        opaqueAt.clear();
        const line = text.slice(lineStart, lineEnd).trim();
        if (line !== '') {
          if (tree.childCount[0]! > 0) {
            parts.push('\n');
            outLength++;
          }
          const id = addNode(RAW, 0, outLength, -1, -1, lineStart);
          parts.push(line);
          outLength += line.length;
          tree.end[id] = outLength;
        }
      }
      lineStart = lineEnd + 1;
    }
  }

  tree.minified = parts.join('');
  tree.end[0] = tree.minified.length;
  tree.next[0] = tree.count;
  if (tree.childCount[0] === 0) return undefined;
  if (tree.childCount[0] === 1 && tree.kind[1] !== RAW) tree.root = 1;
  return tree;
}

// Forgets the nodes from `count` on (a line that turned out not to be JSON).
function rollback(tree: JsonTree, count: number): void {
  for (let id = count; id < tree.count; id++) {
    tree.incomplete.delete(id);
    tree.tail.delete(id);
  }
  tree.count = count;
}

/** The children of a node, in order. */
export function childrenOf(tree: JsonTree, id: number): number[] {
  const children: number[] = [];
  const count = tree.childCount[id]!;
  if (count === 0 || tree.kind[id] === OPAQUE) return children;
  let child = id + 1;
  for (let k = 0; k < count && child < tree.count; k++) {
    children.push(child);
    child = tree.next[child]!;
  }
  return children;
}

/** The minified source text of a node. */
export function rawOf(tree: JsonTree, id: number): string {
  return tree.minified.slice(tree.start[id], tree.end[id]);
}

/** The raw key of an object member, quotes included (`"name"`), or '' for array items. */
export function keyOf(tree: JsonTree, id: number): string {
  return tree.keyStart[id]! < 0 ? '' : tree.minified.slice(tree.keyStart[id], tree.keyEnd[id]);
}

/** A member as it appears in its object: `"key":value`, raw. */
export function memberRawOf(tree: JsonTree, id: number): string {
  return tree.keyStart[id]! < 0 ? rawOf(tree, id) : tree.minified.slice(tree.keyStart[id], tree.end[id]);
}
