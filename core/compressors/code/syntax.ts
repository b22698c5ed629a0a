import type { Node } from 'web-tree-sitter';
import { countBelow } from '../json-plan.ts';
import type { LanguageSpec } from './languages.ts';
import { definitionName, nameNode } from './names.ts';

/*
 * What the outline reads from a syntax tree, read once per tree and remembered.
 *
 * Every question to a web-tree-sitter node (its type, where it ends, its children, a field) is a
 * call into WebAssembly that copies the node across; the outline of a 100 kB file asks tens of
 * thousands of them, and asks them again at each level of detail it tries and for each query on
 * the same file. So the answers are kept here by node id, for the life of the tree: the first
 * outline pays for them, the coarser levels and later queries read them from memory.
 *
 * Definitions nested in what the outline does not open (a class inside a function, a function the
 * query names inside another one) are found without walking the whole tree, which costs about as
 * much as the outline itself: a body is searched only when its text holds a word that could begin
 * such a definition (`class`, `struct`, a name of the query), and then once. Searched ranges are
 * remembered, so that a statement inside one is answered by a binary search.
 */

/** What a node is to the outline. */
export type Role = 'function' | 'class' | 'declaration' | 'import' | 'wrapper' | 'comment' | 'other';

/** The children of a container with their roles. */
export interface Items {
  children: Node[];
  roles: Role[];
}

/** Facts about a tree's nodes, read once and kept. */
export interface SyntaxIndex {
  readonly root: Node;
  readonly spec: LanguageSpec;
  type(node: Node): string;
  endIndex(node: Node): number;
  /** The last row that holds the node's text (not the row after a trailing newline). */
  lastRow(node: Node): number;
  role(node: Node): Role;
  /** The node a transparent wrapper (`expression_statement`) stands for. */
  unwrap(node: Node): Node;
  /** A container's named children (transparent wrappers looked through) with their roles. */
  items(parent: Node): Items;
  /** The name a definition is known by (see names.ts). */
  name(node: Node): string | undefined;
  /** The node holding a definition's name, if any (see names.ts). */
  nameNode(node: Node): Node | undefined;
  /** The node holding a class's members, if it has any. */
  classBody(node: Node): Node | undefined;
  /** The body of a function, if it has one. */
  functionBody(node: Node): Node | undefined;
  /**
   * Prepares answers about the items of `parent` at once: when items that are not definitions
   * (declarations, statements) make most of it, one search of the whole parent is cheaper than
   * one per item (each search costs a call into WebAssembly and a pass over the grammar's types).
   */
  prepareItems(parent: Node): void;
  /** The first function or class starting inside `node`, in document order. */
  firstDefinitionIn(node: Node): Node | undefined;
  /** The functions and classes starting inside `node` (a bounded number from the first). */
  definitionsIn(node: Node, most: number): Node[];
  /** Whether a class starts inside `node` (the node itself included). */
  holdsClass(node: Node): boolean;
  /** Whether a definition named one of `names` lies inside `node` (the node itself included). */
  holdsNamed(node: Node, names: NameFinder): boolean;
  /**
   * A fact about a node that depends on the tree only, computed once: `fact` names it, and the
   * same name must always come with the same computation.
   */
  remember<T>(fact: string, node: Node, compute: (node: Node) => T): T;
}

/** Where a set of names occurs in the text, to rule out most nodes without reading their tree. */
export interface NameFinder {
  names: ReadonlySet<string>;
  /** Sorted offsets of the names' occurrences as whole words. */
  offsets: readonly number[];
}

// Types that appear inside signatures as often as on their own: never searched for as definitions.
const INLINE_TYPES = new Set(['object_type']);
// A container is searched whole when this many of its items would each be searched, and they
// hold this share of its text: a header of declarations, not a class of methods with long bodies.
const PREPARE_MIN_SEARCHES = 8;
const PREPARE_MIN_SHARE = 0.5;

