/*
 * C and C++ macros that a grammar cannot know, blanked out before parsing.
 *
 * Real headers are full of macros that expand to attributes or nothing: `_GLIBCXX_NOEXCEPT`,
 * `_GLIBCXX20_CONSTEXPR`, `_GLIBCXX_BEGIN_NAMESPACE_VERSION`, `TORCH_API`, `__THROW`,
 * `Q_OBJECT`. Tree-sitter parses the file as written, without a preprocessor, so each of them
 * breaks the declaration around it: `namespace std _GLIBCXX_VISIBILITY(default) {` made a whole
 * libstdc++ header one ERROR node, and the outline then fell back to indentation and folded the
 * namespace whole (1,517 rows of stl_bvector.h behind one marker); `class TORCH_API Tensor` names
 * the class `TORCH_API`.
 *
 * So, for the parse only, such a macro (with its arguments) is replaced by spaces: the text keeps
 * its length and its line breaks, every offset and row stays where it was, and the outline shows
 * the file's own rows. A word is taken for such a macro when it is written like one (capitals,
 * digits and underscores, with an underscore: `TORCH_API`, `_GLIBCXX20_CONSTEXPR`) and stands
 * where the language allows no identifier of its own:
 *   - alone on a row (with its arguments), between declarations: `_GLIBCXX_BEGIN_NAMESPACE_VERSION`;
 *   - before a declaration on its row, after nothing or a specifier: `static TORCH_API int f();`,
 *     `class TORCH_API Tensor`, `_GLIBCXX_NODISCARD _GLIBCXX20_CONSTEXPR bool`;
 *   - after a declarator, before what ends it: `operator bool() const _GLIBCXX_NOEXCEPT {`;
 *   - between a namespace's name and its brace: `namespace std _GLIBCXX_VISIBILITY(default)`.
 * and `__try` / `__catch(...)` wherever they stand. Values (`x = MAX_SIZE;`), enumerators, types
 * in parameter lists and every preprocessor line are left alone: a name the outline shows is
 * never blanked.
 */

