import type { Node } from 'web-tree-sitter';
import type { LanguageSpec } from './languages.ts';

/*
 * A syntax tree turned into the rows to fold: what an outline of a source file hides.
 *
 * Everything stays visible unless folded, and at level 0 only these fold: the inside of a
 * function's body (its signature, decorators and closing brace stay), the rest of a doc comment
 * after its first line, the tail of a declaration whose value runs over many lines (`const TABLE =
 * {` stays), and runs of plain statements (their first line stays). Classes, namespaces, impls and
 * modules are opened instead, so that their members are outlined in turn, nested as they are in
 * the file; so are statements that hold definitions (`module.exports = { ... }`, `if
 * TYPE_CHECKING:`), and functions that are really containers: anonymous callbacks made of
 * definitions (`describe(() => { it(...) })`, an IIFE), a function wrapping most of the file, or one
 * holding what the query names. What the query names stays open whole.
 *
 * Higher levels trade detail for size when the budget asks: level 1 also folds the middle of
 * signatures over 6 rows and the bodies of types (interfaces, structs, enums: classes without
 * methods) nested in other types; level 2 folds every type's body, keeps of a declaration only
 * the rows up to its name (a C prototype's parameter list folds), and folds the value of a
 * declaration holding only anonymous functions (`const X = make("x", (a) => { ... })`). Past that, the caller may fold
 * whole classes (`foldClasses`, chosen from `classes`); namespaces always stay open. Top-level
 * names stay visible at every level.
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

/** How coarse one outline of a tree is. */
export interface OutlineOptions {
  /** 0 (most detail) to `MAX_OUTLINE_LEVEL` (least); see the header. Default 0. */
  level?: number;
  /** Classes (by `startIndex`, from `OutlineResult.classes`) whose whole body folds. */
  foldClasses?: ReadonlySet<number>;
}

/** The rows to fold, and the classes that could fold whole if the outline must shrink further. */
export interface OutlineResult {
  spans: FoldSpan[];
  /** Outermost classes shown open: `id` for `foldClasses`, and the rows their fold would cover. */
  classes: Array<{ id: number; start: number; end: number }>;
}

/** The coarsest outline level. */
export const MAX_OUTLINE_LEVEL = 2;

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
// A function whose body spans this share of the file is the file's real top level.
const MODULE_WRAPPER_SHARE = 0.5;
// From level 1, signatures over this many rows keep their name row and the row opening the body.
const LONG_SIGNATURE_ROWS = 6;
// What may follow a body on its last row for the row to fold with it: `});` and a few spaces.
const CLOSERS_SCAN_CHARS = 64;
// A declaration holds named definitions if one of its first this many does.
const NAMED_SCAN_DEFINITIONS = 64;
// Opened items nested deeper than this fold whole: keeps the recursion far from the stack's limit.
const MAX_NESTING = 200;
// Types that appear inside signatures as often as on their own: never searched for as definitions.
const INLINE_TYPES = new Set(['object_type']);

/**
 * An outliner for a parsed file: each call gives the rows to fold (sorted and disjoint) at one
 * level of detail. What does not depend on the level is read from the tree once, for all calls.
 *
 * @example
 * const outline = createOutliner(tree.rootNode, { text, lines, lineStarts, spec, queryNames, worth });
 * const { spans } = outline({ level: 1 });
 */
