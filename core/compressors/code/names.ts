import type { Node } from 'web-tree-sitter';
import type { LanguageSpec } from './languages.ts';

/*
 * What a definition is called, how many parameters it takes, and whether it is private: what the
 * outline needs to keep names visible, shorten signatures to names with arity, and group private
 * members under a tight budget.
 */

// Fields that hold a definition's name, most telling first; `declarator` chains lead to C names.
const NAME_FIELDS = ['name', 'declarator', 'left', 'property', 'attribute', 'key', 'pattern', 'method', 'type', 'field'];
// Nodes that give an anonymous function its name: `const f = () => {}`, `f: function () {}`.
export const NAME_HOLDERS: ReadonlySet<string> = new Set([
  'variable_declarator', 'pair', 'assignment_expression', 'assignment', 'public_field_definition', 'field_definition',
  'property_declaration', 'short_var_declaration', 'let_declaration', 'init_declarator', 'const_spec', 'var_spec',
  'variable_declaration', 'assignment_statement', 'val_definition', 'var_definition',
]);
// Names longer than this are not names (a C declarator holding a whole expression).
const MAX_NAME_CHARS = 200;
// Modifiers sit before the name: only this much of a definition's start is searched for them.
const MODIFIER_SCAN_CHARS = 240;

/**
 * The name a definition or declaration is known by (its last segment: `bar` for `Foo::bar`), from
 * its own name fields or, for an anonymous function, from what holds it (`const f = () => {}`).
 * `spec` supplies name node types for grammars without `name` fields (Kotlin).
 *
 * @example
 * definitionName(tree.rootNode.firstNamedChild); // 'parseConfig' for `function parseConfig() {}`
 */
export function definitionName(node: Node, spec?: LanguageSpec): string | undefined {
  let name = nameOf(node, 0, spec);
  if (name === undefined && node.parent && NAME_HOLDERS.has(node.parent.type)) name = nameOf(node.parent, 0, spec);
  if (name === undefined) return undefined;
  const segments = name.split(/[^\w$]+/).filter(Boolean);
  return segments.length > 0 ? segments[segments.length - 1] : undefined;
}

/** The node holding a definition's name (its row is where the name shows), if any. */
export function nameNode(node: Node, spec?: LanguageSpec): Node | undefined {
  // A name is a named node: a leaf (an identifier) holds none, and asking each field costs a call.
  if (node.namedChildCount === 0) return undefined;
  for (const field of NAME_FIELDS) {
    const child = node.childForFieldName(field);
    if (child) return child;
  }
  if (spec && spec.names.size > 0) {
    for (const child of node.namedChildren) if (spec.names.has(child.type)) return child;
  }
  return undefined;
}

function nameOf(node: Node, depth: number, spec: LanguageSpec | undefined): string | undefined {
  if (depth > 6) return undefined;
  const child = nameNode(node, spec);
  if (!child) return undefined;
  const long = child.endIndex - child.startIndex > MAX_NAME_CHARS;
  if (child.namedChildCount === 0) return long ? undefined : child.text;
  // A qualified name (`Foo.Bar`, `M.add`), a typed pattern or a C declarator with its parameters
  // (`do_out(state_type& __state, ...)`, however long): read through it, else take it whole.
  return nameOf(child, depth + 1, spec) ?? (!long && child.startPosition.row === child.endPosition.row ? child.text : undefined);
}

/**
 * Whether a member is private, so that a tight budget may list it by name in a group's marker
 * instead of on its own row: a `_name` or `#name` (Python, JavaScript), a lower-case Go name, a
 * Rust item without `pub` outside trait impls, or a `private` modifier before the name.
 */
export function isPrivate(node: Node, name: string | undefined, spec: LanguageSpec, source: string): boolean {
  if (name === undefined) return false;
  if (name.startsWith('_') || name.startsWith('#')) return !/^__\w+__$/.test(name); // not `__init__`
  if (spec.language === 'go') return /^[a-z]/.test(name);
  if (spec.language === 'rust') {
    if (node.type === 'impl_item' || node.type === 'mod_item') return false; // no visibility of its own
    if (node.namedChildren.some((child) => child.type === 'visibility_modifier')) return false;
    const container = node.parent?.parent;
    return !(container && (container.type === 'trait_item' || (container.type === 'impl_item' && container.childForFieldName('trait'))));
  }
  if (spec.privateWords.size === 0) return false;
  const head = source.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + MODIFIER_SCAN_CHARS));
  const nameAt = head.indexOf(name);
  const modifiers = nameAt >= 0 ? head.slice(0, nameAt) : head;
  for (const word of modifiers.split(/[^\w]+/)) if (spec.privateWords.has(word)) return true;
  return false;
}

/** How many parameters a function takes, when its grammar says. */
export function arity(node: Node): number | undefined {
  const parameters =
    node.childForFieldName('parameters') ??
    node.namedChildren.find((child) => /parameters$|parameter_list$/.test(child.type)) ??
    node.childForFieldName('declarator')?.childForFieldName('parameters');
  if (!parameters) return undefined;
  return parameters.namedChildren.filter((child) => !/comment/.test(child.type)).length;
}
