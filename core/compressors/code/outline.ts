import type { Node } from 'web-tree-sitter';
import type { LanguageSpec } from './languages.ts';

/*
 * A syntax tree turned into the rows to fold: what an outline of a source file hides.
 *
 * Everything stays visible unless folded, and only these fold: the interior of a function's body
 * (its signature, decorators and closing brace stay), the rest of a doc comment after its first
 * line, the tail of a declaration whose value runs over many lines (`const TABLE = {` stays), and
 * runs of plain statements (their first line stays). Classes, namespaces, impls and modules are
 * opened instead, so that their members are outlined in turn, nested as they are in the file; so
 * are statements that hold definitions (`module.exports = { ... }`, `if TYPE_CHECKING:`), and
 * anonymous callbacks that are made of definitions (`describe(() => { it(...) })`, an IIFE wrapping
 * a library). What the query names stays open whole.
 *
 * The walk goes in document order and proposes spans of rows; `keep` protects rows, cutting short a
 * span proposed earlier that reached them, so a row that starts the next item is never hidden.
 * Only nodes outside folded bodies are visited, so the cost follows the outline, not the file.
 */

/** Rows `start` to `end`, 0-based and inclusive, to fold into one marker. */
export interface FoldSpan {
  start: number;
  end: number;
}

/** Proposes and protects rows in document order. */
export interface SpanBuilder {
  spans: FoldSpan[];
  /** Rows `from` to `to` stay visible. */
  keep(from: number, to: number): void;
  /** Rows `start` to `end` fold, minus rows already kept or folded, if still worth a marker. */
  fold(start: number, end: number): void;
}

/** A span builder; `worth` says whether rows `start`..`end` are worth a marker. */
export function createSpanBuilder(worth: (start: number, end: number) => boolean): SpanBuilder {
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
    fold(start, end) {
      const previous = spans.length > 0 ? spans[spans.length - 1]!.end : -1;
      const from = Math.max(start, keptUpTo + 1, previous + 1);
      if (end < from || !worth(from, end)) return;
      spans.push({ start: from, end });
    },
  };
}

/** What an outline needs besides the tree. */
export interface OutlineInput {
  text: string;
  lines: readonly string[];
  /** Offset of each row's first character in `text`. */
  lineStarts: ArrayLike<number>;
  spec: LanguageSpec;
  /** Identifiers the query names: definitions with these names stay open. */
  queryNames: ReadonlySet<string>;
  worth: (start: number, end: number) => boolean;
}

type Role = 'function' | 'class' | 'declaration' | 'import' | 'wrapper' | 'comment' | 'other';

// Fields that hold a definition's name, most telling first; `declarator` chains lead to C names.
const NAME_FIELDS = ['name', 'declarator', 'left', 'property', 'attribute', 'key', 'pattern', 'method', 'type'];
// Nodes that give an anonymous function its name: `const f = () => {}`, `f: function () {}`.
const NAME_HOLDERS = new Set([
  'variable_declarator', 'pair', 'assignment_expression', 'assignment', 'public_field_definition', 'field_definition',
  'property_declaration', 'short_var_declaration', 'let_declaration', 'init_declarator', 'const_spec', 'var_spec',
]);
// A row that only closes what the lines above opened: `}`, `});`, `end`, `#endif`.
const CLOSER_ROW = /^\s*([}\])]|end\b|#\s*endif\b)/;
// Callbacks opened as containers need this many definitions among their statements, and this share.
const CONTAINER_MIN_DEFINITIONS = 2;
const CONTAINER_MIN_SHARE = 0.25;

/**
 * The rows of a parsed file to fold, sorted and disjoint.
 *
 * @example
 * const spans = outlineTree(tree.rootNode, { text, lines, lineStarts, spec, queryNames, worth });
 */