/**
 * The index of a parsed file. Keep it as long as the tree: its answers are valid for that tree only.
 *
 * @example
 * const index = createSyntaxIndex(tree.rootNode, text, languageSpec('python'));
 * index.items(index.root).roles; // ['import', 'class', 'function', ...]
 */
export function createSyntaxIndex(root: Node, text: string, spec: LanguageSpec): SyntaxIndex {
  const types = new Map<number, string>();
  const ends = new Map<number, number>();
  const lastRows = new Map<number, number>();
  const itemLists = new Map<number, Items>();
  const names = new Map<number, string | undefined>();
  const nameNodes = new Map<number, Node | undefined>();
  const classBodies = new Map<number, Node | undefined>();
  const functionBodies = new Map<number, Node | undefined>();
  const definitionTypes = [...spec.functions, ...spec.classes].filter((type) => !INLINE_TYPES.has(type));
  // Where a word that may begin a class occurs, found on first need in one scan of the text.
  let classWordOffsets: number[] | undefined;
  const classWordsIn = (node: Node): boolean => {
    if (spec.data || spec.classes.size === 0) return false;
    // No words listed for a language with classes: every body is searched.
    if (spec.classWords.size === 0) return true;
    classWordOffsets ??= wordOffsets(text, spec.classWords);
    const first = countBelow(classWordOffsets, node.startIndex);
    return first < classWordOffsets.length && classWordOffsets[first]! < endIndex(node);
  };

  const type = (node: Node): string => {
    let value = types.get(node.id);
    if (value === undefined) types.set(node.id, (value = node.type));
    return value;
  };
  const endIndex = (node: Node): number => {
    let value = ends.get(node.id);
    if (value === undefined) ends.set(node.id, (value = node.endIndex));
    return value;
  };
  // Row starts, to read a node's last row from its end offset (one call into WebAssembly, not two).
  const rowStarts: number[] = [0];
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) rowStarts.push(at + 1);
  const lastRow = (node: Node): number => {
    let value = lastRows.get(node.id);
    if (value === undefined) {
      const end = endIndex(node);
      const row = countBelow(rowStarts, end + 1) - 1; // the row holding offset `end`
      // An end at the start of a row (after a newline) belongs to the row before.
      value = rowStarts[row] === end && row > node.startPosition.row ? row - 1 : row;
      lastRows.set(node.id, value);
    }
    return value;
  };

  const unwrap = (node: Node): Node => {
    let current = node;
    while (spec.transparent.has(type(current)) && current.namedChildCount === 1) current = current.firstNamedChild!;
    return current;
  };

  const classBody = (node: Node): Node | undefined => {
    if (classBodies.has(node.id)) return classBodies.get(node.id);
    let body: Node | undefined;
    if (spec.selfBodies.has(type(node))) body = node;
    else if (spec.data) {
      // `key:` whose value is a block mapping or sequence: a YAML section.
      const inner = node.childForFieldName('value')?.firstNamedChild;
      body = inner && (type(inner) === 'block_mapping' || type(inner) === 'block_sequence') ? inner : undefined;
    } else {
      body = node.childForFieldName('body') ?? undefined;
      if (!body) {
        const children = node.namedChildren;
        for (let i = children.length - 1; i >= 0 && !body; i--) if (/(declaration_list|_body)$/.test(type(children[i]!))) body = children[i];
      }
    }
    classBodies.set(node.id, body);
    return body;
  };

  const functionBody = (node: Node): Node | undefined => {
    if (functionBodies.has(node.id)) return functionBodies.get(node.id);
    let body = node.childForFieldName('body') ?? undefined;
    if (!body && type(node) === 'static_initializer') body = node.lastNamedChild ?? undefined;
    if (!body && spec.bodies.size > 0) {
      const last = node.lastNamedChild;
      if (last && spec.bodies.has(type(last))) body = last;
    }
    functionBodies.set(node.id, body);
    return body;
  };

  const role = (node: Node): Role => {
    const nodeType = type(node);
    if (spec.comments.has(nodeType)) return 'comment';
    if (spec.functions.has(nodeType)) return 'function';
    if (spec.classes.has(nodeType)) return classBody(node) ? 'class' : 'declaration';
    if (spec.imports.has(nodeType)) return 'import';
    if (spec.declarations.has(nodeType)) return 'declaration';
    if (spec.wrappers.has(nodeType)) return 'wrapper';
    // A string alone as a statement is a docstring (or `'use strict'`): read like a comment.
    if (nodeType === 'string' || nodeType === 'concatenated_string') return 'comment';
    return 'other';
  };

  const items = (parent: Node): Items => {
    let list = itemLists.get(parent.id);
    if (!list) {
      const children = parent.namedChildren.map(unwrap);
      list = { children, roles: children.map(role) };
      itemLists.set(parent.id, list);
    }
    return list;
  };

  const name = (node: Node): string | undefined => {
    if (names.has(node.id)) return names.get(node.id);
    const value = definitionName(node, spec);
    names.set(node.id, value);
    return value;
  };

  // Ranges already searched for definitions, disjoint and sorted by start; a range searched later
  // that holds earlier ones replaces them.
  const searched: Array<{ start: number; end: number; definitions: Node[]; starts: number[] }> = [];
  // The index of the first searched range starting after `offset`.
  const searchedAfter = (offset: number): number => {
    let low = 0;
    let high = searched.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (searched[middle]!.start <= offset) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const searchedAround = (node: Node) => {
    const before = searched[searchedAfter(node.startIndex) - 1];
    return before && before.end >= endIndex(node) ? before : undefined;
  };
  const searchedRange = (node: Node) => {
    const around = searchedAround(node);
    if (around) return around;
    const start = node.startIndex;
    const end = endIndex(node);
    const definitions = definitionTypes.length === 0 ? [] : node.descendantsOfType(definitionTypes);
    definitions.sort((a, b) => a.startIndex - b.startIndex);
    const range = { start, end, definitions, starts: definitions.map((definition) => definition.startIndex) };
    const first = searchedAfter(start - 1);
    let last = first;
    while (last < searched.length && searched[last]!.start < end) last++;
    searched.splice(first, last - first, range);
    return range;
  };
  const firstIndexIn = (starts: readonly number[], node: Node): number => {
    const first = countBelow(starts, node.startIndex);
    return first < starts.length && starts[first]! < endIndex(node) ? first : -1;
  };

  // Whether a node's text may hold a definition at all (the language's hint; see languages.ts).
  const mayHoldDefinition = (node: Node): boolean => {
    if (!spec.definitionHint) return true;
    return spec.definitionHint.test(text.slice(node.startIndex, endIndex(node)));
  };

  const definitionsIn = (node: Node, most: number): Node[] => {
    if (!searchedAround(node) && !mayHoldDefinition(node)) return [];
    const range = searchedRange(node);
    const first = firstIndexIn(range.starts, node);
    if (first < 0) return [];
    const found: Node[] = [];
    const end = endIndex(node);
    for (let index = first; index < range.definitions.length && found.length < most && range.starts[index]! < end; index++) {
      found.push(range.definitions[index]!);
    }
    return found;
  };

  const facts = new Map<string, Map<number, unknown>>();
  const remember = <T>(fact: string, node: Node, compute: (node: Node) => T): T => {
    let known = facts.get(fact);
    if (!known) facts.set(fact, (known = new Map()));
    if (known.has(node.id)) return known.get(node.id) as T;
    const value = compute(node);
    known.set(node.id, value);
    return value;
  };

  return {
    root,
    spec,
    remember,
    type,
    endIndex,
    lastRow,
    role,
    unwrap,
    items,
    name,
    nameNode(node) {
      if (nameNodes.has(node.id)) return nameNodes.get(node.id);
      const value = nameNode(node, spec);
      nameNodes.set(node.id, value);
      return value;
    },
    classBody,
    functionBody,
    prepareItems(parent) {
      const { children, roles } = items(parent);
      let searchedChars = 0;
      let searches = 0;
      for (let i = 0; i < children.length; i++) {
        if (roles[i] !== 'declaration' && roles[i] !== 'other') continue;
        searchedChars += endIndex(children[i]!) - children[i]!.startIndex;
        searches++;
      }
      if (searches >= PREPARE_MIN_SEARCHES && searchedChars >= (endIndex(parent) - parent.startIndex) * PREPARE_MIN_SHARE) searchedRange(parent);
    },
    firstDefinitionIn: (node) => definitionsIn(node, 1)[0],
    definitionsIn,
    holdsClass(node) {
      if (!classWordsIn(node)) return false;
      return definitionsIn(node, Infinity).some((definition) => spec.classes.has(type(definition)));
    },
    holdsNamed(node, finder) {
      if (finder.names.size === 0) return false;
      // A name held from outside (`const f = () => {}` asked about the arrow function) is not in its text.
      if (definitionTypes.includes(type(node)) && finder.names.has(name(node) ?? '')) return true;
      const offsets = finder.offsets;
      const first = countBelow(offsets, node.startIndex);
      if (first >= offsets.length || offsets[first]! >= endIndex(node)) return false;
      return definitionsIn(node, Infinity).some((definition) => {
        const definitionName = name(definition);
        return definitionName !== undefined && finder.names.has(definitionName);
      });
    },
  };
}