export function createOutliner(root: Node, input: OutlineInput): (options?: OutlineOptions) => OutlineResult {
  const { text, lines, lineStarts, spec, queryNames } = input;
  // Set by each call.
  let level = 0;
  let foldClasses: ReadonlySet<number> = new Set();
  let classes: OutlineResult['classes'] = [];
  let builder = createSpanBuilder(input.worth);
  const keep = (from: number, to: number) => builder.keep(from, to);
  const fold = (start: number, end: number) => builder.fold(start, end);

  // Where every definition starts, and every definition the query names, to answer "does this
  // statement hold one?" by binary search.
  const definitions = root
    .descendantsOfType([...spec.functions, ...spec.classes].filter((type) => !INLINE_TYPES.has(type)))
    .sort((a, b) => a.startIndex - b.startIndex);
  const definitionStarts = definitions.map((node) => node.startIndex);
  const namedStarts =
    queryNames.size === 0 ? [] : definitions.filter((node) => namedByQuery(node)).map((node) => node.startIndex);
  const containsDefinition = (node: Node): boolean => firstStartIn(definitionStarts, node) >= 0;
  const firstDefinitionIn = (node: Node): Node | undefined => definitions[firstStartIn(definitionStarts, node)];

  function namedByQuery(node: Node): boolean {
    if (queryNames.size === 0) return false;
    const name = definitionName(node);
    return name !== undefined && queryNames.has(name);
  }

  const unwrap = (node: Node): Node => {
    let current = node;
    while (spec.transparent.has(current.type) && current.namedChildCount === 1) current = current.firstNamedChild!;
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
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      if (/(declaration_list|_body)$/.test(children[i]!.type)) return children[i];
    }
    return undefined;
  };

  const lastRow = (node: Node): number => {
    const end = node.endPosition;
    return end.column === 0 && end.row > node.startPosition.row ? end.row - 1 : end.row;
  };

  const isCloserRow = (row: number): boolean => CLOSER_ROW.test(lines[row] ?? '');

  // Each row's indentation, measured on first use: a minified row holds thousands of nodes.
  const indents = new Int32Array(lines.length).fill(-1);
  const beginsRow = (node: Node): boolean => {
    const row = node.startPosition.row;
    if (indents[row]! < 0) {
      const line = lines[row]!;
      let width = 0;
      while (width < line.length && (line.charCodeAt(width) === 32 || line.charCodeAt(width) === 9)) width++;
      indents[row] = width;
    }
    return node.startIndex - lineStarts[row]! <= indents[row]!;
  };

  // Whether only closing punctuation follows the node on its last row (looked for in a bounded
  // stretch, so that a long row costs no more than a short one).
  const onlyClosersAfter = (node: Node): boolean => {
    const row = node.endPosition.row;
    const end = row + 1 < lineStarts.length ? lineStarts[row + 1]! : text.length;
    if (end - node.endIndex > CLOSERS_SCAN_CHARS) return false;
    for (let index = node.endIndex; index < end; index++) {
      const c = text.charCodeAt(index);
      // space, tab, \r, \n, ) ; , ] }
      if (c !== 32 && c !== 9 && c !== 13 && c !== 10 && c !== 41 && c !== 59 && c !== 44 && c !== 93 && c !== 125) return false;
    }
    return true;
  };

  const keepWhole = (node: Node) => keep(node.startPosition.row, lastRow(node));

  // ---- items: the children of a file, a class body, an opened statement --------------------

  // `depth` counts the types and classes around the items (namespaces do not count). Past
  // `MAX_NESTING` opened items (adversarial nesting), the rest folds instead of recursing.
  let nesting = 0;
  const outlineItems = (parent: Node, depth: number): void => {
    if (nesting >= MAX_NESTING) {
      keep(parent.startPosition.row, parent.startPosition.row);
      fold(parent.startPosition.row + 1, lastRow(parent));
      return;
    }
    nesting++;
    try {
      outlineChildren(parent, depth);
    } finally {
      nesting--;
    }
  };

  const outlineChildren = (parent: Node, depth: number): void => {
    const children = parent.namedChildren.map(unwrap);
    const roles = children.map(roleOf);
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
          flushRun();
          // Line comments in a row make one block; a block comment (`/** ... */`) is a block of its own.
          const previous = comments[comments.length - 1];
          const single = lastRow(child) === child.startPosition.row;
          if (previous && (!single || lastRow(previous) !== previous.startPosition.row || child.startPosition.row > lastRow(previous) + 1)) {
            flushComments();
          }
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
      else if (role === 'class') outlineClass(child, depth);
      else if (role === 'declaration') outlineDeclaration(child, depth);
      else if (role === 'import') keepWhole(child);
      else {
        keep(child.startPosition.row, child.startPosition.row);
        outlineItems(child, depth);
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
    const body = node.childForFieldName('body') ?? (node.type === 'static_initializer' ? node.lastNamedChild : null);
    if (!body || namedByQuery(node)) return keepWhole(node);
    if (opensAsContainer(node, body)) {
      keep(node.startPosition.row, body.startPosition.row);
      outlineItems(body, 0);
      if (isCloserRow(lastRow(node))) keep(lastRow(node), lastRow(node));
      return;
    }
    foldBody(node, body);
  };

  // Keeps a definition's head (signature, class header) and folds its body's inside, after the
  // first line of a docstring that opens it.
  const foldBody = (node: Node, body: Node): void => {
    const inside = bodyInside(body);
    keepHead(node, node.startPosition.row, inside.from - 1);
    fold(keepDocstring(body, inside.from), inside.to);
    if (inside.to < lastRow(body)) keep(lastRow(body), lastRow(body));
  };

  // The rows of a body that fold: all of it when it begins its row (Python and Ruby blocks, Allman
  // braces, expression bodies on their own lines); after `f() {`, the inside, without a closing
  // `}` alone on its row. A row that goes on after the body stays.
  const bodyInside = (body: Node): { from: number; to: number } => {
    const bodyStart = body.startPosition.row;
    const bodyEnd = lastRow(body);
    if (beginsRow(body)) return { from: bodyStart, to: onlyClosersAfter(body) ? bodyEnd : bodyEnd - 1 };
    const closing = text.charCodeAt(body.startIndex) === 123 && isCloserRow(bodyEnd); // '{'
    return { from: bodyStart + 1, to: closing ? bodyEnd - 1 : bodyEnd };
  };

  // A head over `LONG_SIGNATURE_ROWS` rows keeps, from level 1, its rows up to the name and its last row.
  const keepHead = (node: Node, start: number, end: number): void => {
    if (level < 1 || end - start + 1 <= LONG_SIGNATURE_ROWS) return keep(start, Math.max(start, end));
    const name = node.childForFieldName('name') ?? node.childForFieldName('declarator');
    const nameEnd = name ? Math.min(lastRow(name), end) : start;
    keep(start, nameEnd);
    fold(nameEnd + 1, end - 1);
    keep(end, end);
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

  // A function opens like a class when it is really a container: an anonymous callback made of
  // definitions (`describe(...)`, an IIFE, `define(...)`), a function wrapping most of the file (the
  // module pattern), or one holding a definition the query names.
  const opensAsContainer = (node: Node, body: Node): boolean => {
    if (firstStartIn(namedStarts, body) >= 0) return true;
    let statements = 0;
    let holdingDefinitions = 0;
    let namedDefinitions = 0;
    for (const statement of body.namedChildren) {
      const child = unwrap(statement);
      const role = roleOf(child);
      if (role === 'comment') continue;
      statements++;
      const first = role === 'function' || role === 'class' ? child : firstDefinitionIn(child);
      if (!first) continue;
      holdingDefinitions++;
      // Named: `function f`, `class C`, `exports.f = function`; not a loop's callback or a Ruby block.
      if ((role === 'function' || role === 'class' || role === 'declaration') && definitionName(first) !== undefined) namedDefinitions++;
    }
    const anonymous = !node.childForFieldName('name') && !(node.parent && NAME_HOLDERS.has(node.parent.type));
    if (anonymous && holdingDefinitions >= CONTAINER_MIN_DEFINITIONS && holdingDefinitions >= statements * CONTAINER_MIN_SHARE) return true;
    return namedDefinitions >= CONTAINER_MIN_DEFINITIONS && lastRow(body) - body.startPosition.row >= lines.length * MODULE_WRAPPER_SHARE;
  };

  const outlineClass = (node: Node, depth: number): void => {
    const body = classBody(node)!;
    if (namedByQuery(node)) return keepWhole(node);
    const namespace = spec.namespaces.has(node.type);
    if (!namespace && body !== node && firstStartIn(namedStarts, body) < 0) {
      const typeOnly = !body.namedChildren.some((member) => roleOf(unwrap(member)) === 'function');
      if (foldClasses.has(node.startIndex) || (typeOnly && (level >= 2 || (level >= 1 && depth >= 1)))) return foldBody(node, body);
      if (depth === 0) classes.push({ id: node.startIndex, ...spanOf(bodyInside(body)) });
    }
    const start = node.startPosition.row;
    const headerEnd = body === node
      ? start
      : beginsRow(body) && text.charCodeAt(body.startIndex) !== 123 ? body.startPosition.row - 1 : body.startPosition.row;
    keep(start, Math.max(start, headerEnd));
    outlineItems(body, namespace ? depth : depth + 1);
    const last = lastRow(node);
    if (last > start && isCloserRow(last)) keep(last, last);
  };

  const outlineDeclaration = (node: Node, depth: number): void => {
    const start = node.startPosition.row;
    if (namedByQuery(node)) return keepWhole(node);
    // From level 2, a value made of anonymous functions (`const X = make("x", (a) => { ... })`)
    // folds like data; one holding named definitions (`module.exports = { f() {} }`) stays open.
    const opens = containsDefinition(node) && (level < 2 || holdsNamedDefinition(node));
    if (opens || hasDeclarationChild(node)) {
      keep(start, start);
      outlineItems(node, depth);
      return;
    }
    // `type Options = { ... }` reads like an interface.
    const value = node.childForFieldName('value');
    if (value && INLINE_TYPES.has(value.type)) {
      keep(start, value.startPosition.row);
      return outlineClass(value, depth);
    }
    const last = lastRow(node);
    const headEnd = headEndRow(node);
    keep(start, headEnd);
    if (last <= headEnd) return;
    const closing = isCloserRow(last);
    fold(headEnd + 1, closing ? last - 1 : last);
    if (closing) keep(last, last);
  };

  // Whether the first definitions inside `node` include a named one; names are read once per tree.
  const named = new Int8Array(definitions.length); // 0 unknown, 1 named, 2 anonymous
  const holdsNamedDefinition = (node: Node): boolean => {
    const first = firstStartIn(definitionStarts, node);
    if (first < 0) return false;
    for (let index = first; index < Math.min(definitions.length, first + NAMED_SCAN_DEFINITIONS); index++) {
      const definition = definitions[index]!;
      if (definition.startIndex >= node.endIndex) break;
      if (named[index] === 0) named[index] = spec.classes.has(definition.type) || definitionName(definition) !== undefined ? 1 : 2;
      if (named[index] !== 1) continue;
      // The holder's own name does not count: `const f = () => {}` is one anonymous function.
      const parent = definition.parent;
      if (parent?.startIndex !== node.startIndex || !NAME_HOLDERS.has(parent.type)) return true;
    }
    return false;
  };

  const hasDeclarationChild = (node: Node): boolean =>
    node.namedChildren.some((child) => spec.declarations.has(unwrap(child).type));

  // The last row of a declaration's name, where its value begins: at levels 0 and 1 a C prototype's
  // whole declarator (its parameters), from level 2 the row of the name itself.
  const headEndRow = (node: Node): number => {
    for (const field of NAME_FIELDS) {
      const child = node.childForFieldName(field);
      if (child) return level >= 2 ? nameLeafRow(child, 0) : lastRow(child);
    }
    return node.startPosition.row;
  };

  const nameLeafRow = (node: Node, depth: number): number => {
    if (depth < 6) {
      for (const field of NAME_FIELDS) {
        const child = node.childForFieldName(field);
        if (child) return nameLeafRow(child, depth + 1);
      }
    }
    return lastRow(node);
  };

  const spanOf = ({ from, to }: { from: number; to: number }) => ({ start: from, end: to });

  return (options = {}) => {
    level = options.level ?? 0;
    foldClasses = options.foldClasses ?? new Set();
    classes = [];
    builder = createSpanBuilder(input.worth);
    nesting = 0;
    outlineItems(root, 0);
    return { spans: builder.spans, classes };
  };
}

/**
 * The name a definition or declaration is known by (its last segment: `bar` for `Foo::bar`), from
 * its own name fields or, for an anonymous function, from what holds it (`const f = () => {}`).
 */
export function definitionName(node: Node): string | undefined {
  let name = nameOf(node, 0);
  if (name === undefined && node.parent && NAME_HOLDERS.has(node.parent.type)) name = nameOf(node.parent, 0);
  if (name === undefined) return undefined;
  const segments = name.split(/[^\w$]+/).filter(Boolean);
  return segments.length > 0 ? segments[segments.length - 1] : undefined;
}

function nameOf(node: Node, depth: number): string | undefined {
  if (depth > 6) return undefined;
  for (const field of NAME_FIELDS) {
    const child = node.childForFieldName(field);
    if (!child) continue;
    if (child.namedChildCount === 0) return child.endIndex - child.startIndex <= 200 ? child.text : undefined;
    return nameOf(child, depth + 1);
  }
  return undefined;
}

// The index of the first of the sorted offsets `starts` inside `node`, or -1.
function firstStartIn(starts: readonly number[], node: Node): number {
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (starts[middle]! < node.startIndex) low = middle + 1;
    else high = middle;
  }
  return low < starts.length && starts[low]! < node.endIndex ? low : -1;
}

/**
 * How much of a parsed file is syntax errors, 0 to 1: the share of its characters inside
 * outermost ERROR nodes. A file far from its grammar outlines better by indentation.
 */
export function errorShare(root: Node, length: number): number {
  if (!root.hasError || length === 0) return 0;
  if (root.type === 'ERROR') return 1;
  let covered = 0;
  let coveredUpTo = -1;
  for (const error of root.descendantsOfType('ERROR')) {
    if (error.startIndex < coveredUpTo) continue; // inside an error already counted
    covered += error.endIndex - error.startIndex;
    coveredUpTo = error.endIndex;
  }
  return covered / length;
}