export function outlineTree(root: Node, input: OutlineInput): FoldSpan[] {
  const { text, lines, lineStarts, spec, queryNames } = input;
  const builder = createSpanBuilder(input.worth);
  const { keep, fold } = builder;

  // Where every definition starts, to answer "does this statement hold one?" by binary search.
  const definitionStarts = root
    .descendantsOfType([...spec.functions, ...spec.classes])
    .map((node) => node.startIndex)
    .sort((a, b) => a - b);

  const containsDefinition = (node: Node): boolean => {
    let low = 0;
    let high = definitionStarts.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (definitionStarts[middle]! < node.startIndex) low = middle + 1;
      else high = middle;
    }
    return low < definitionStarts.length && definitionStarts[low]! < node.endIndex;
  };

  const unwrap = (node: Node): Node => {
    let current = node;
    while (spec.transparent.has(current.type) && current.namedChildCount === 1) current = current.namedChild(0)!;
    return current;
  };

  const roleOf = (node: Node): Role => {
    const type = node.type;
    if (spec.comments.has(type)) return 'comment';
    if (spec.functions.has(type)) return 'function';
    if (spec.classes.has(type)) return classBody(node) ? 'class' : 'declaration';
    if (spec.imports.has(type)) return 'import';
    if (spec.declarations.has(type)) return 'declaration';
    if (spec.wrappers.has(type)) return 'wrapper';
    // A string alone as a statement is a docstring (or `'use strict'`): read like a comment.
    if (type === 'string' || type === 'concatenated_string') return 'comment';
    return 'other';
  };

  const classBody = (node: Node): Node | undefined => {
    if (spec.selfBodies.has(node.type)) return node;
    const body = node.childForFieldName('body');
    if (body) return body;
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const child = node.namedChild(i)!;
      if (/(declaration_list|_body)$/.test(child.type)) return child;
    }
    return undefined;
  };

  const lastRow = (node: Node): number => {
    const end = node.endPosition;
    return end.column === 0 && end.row > node.startPosition.row ? end.row - 1 : end.row;
  };

  const isCloserRow = (row: number): boolean => CLOSER_ROW.test(lines[row] ?? '');

  const beginsRow = (node: Node): boolean => {
    const row = node.startPosition.row;
    for (let index = lineStarts[row]!; index < node.startIndex; index++) {
      const c = text.charCodeAt(index);
      if (c !== 32 && c !== 9) return false;
    }
    return true;
  };

  // Whether only closing punctuation follows the node on its last row.
  const onlyClosersAfter = (node: Node): boolean => {
    const row = node.endPosition.row;
    const end = row + 1 < lineStarts.length ? lineStarts[row + 1]! : text.length;
    for (let index = node.endIndex; index < end; index++) {
      const c = text.charCodeAt(index);
      // space, tab, \r, \n, ) ; , ] }
      if (c !== 32 && c !== 9 && c !== 13 && c !== 10 && c !== 41 && c !== 59 && c !== 44 && c !== 93 && c !== 125) return false;
    }
    return true;
  };

  const nameOf = (node: Node, depth = 0): string | undefined => {
    if (depth > 6) return undefined;
    for (const field of NAME_FIELDS) {
      const child = node.childForFieldName(field);
      if (!child) continue;
      if (child.namedChildCount === 0) return child.endIndex - child.startIndex <= 200 ? child.text : undefined;
      return nameOf(child, depth + 1);
    }
    return undefined;
  };

  const namedByQuery = (node: Node): boolean => {
    if (queryNames.size === 0) return false;
    let name = nameOf(node);
    if (name === undefined && node.parent && NAME_HOLDERS.has(node.parent.type)) name = nameOf(node.parent);
    if (name === undefined) return false;
    const segments = name.split(/[^\w$]+/).filter(Boolean);
    return segments.length > 0 && queryNames.has(segments[segments.length - 1]!);
  };

  const keepWhole = (node: Node) => keep(node.startPosition.row, lastRow(node));

  // ---- items: the children of a file, a class body, an opened statement --------------------

  const outlineItems = (parent: Node): void => {
    const children: Node[] = [];
    const roles: Role[] = [];
    for (let i = 0; i < parent.namedChildCount; i++) {
      const child = parent.namedChild(i)!;
      const item = unwrap(child);
      children.push(item);
      roles.push(roleOf(item));
    }
    let run: Node[] = [];
    let comments: Node[] = [];
    const flushRun = () => {
      if (run.length === 0) return;
      const first = run[0]!.startPosition.row;
      keep(first, first);
      fold(first + 1, lastRow(run[run.length - 1]!));
      run = [];
    };
    const flushComments = () => {
      if (comments.length === 0) return;
      outlineComment(comments[0]!.startPosition.row, lastRow(comments[comments.length - 1]!));
      comments = [];
    };

    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      let role = roles[i]!;
      if (role === 'comment') {
        // Comments between plain statements go with them; comments before a definition are its doc.
        let next = i + 1;
        while (next < children.length && roles[next] === 'comment') next++;
        const nextRole = next < children.length ? roles[next]! : undefined;
        const joinsRun = run.length > 0 && (nextRole === undefined || (nextRole === 'other' && !containsDefinition(children[next]!)));
        if (joinsRun) run.push(child);
        else {
          const previous = comments[comments.length - 1];
          if (previous && child.startPosition.row > lastRow(previous) + 1) flushComments();
          comments.push(child);
        }
        continue;
      }
      flushComments();
      if (role === 'other') {
        if (!containsDefinition(child)) {
          run.push(child);
          continue;
        }
        role = 'wrapper';
      }
      flushRun();
      if (role === 'function') outlineFunction(child);
      else if (role === 'class') outlineClass(child);
      else if (role === 'declaration') outlineDeclaration(child);
      else if (role === 'import') keepWhole(child);
      else {
        keep(child.startPosition.row, child.startPosition.row);
        outlineItems(child);
      }
    }
    flushComments();
    flushRun();
  };

  // A comment block keeps its first line that says something (`/**` alone says nothing).
  const outlineComment = (first: number, last: number): void => {
    let textRow = first;
    while (textRow < Math.min(last, first + 2) && !/[A-Za-z0-9]/.test(lines[textRow]!)) textRow++;
    keep(first, textRow);
    fold(textRow + 1, last);
  };

  const outlineFunction = (node: Node): void => {
    const start = node.startPosition.row;
    const body = node.childForFieldName('body') ?? (node.type === 'static_initializer' ? node.lastNamedChild : null);
    if (!body || namedByQuery(node)) return keepWhole(node);
    if (isContainerCallback(node, body)) {
      keep(start, body.startPosition.row);
      outlineItems(body);
      if (isCloserRow(lastRow(node))) keep(lastRow(node), lastRow(node));
      return;
    }

    const bodyStart = body.startPosition.row;
    const bodyEnd = lastRow(body);
    const opensWithBrace = text.charCodeAt(body.startIndex) === 123; // '{'
    let from: number;
    let to: number;
    let keepClosingRow = false;
    if (beginsRow(body)) {
      // Python and Ruby blocks, Allman braces, expression bodies on their own lines: all of it folds.
      from = bodyStart;
      to = onlyClosersAfter(body) ? bodyEnd : bodyEnd - 1;
      keepClosingRow = to < bodyEnd;
    } else {
      // `f() {` on one row: the body's inside folds, a closing `}` alone on its row stays.
      from = bodyStart + 1;
      keepClosingRow = opensWithBrace && isCloserRow(bodyEnd);
      to = keepClosingRow ? bodyEnd - 1 : bodyEnd;
    }
    keep(start, from - 1);
    from = keepDocstring(body, from);
    fold(from, to);
    if (keepClosingRow) keep(bodyEnd, bodyEnd);
  };

  // A docstring opening a body keeps its first line of text; the fold starts after it.
  const keepDocstring = (body: Node, from: number): number => {
    const first = body.firstNamedChild;
    if (!first || first.startPosition.row !== from) return from;
    const item = unwrap(first);
    if (item.type !== 'string' && item.type !== 'concatenated_string') return from;
    let textRow = from;
    while (textRow < lastRow(item) && !/[A-Za-z0-9]/.test(lines[textRow]!)) textRow++;
    keep(from, textRow);
    return textRow + 1;
  };

  // An anonymous callback made of definitions is a container: `describe(...)`, an IIFE, `define(...)`.
  const isContainerCallback = (node: Node, body: Node): boolean => {
    if (node.childForFieldName('name') || (node.parent && NAME_HOLDERS.has(node.parent.type))) return false;
    let statements = 0;
    let definitions = 0;
    for (let i = 0; i < body.namedChildCount; i++) {
      const child = unwrap(body.namedChild(i)!);
      const role = roleOf(child);
      if (role === 'comment') continue;
      statements++;
      if (role === 'function' || role === 'class' || containsDefinition(child)) definitions++;
    }
    return definitions >= CONTAINER_MIN_DEFINITIONS && definitions >= statements * CONTAINER_MIN_SHARE;
  };

  const outlineClass = (node: Node): void => {
    const body = classBody(node)!;
    if (namedByQuery(node)) return keepWhole(node);
    const start = node.startPosition.row;
    const headerEnd = body === node
      ? start
      : beginsRow(body) && text.charCodeAt(body.startIndex) !== 123 ? body.startPosition.row - 1 : body.startPosition.row;
    keep(start, Math.max(start, headerEnd));
    outlineItems(body);
    const last = lastRow(node);
    if (last > start && isCloserRow(last)) keep(last, last);
  };

  const outlineDeclaration = (node: Node): void => {
    const start = node.startPosition.row;
    if (namedByQuery(node)) return keepWhole(node);
    if (containsDefinition(node) || hasDeclarationChild(node)) {
      keep(start, start);
      outlineItems(node);
      return;
    }
    const last = lastRow(node);
    const headEnd = headEndRow(node);
    keep(start, headEnd);
    if (last <= headEnd) return;
    const closing = isCloserRow(last);
    fold(headEnd + 1, closing ? last - 1 : last);
    if (closing) keep(last, last);
  };

  const hasDeclarationChild = (node: Node): boolean => {
    for (let i = 0; i < node.namedChildCount; i++) {
      if (spec.declarations.has(unwrap(node.namedChild(i)!).type)) return true;
    }
    return false;
  };

  // The last row of a declaration's name (a C prototype's whole declarator), where its value begins.
  const headEndRow = (node: Node): number => {
    for (const field of NAME_FIELDS) {
      const child = node.childForFieldName(field);
      if (child) return lastRow(child);
    }
    return node.startPosition.row;
  };

  outlineItems(root);
  return builder.spans;
}

/**
 * How much of a parsed file is syntax errors, 0 to 1: the share of its characters inside
 * outermost ERROR nodes. A file far from its grammar outlines better by indentation.
 */
export function errorShare(root: Node, length: number): number {
  if (!root.hasError || length === 0) return 0;
  let covered = 0;
  let coveredUpTo = -1;
  for (const error of root.descendantsOfType('ERROR')) {
    if (error.startIndex < coveredUpTo) continue; // inside an error already counted
    covered += error.endIndex - error.startIndex;
    coveredUpTo = error.endIndex;
  }
  return covered / length;
}
