import type { Node } from 'web-tree-sitter';
import type { Pass } from './heads.ts';
import { isPrivate } from './names.ts';
import { OUTLINE_SUMMARY_CHARS } from './spans.ts';
import type { SyntaxIndex } from './syntax.ts';

/*
 * Level 3, the floor: private members in a row fold into one marker that names each of them, so
 * that every name stays findable (`private: _parse, _flush, _Node(key, value, next)`).
 *
 * A private class is listed with its members, and theirs, at every depth. A marker's summary is
 * cut at MAX_SUMMARY_CHARS (core/folds.ts; OUTLINE_SUMMARY_CHARS in spans.ts leaves room for the
 * outline level's note), so a run whose names need more is split into several
 * markers, and a private class too large for one marker is not grouped whole but opened (its
 * header stays, its members are grouped in turn, see outline.ts): no name is ever cut from a
 * marker. Namespaces are never grouped: like every namespace, a private one (`namespace __detail`)
 * opens.
 */

const PREFIX = 'private: ';
/** The names of one group's marker fit in this many characters. */
export const MAX_GROUP_CHARS = OUTLINE_SUMMARY_CHARS - PREFIX.length;
// Nested classes and wrappers are listed down to this depth; deeper ones are opened instead.
const MAX_LIST_DEPTH = 8;

/**
 * Whether a member is private by its language's rules, and so may be grouped at level 3: a
 * definition, or a wrapper of one definition (a decorated method, a template), never a namespace.
 *
 * @example
 * isPrivateMember(index, methodNode, text); // true for `def _flush(self):`
 */
export function isPrivateMember(index: SyntaxIndex, node: Node, text: string): boolean {
  return index.remember('private member', node, () => {
    const definition = index.role(node) === 'wrapper' ? soleDefinition(index, node) : node;
    if (!definition || index.spec.namespaces.has(index.type(definition))) return false;
    return isPrivate(definition, index.name(definition), index.spec, text);
  });
}

/** Whether a member can be listed in a group's marker whole: false for a class with too many members. */
export function fitsOneGroup(index: SyntaxIndex, node: Node): boolean {
  const names = listed(index, node);
  return names !== undefined && names.text.length <= MAX_GROUP_CHARS;
}

/**
 * Folds a run of private members (and their doc comments) into markers that name every member,
 * as many markers as the names need. A member whose names alone are too many for one marker
 * (see `fitsOneGroup`) is expected to be opened by the caller instead.
 *
 * @example
 * groupRun(pass, index, [commentNode, privateMethodNode, privateFieldNode]);
 * // one fold: 'private: _flush, _buffer'
 */
export function groupRun(pass: Pass, index: SyntaxIndex, run: readonly Node[]): void {
  let first = 0;
  let names: string[] = [];
  const flush = (end: number) => {
    if (end < first) return;
    const summary = names.length > 0 ? `${PREFIX}${names.join(', ')}` : undefined;
    pass.builder.fold(run[first]!.startPosition.row, index.lastRow(run[end]!), summary);
    names = [];
    first = end + 1;
  };
  for (let i = 0; i < run.length; i++) {
    const entry = listed(index, run[i]!);
    if (!entry || entry.count === 0) continue;
    if (names.length > 0 && [...names, entry.text].join(', ').length > MAX_GROUP_CHARS) {
      // The member's doc comments, just before it, go with it into the next marker.
      let end = i - 1;
      while (end >= first && index.role(run[end]!) === 'comment') end--;
      flush(end);
    }
    names.push(entry.text);
  }
  flush(run.length - 1);
}

// What `listedNames` gives a member, once per tree.
function listed(index: SyntaxIndex, node: Node): { text: string; count: number } | undefined {
  return index.remember('listed names', node, () => listedNames(index, node, 0));
}

// The names a member shows in a marker: its own, a class's with its members' in brackets, a
// wrapper's of what it wraps, a declaration's of each of its parts (`int a, b;`).
function listedNames(index: SyntaxIndex, node: Node, depth: number): { text: string; count: number } | undefined {
  const role = index.role(node);
  if (role === 'comment' || role === 'other' || role === 'import') return { text: '', count: 0 };
  if (role === 'wrapper') {
    if (depth >= MAX_LIST_DEPTH) return undefined;
    const inner: Array<{ text: string; count: number }> = [];
    for (const child of index.items(node).children) {
      const entry = listedNames(index, child, depth + 1);
      if (entry === undefined) return undefined;
      if (entry.count > 0) inner.push(entry);
    }
    return join(inner);
  }
  const name = index.name(node);
  if (role === 'class') {
    if (depth >= MAX_LIST_DEPTH) return undefined;
    const body = index.classBody(node);
    const members: Array<{ text: string; count: number }> = [];
    for (const member of body ? index.items(body).children : []) {
      const entry = listedNames(index, member, depth + 1);
      if (entry === undefined) return undefined;
      if (entry.count > 0) members.push(entry);
    }
    const inside = join(members);
    const own = name ?? '(anonymous)';
    return inside.count === 0 ? { text: own, count: 1 } : { text: `${own}(${inside.text})`, count: inside.count + 1 };
  }
  if (role === 'function') {
    // A function holding a local class opens (outline.ts): the class and its members show by name.
    const body = index.functionBody(node);
    if (body && index.holdsClass(body)) return undefined;
  }
  if (role === 'declaration') {
    const parts = index.items(node).children.filter((child) => index.spec.declarations.has(index.type(child)));
    const names = (parts.length > 1 ? parts : [node]).map((part) => index.name(part)).filter((part) => part !== undefined);
    return { text: names.join(', '), count: names.length };
  }
  return name === undefined ? { text: '', count: 0 } : { text: name, count: 1 };
}

function join(entries: ReadonlyArray<{ text: string; count: number }>): { text: string; count: number } {
  return { text: entries.map((entry) => entry.text).join(', '), count: entries.reduce((sum, entry) => sum + entry.count, 0) };
}

// The one definition a wrapper holds (a decorated function, a template's class), decorators,
// comments and parameter lists aside; undefined when it holds none or more than that. Blocks of
// the preprocessor (an include guard holds the whole file) and exports (public) are not members.
function soleDefinition(index: SyntaxIndex, wrapper: Node): Node | undefined {
  const type = index.type(wrapper);
  if (type.startsWith('preproc_') || type === 'export_statement') return undefined;
  const { children, roles } = index.items(wrapper);
  let found: Node | undefined;
  for (let i = 0; i < children.length; i++) {
    const role = roles[i]!;
    if (role === 'wrapper' || role === 'import' || (role === 'other' && index.firstDefinitionIn(children[i]!))) return undefined;
    if (role !== 'function' && role !== 'class' && role !== 'declaration') continue;
    if (index.type(children[i]!) === 'decorator' || index.type(children[i]!) === 'attribute_item') continue;
    if (found) return undefined;
    found = children[i];
  }
  return found;
}
