import type { Node } from 'web-tree-sitter';
import { createRows, foldBody, outlineComment, type Pass, type Rows } from './heads.ts';
import type { LanguageSpec } from './languages.ts';
import { NAME_HOLDERS } from './names.ts';
import { fitsOneGroup, groupRun, isPrivateMember } from './groups.ts';
import { createSpanBuilder, type FoldSpan } from './spans.ts';
import { findNames, type Role, type SyntaxIndex } from './syntax.ts';

/*
 * A syntax tree turned into the rows to fold: what an outline of a source file hides.
 *
 * Every declaration stays visible by name, at every depth: classes, interfaces, structs, impls,
 * modules and namespaces are opened, never folded whole, so that their members are outlined in
 * turn, nested as they are in the file; so are statements that hold definitions (`module.exports =
 * { ... }`, `if TYPE_CHECKING:`), functions that hold a local class, and functions that are really
 * containers: anonymous callbacks made of definitions (`describe(() => { it(...) })`, an IIFE), a
 * function wrapping most of the file, or one holding what the query names. At level 0 only these
 * fold: the inside of each function's body on its own (signature, decorators and closing brace
 * stay), the rest of a doc comment after its first line, the tail of a declaration whose value
 * runs over many rows (`const TABLE = {` stays), and runs of plain statements (their first row
 * stays). What the query names, or a `file:line` of the query points into, stays open whole.
 *
 * A tight budget asks for a coarser level, each keeping what the one before kept minus:
 *   1. doc lines: comments and docstrings fold whole, and a body's closing row folds with it, so
 *      that the folds of one member after another merge into one marker each;
 *   2. signatures: a head over one row keeps only the row with its name, and the marker says how
 *      many parameters it takes; a declaration keeps only its name's row;
 *   3. private members: a run of them folds into one marker that lists their names (groups.ts).
 * Level 3 is the floor: every public name stays on its row. Data files (YAML, TOML) keep their
 * keys and nesting, with values folded by size, and from level 1 fold mappings nested deeper than
 * 3, 2, then 1 levels. What one definition keeps of its head and doc at each level: heads.ts.
 *
 * The walk goes in document order and proposes spans of rows (spans.ts). Only nodes outside
 * folded bodies are visited, so the cost follows the outline, not the file; what the tree says
 * about a node is read once per tree for all levels and queries (syntax.ts).
 */

/** What an outline needs besides the tree. */
export interface OutlineInput {
  text: string;
  lines: readonly string[];
  /** Offset of each row's first character in `text`. */
  lineStarts: ArrayLike<number>;
  /** Identifiers the query names: definitions with these names stay open. */
  queryNames: ReadonlySet<string>;
  /** Rows (0-based) the query points at (`app.py:120`): the functions holding them stay open. */
  queryRows?: ReadonlySet<number>;
  worth: (start: number, end: number) => boolean;
}

/** How coarse one outline of a tree is: 0 (most detail) to `MAX_OUTLINE_LEVEL`. */
export interface OutlineOptions {
  level?: number;
}

/** The coarsest outline level: the floor. */
export const MAX_OUTLINE_LEVEL = 3;

/** What each level gives up, for the marker that reports it. */
export const OUTLINE_LEVEL_NAMES = ['full', 'doc lines folded', 'signatures as names with arity', 'private members grouped'];

// Callbacks opened as containers need this many definitions among their statements, and this share.
const CONTAINER_MIN_DEFINITIONS = 2;
const CONTAINER_MIN_SHARE = 0.25;
// A function whose body spans this share of the file is the file's real top level.
const MODULE_WRAPPER_SHARE = 0.5;
// A declaration holds named definitions if one of its first this many does.
const NAMED_SCAN_DEFINITIONS = 64;
// Opened items nested deeper than this fold whole: keeps the recursion far from the stack's limit.
const MAX_NESTING = 200;
// Types that appear inside signatures as often as on their own (`type T = { ... }`): read as interfaces.
const INLINE_TYPES = new Set(['object_type']);
// Data files: from level 1, mappings nested this deep or deeper fold (index: level).
const DATA_FOLD_DEPTH = [Infinity, 3, 2, 1];