// Written like a macro: `_X...` in capitals, or capitals with an underscore inside; or one of the
// exception-handling words that libstdc++ and MSVC write as macros or extensions (`__try {`,
// `__catch(...) {`): without them the blocks parse as plain blocks, which is all the outline needs.
const MACRO_WORD = /(?<![\w$])(?:_+[A-Z][A-Z0-9_]*|[A-Z][A-Z0-9]*_[A-Z0-9_]*|__try|__catch|__except|__finally|__leave)(?![\w$])/g;
const BLOCK_WORDS = new Set(['__try', '__catch', '__except', '__finally', '__leave']);
const MIN_MACRO_CHARS = 4;
// Words after which a macro may begin a declaration: specifiers, not types or `typedef`.
const SPECIFIERS = new Set([
  'static', 'inline', 'extern', 'virtual', 'explicit', 'friend', 'constexpr', 'consteval', 'constinit',
  'class', 'struct', 'union', 'enum', 'template', 'typename', 'public', 'private', 'protected',
  '__inline', '__inline__', '__extension__',
]);
// Words after which a macro ends a declarator: `f() const MACRO;`.
const DECLARATOR_ENDS = new Set(['const', 'override', 'final', 'noexcept', 'volatile']);
// After `)`, a macro ends a declarator unless the row is an expression: `x = (int) MAX_VALUE;`.
const IN_EXPRESSION = /=|\breturn\b|\bcase\b/;
const OPERATOR_NAME = /\boperator\s*[^\s(]*/g;
// What may follow a macro that ends a declarator: the end of the row, `;`, `{`, `= 0`, `:`, `->`, a comment.
const AFTER_DECLARATOR = /^\s*($|[;{=:]|->|\/\/|\/\*|override\b|final\b)/;
// A row holding a macro alone must not continue a list or an expression, nor be followed by one.
const CONTINUES_ROW = /[,(=\\|&+\-*/?:<]\s*$/;
const CONTINUED_BY = /^\s*[,)}{;:=]/;

/**
 * `text` with the attribute-like macros of C and C++ replaced by spaces (same length, same line
 * breaks), or `text` itself when there are none.
 *
 * @example
 * blankMacros('namespace std _GLIBCXX_VISIBILITY(default)\n{\n');
 * // 'namespace std                             \n{\n'
 */
export function blankMacros(text: string): string {
  const lines = text.split('\n');
  let changed = false;
  let continuation = false;
  for (let row = 0; row < lines.length; row++) {
    const line = lines[row]!;
    // Preprocessor lines, and the lines a trailing backslash joins to them, stay as written.
    const directive: boolean = continuation || /^\s*#/.test(line);
    continuation = directive && /\\\s*$/.test(line);
    if (directive || !line.includes('_')) continue;
    const blanked = blankLine(line, lines, row);
    if (blanked !== line) {
      lines[row] = blanked;
      changed = true;
    }
  }
  return changed ? lines.join('\n') : text;
}

function blankLine(line: string, lines: readonly string[], row: number): string {
  let result = line;
  // The end of the last macro blanked on this row: a macro after it may follow it.
  let blankedUpTo = -1;
  for (const match of line.matchAll(MACRO_WORD)) {
    const word = match[0];
    const start = match.index;
    if (word.length < MIN_MACRO_CHARS || /^_+$/.test(word)) continue;
    const end = start + word.length + argumentsLength(line, start + word.length);
    const before = line.slice(0, start);
    const after = line.slice(end);
    const previousWord = /([\w$]+)\s*$/.exec(before)?.[1];
    const previousChar = /(\S)\s*$/.exec(before)?.[1];
    const followsMacro = blankedUpTo >= 0 && before.slice(blankedUpTo).trim() === '';
    const alone = previousChar === undefined && after.trim() === '' && standsAlone(lines, row);
    const beginsDeclaration =
      /^\s+[A-Za-z_]/.test(after) &&
      (previousChar === undefined || followsMacro || previousChar === '>' || previousChar === '"' || (previousWord !== undefined && SPECIFIERS.has(previousWord)));
    const endsDeclarator =
      AFTER_DECLARATOR.test(after) &&
      ((previousChar === ')' && !IN_EXPRESSION.test(before.replace(OPERATOR_NAME, ''))) ||
        followsMacro ||
        (previousWord !== undefined && DECLARATOR_ENDS.has(previousWord)) ||
        previousChar === '&');
    const inNamespace = /^\s*(inline\s+)?namespace\s+[\w:]+\s*$/.test(before) && /^\s*(\{|$)/.test(after);
    if (!alone && !beginsDeclaration && !endsDeclarator && !inNamespace && !BLOCK_WORDS.has(word)) continue;
    result = result.slice(0, start) + ' '.repeat(end - start) + result.slice(end);
    blankedUpTo = end;
  }
  return result;
}

// The length of a balanced `( ... )` right after a macro's name on its row (spaces before it
// included), or 0: `_GLIBCXX_VISIBILITY(default)`, `__attribute__((x))`.
function argumentsLength(line: string, from: number): number {
  let at = from;
  while (at < line.length && (line[at] === ' ' || line[at] === '\t')) at++;
  if (line[at] !== '(') return 0;
  let depth = 0;
  for (let index = at; index < line.length; index++) {
    const c = line[index];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return index + 1 - from;
  }
  return 0; // unbalanced on its row: not taken for a macro's arguments
}

// A row holding only a macro is between declarations: the rows around do not continue into it
// (an enumerator list, arguments, an expression) nor does the next one open its body (`TEST(a, b)`
// followed by `{` is a function).
function standsAlone(lines: readonly string[], row: number): boolean {
  let previous = row - 1;
  while (previous >= 0 && lines[previous]!.trim() === '') previous--;
  if (previous >= 0 && CONTINUES_ROW.test(lines[previous]!.replace(/\/\/.*$/, ''))) return false;
  let next = row + 1;
  while (next < lines.length && lines[next]!.trim() === '') next++;
  return next >= lines.length || !CONTINUED_BY.test(lines[next]!);
}