/**
 * Where the names occur in `text` as whole words: the cheap first test of `holdsNamed`.
 *
 * @example
 * findNames('def parse(): ...', new Set(['parse'])).offsets; // [4]
 */
export function findNames(text: string, names: ReadonlySet<string>): NameFinder {
  return { names, offsets: names.size === 0 ? [] : wordOffsets(text, names) };
}

/**
 * How much of a parsed file is syntax errors, 0 to 1: the share of its characters inside ERROR
 * nodes and not inside what the parser still made of their content. Tree-sitter's recovery may
 * wrap a whole header in one ERROR node for one construct it does not know (`extern template
 * class basic_ostream<char>;`) and still parse every declaration inside it: those count as read.
 * Only the branches that hold an error are walked (tree-sitter marks them), so a file with a few
 * errors costs a few paths down the tree, not a walk of all of it.
 *
 * @example
 * errorShare(tree.rootNode, text.length); // 0.002 for a header with one macro the grammar does not know
 */
export function errorShare(root: Node, length: number): number {
  if (!root.hasError || length === 0) return 0;
  let unread = 0;
  // Depth first with a stack of its own: adversarial nesting is deeper than the call stack.
  const pending: Array<{ node: Node; isError: boolean }> = [{ node: root, isError: root.type === 'ERROR' }];
  while (pending.length > 0) {
    const { node, isError } = pending.pop()!;
    if (isError) unread += node.endIndex - node.startIndex;
    // ERROR nodes are named; the unnamed children are tokens, which hold no errors.
    for (const child of node.namedChildren) {
      const childIsError = child.type === 'ERROR';
      // What the parser made of an ERROR node's content is read, not an error.
      if (isError) unread -= child.endIndex - child.startIndex;
      if (child.hasError) pending.push({ node: child, isError: childIsError });
    }
  }
  return Math.min(1, unread / length);
}

// Sorted offsets of the words' occurrences in `text` as whole words, in one scan.
function wordOffsets(text: string, words: ReadonlySet<string>): number[] {
  const pattern = new RegExp(`(?<![\\w$])(?:${[...words].map(escapeRegExp).join('|')})(?![\\w$])`, 'g');
  const offsets: number[] = [];
  for (const match of text.matchAll(pattern)) offsets.push(match.index);
  return offsets;
}

function escapeRegExp(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