/** Where a list of items sits. */
interface Scope {
  /** Types and classes around the items (namespaces do not count). */
  depth: number;
  /** The items are members of a private class: all of them group at level 3. */
  inPrivate: boolean;
  /** The items are the statements of a function opened for what it holds (a local class). */
  inBody: boolean;
}

/**
 * An outliner for a parsed file: each call gives the rows to fold (sorted and disjoint) at one
 * level of detail. What the tree says is read through `index`, once for all calls.
 *
 * @example
 * const index = createSyntaxIndex(tree.rootNode, text, languageSpec('python'));
 * const outline = createOutliner(index, { text, lines, lineStarts, queryNames, worth });
 * const spans = outline({ level: 1 });
 */
export function createOutliner(index: SyntaxIndex, input: OutlineInput): (options?: OutlineOptions) => FoldSpan[] {
  const { text, lines, lineStarts, queryNames } = input;
  const spec: LanguageSpec = index.spec;
  const queryRows = input.queryRows ?? new Set<number>();
  const named = findNames(text, queryNames);
  const rows: Rows = createRows(text, lines, lineStarts, index);
  const blank = (row: number) => (lines[row] ?? '').trim() === '';
  // Set by each call.
  const pass: Pass = { level: 0, builder: createSpanBuilder({ worth: input.worth }) };
  const keep = (from: number, to: number) => pass.builder.keep(from, to);
  const fold = (start: number, end: number, summary?: string) => pass.builder.fold(start, end, summary);
  const keepWhole = (node: Node) => keep(node.startPosition.row, index.lastRow(node));

  const namedByQuery = (node: Node): boolean => {
    if (queryNames.size === 0) return false;
    const name = index.name(node);
    return name !== undefined && queryNames.has(name);
  };
  const holdsQueryRow = (node: Node): boolean => {
    if (queryRows.size === 0) return false;
    for (const row of queryRows) if (row >= node.startPosition.row && row <= node.endPosition.row) return true;
    return false;
  };
  const holdsNamed = (node: Node): boolean => index.holdsNamed(node, named);
  const containsDefinition = (node: Node): boolean => index.firstDefinitionIn(node) !== undefined;

  // ---- items: the children of a file, a class body, an opened statement --------------------

  // Past `MAX_NESTING` opened items (adversarial nesting), the rest folds instead of recursing.
  let nesting = 0;
  const outlineItems = (parent: Node, scope: Scope): void => {
    if (nesting >= MAX_NESTING) {
      keep(parent.startPosition.row, parent.startPosition.row);
      fold(parent.startPosition.row + 1, index.lastRow(parent));
      return;
    }
    nesting++;
    try {
      outlineChildren(parent, scope);
    } finally {
      nesting--;
    }
  };

  const outlineChildren = (parent: Node, scope: Scope): void => {
    const { children, roles } = index.items(parent);
    index.prepareItems(parent);
    let run: Node[] = [];
    let comments: Node[] = [];
    let privateRun: Node[] = [];
    const flushRun = () => {
      if (run.length === 0) return;
      const first = run[0]!.startPosition.row;
      keep(first, first);
      fold(first + 1, index.lastRow(run[run.length - 1]!));
      run = [];
    };
    const flushComments = () => {
      if (comments.length === 0) return;
      outlineComment(pass, rows, comments[0]!.startPosition.row, index.lastRow(comments[comments.length - 1]!));
      comments = [];
    };
    const flushPrivate = () => {
      if (privateRun.length === 0) return;
      groupRun(pass, index, privateRun);
      privateRun = [];
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
          const single = index.lastRow(child) === child.startPosition.row;
          if (previous && (!single || index.lastRow(previous) !== previous.startPosition.row || child.startPosition.row > index.lastRow(previous) + 1)) {
            flushComments();
          }
          comments.push(child);
        }
        continue;
      }
      // In a function opened for what it holds, statements are not declarations: they fold in runs.
      if (scope.inBody && role === 'declaration' && !containsDefinition(child)) role = 'other';
      if (pass.level >= 3 && role !== 'import' && role !== 'other' && !spec.data && groupsAsPrivate(child, scope.inPrivate)) {
        flushRun();
        if (!fitsOneGroup(index, child)) {
          // Too many names for one marker: a class (or a template of one) opens, and its members
          // are grouped in turn.
          flushPrivate();
          flushComments();
          outlineItem(child, role, { ...scope, inPrivate: true });
          continue;
        }
        // Its doc comment goes with it.
        privateRun.push(...comments);
        comments = [];
        privateRun.push(child);
        continue;
      }
      flushPrivate();
      flushComments();
      if (role === 'other') {
        if (!containsDefinition(child)) {
          run.push(child);
          continue;
        }
        role = 'wrapper';
      }
      flushRun();
      outlineItem(child, role, scope);
    }
    flushPrivate();
    flushComments();
    flushRun();
  };

  const outlineItem = (node: Node, role: Role, scope: Scope): void => {
    if (role === 'function') outlineFunction(node);
    else if (role === 'class') outlineClass(node, scope);
    else if (role === 'declaration') outlineDeclaration(node, scope);
    else if (role === 'import') keepWhole(node);
    else {
      keep(node.startPosition.row, node.startPosition.row);
      outlineItems(node, scope);
    }
  };

  // Members of a private class group whatever their own modifiers; namespaces never do.
  const groupsAsPrivate = (node: Node, inPrivate: boolean): boolean =>
    !namedByQuery(node) &&
    !holdsQueryRow(node) &&
    !holdsNamed(node) &&
    !spec.namespaces.has(index.type(node)) &&
    (inPrivate || isPrivateMember(index, node, text));

  const outlineFunction = (node: Node): void => {
    const body = index.functionBody(node);
    if (!body || namedByQuery(node) || holdsQueryRow(node)) return keepWhole(node);
    if (opensAsContainer(node, body)) {
      keep(node.startPosition.row, body.startPosition.row);
      outlineItems(body, { depth: 0, inPrivate: false, inBody: true });
      const last = index.lastRow(node);
      if (rows.isCloser(last)) keep(last, last);
      return;
    }
    foldBody(pass, rows, index, node, body);
  };

  // A function opens like a class when it is really a container: one holding a local class or a
  // definition the query names, an anonymous callback made of definitions (`describe(...)`, an
  // IIFE, `define(...)`), or a function wrapping most of the file (the module pattern). The cheap
  // tests come first: most functions are named, short and hold no class.
  const opensAsContainer = (node: Node, body: Node): boolean => {
    if (holdsNamed(body) || index.holdsClass(body)) return true;
    const anonymous = index.remember('anonymous', node, () => !node.childForFieldName('name') && !(node.parent && NAME_HOLDERS.has(index.type(node.parent))));
    const wrapsFile = index.lastRow(body) - body.startPosition.row >= lines.length * MODULE_WRAPPER_SHARE;
    if (!anonymous && !wrapsFile) return false;
    let statements = 0;
    let holdingDefinitions = 0;
    let namedDefinitions = 0;
    const { children, roles } = index.items(body);
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      const role = roles[i]!;
      if (role === 'comment') continue;
      statements++;
      const first = role === 'function' || role === 'class' ? child : index.firstDefinitionIn(child);
      if (!first) continue;
      holdingDefinitions++;
      // Named: `function f`, `class C`, `exports.f = function`; not a loop's callback or a Ruby block.
      if ((role === 'function' || role === 'class' || role === 'declaration') && index.name(first) !== undefined) namedDefinitions++;
    }
    if (anonymous && holdingDefinitions >= CONTAINER_MIN_DEFINITIONS && holdingDefinitions >= statements * CONTAINER_MIN_SHARE) return true;
    return namedDefinitions >= CONTAINER_MIN_DEFINITIONS && wrapsFile;
  };

  const outlineClass = (node: Node, scope: Scope): void => {
    const body = index.classBody(node)!;
    if (namedByQuery(node)) return keepWhole(node);
    if (spec.data && scope.depth >= DATA_FOLD_DEPTH[pass.level]! && !holdsNamed(body) && !holdsQueryRow(node)) {
      keep(node.startPosition.row, node.startPosition.row);
      return fold(node.startPosition.row + 1, index.lastRow(node));
    }
    const namespace = spec.namespaces.has(index.type(node));
    const start = node.startPosition.row;
    const headerEnd =
      body === node
        ? start
        : rows.beginsRow(body) && text.charCodeAt(body.startIndex) !== 123 ? body.startPosition.row - 1 : body.startPosition.row;
    keep(start, Math.max(start, headerEnd));
    outlineItems(body, { ...scope, depth: namespace ? scope.depth : scope.depth + 1, inBody: false });
    const last = index.lastRow(node);
    if (last > start && rows.isCloser(last)) keep(last, last);
  };

  const outlineDeclaration = (node: Node, scope: Scope): void => {
    const start = node.startPosition.row;
    if (namedByQuery(node)) return keepWhole(node);
    // From level 2, a value made of anonymous functions (`const X = make("x", (a) => { ... })`)
    // folds like data; one holding named definitions (`module.exports = { f() {} }`) stays open.
    const opens = containsDefinition(node) && (pass.level < 2 || holdsNamedDefinition(node));
    if (opens || hasDeclarationChild(node)) {
      keep(start, start);
      outlineItems(node, scope);
      return;
    }
    // `type Options = { ... }` reads like an interface.
    const value = index.remember('value', node, () => node.childForFieldName('value') ?? undefined);
    if (value && INLINE_TYPES.has(index.type(value))) {
      keep(start, value.startPosition.row);
      return outlineClass(value, scope);
    }
    const last = index.lastRow(node);
    const headEnd = headEndRow(node);
    keep(start, headEnd);
    if (last <= headEnd) return;
    const closing = rows.isCloser(last) && pass.level < 1;
    fold(headEnd + 1, closing ? last - 1 : last);
    if (closing) keep(last, last);
  };

  // Whether the first definitions inside `node` include a named one.
  const holdsNamedDefinition = (node: Node): boolean => {
    for (const definition of index.definitionsIn(node, NAMED_SCAN_DEFINITIONS)) {
      if (!spec.classes.has(index.type(definition)) && index.name(definition) === undefined) continue;
      // The holder's own name does not count: `const f = () => {}` is one anonymous function.
      const parent = definition.parent;
      if (parent?.startIndex !== node.startIndex || !NAME_HOLDERS.has(index.type(parent))) return true;
    }
    return false;
  };

  const hasDeclarationChild = (node: Node): boolean =>
    index.remember('declaration child', node, () => index.items(node).children.some((child) => spec.declarations.has(index.type(child))));

  // The last row of a declaration's name, where its value begins: at levels 0 and 1 a C prototype's
  // whole declarator (its parameters), from level 2 the row of the name itself.
  const headEndRow = (node: Node): number => {
    const name = index.nameNode(node);
    if (!name) return node.startPosition.row;
    return pass.level >= 2 ? nameLeafRow(name, 0) : index.lastRow(name);
  };

  const nameLeafRow = (node: Node, depth: number): number => {
    const inner = depth < 6 ? index.nameNode(node) : undefined;
    return inner ? nameLeafRow(inner, depth + 1) : index.lastRow(node);
  };

  return (options = {}) => {
    pass.level = Math.min(Math.max(options.level ?? 0, 0), MAX_OUTLINE_LEVEL);
    pass.builder = createSpanBuilder({ worth: input.worth, ...(pass.level >= 1 ? { merge: { blank } } : {}) });
    nesting = 0;
    outlineItems(index.root, { depth: 0, inPrivate: false, inBody: false });
    return pass.builder.spans;
  };
}
