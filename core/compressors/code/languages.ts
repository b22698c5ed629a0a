/*
 * The languages with a tree-sitter grammar here, and what their syntax trees' node types mean for
 * an outline. Which language a file is in: detect.ts (re-exported here).
 *
 * Each language's node types are sorted into a few roles, which are all the outline needs to know:
 * functions (their bodies fold), classes (their members are outlined in turn; namespaces among
 * them never fold whole), declarations (their head stays visible: the name, the type), imports
 * (kept whole), wrappers (their children are items: `export`, decorators, `#ifdef`), comments, and
 * transparent nodes that stand for their only child (`expression_statement`). Grammars without
 * `name` and `body` fields (Kotlin's) say which node types hold names and bodies; each language
 * says which modifiers make a member private; YAML and TOML are data: mappings and tables are
 * read as classes whose members are keys, so their keys and nesting make the outline.
 */

// Detection lives apart; the router and older imports read it from here.
export { codeLanguages, detectLanguage, languageOfFileName } from './detect.ts';

/** A language with a tree-sitter grammar here. */
export type CodeLanguage =
  | 'typescript'
  | 'tsx'
  | 'javascript'
  | 'python'
  | 'go'
  | 'rust'
  | 'java'
  | 'c'
  | 'cpp'
  | 'csharp'
  | 'ruby'
  | 'php'
  | 'kotlin'
  | 'swift'
  | 'scala'
  | 'bash'
  | 'lua'
  | 'yaml'
  | 'toml';

export const CODE_LANGUAGES: readonly CodeLanguage[] = [
  'typescript', 'tsx', 'javascript', 'python', 'go', 'rust', 'java', 'c', 'cpp', 'csharp', 'ruby', 'php',
  'kotlin', 'swift', 'scala', 'bash', 'lua', 'yaml', 'toml',
];

/** How the outline reads one language's node types. */
export interface LanguageSpec {
  language: CodeLanguage;
  functions: ReadonlySet<string>;
  classes: ReadonlySet<string>;
  declarations: ReadonlySet<string>;
  imports: ReadonlySet<string>;
  wrappers: ReadonlySet<string>;
  comments: ReadonlySet<string>;
  transparent: ReadonlySet<string>;
  /** Class-like nodes whose members are their own children (Go `interface { ... }`). */
  selfBodies: ReadonlySet<string>;
  /** Class-like nodes that only group other definitions (namespaces, modules): never folded whole. */
  namespaces: ReadonlySet<string>;
  /** Node types that hold a name, for grammars without `name` fields (Kotlin): the first one names its parent. */
  names: ReadonlySet<string>;
  /** Node types of bodies, for grammars without `body` fields (Kotlin). */
  bodies: ReadonlySet<string>;
  /** Modifier words that make a member private: its name may be grouped under a tight budget. */
  privateWords: ReadonlySet<string>;
  /**
   * Words that begin a class-like definition (`class`, `struct`, `impl` ...): a function body
   * without any is not searched for local classes. None listed: every body is searched.
   */
  classWords: ReadonlySet<string>;
  /** Data files (YAML, TOML): keys are the outline, values fold by size, deeper levels first. */
  data: boolean;
  /**
   * What the text of any function or class of the language holds (`def` or `class` in Python, a
   * brace or `default` in C++): a node whose text has none holds no definition, and is not searched.
   */
  definitionHint?: RegExp;
}

type SpecWords = { [Key in Exclude<keyof LanguageSpec, 'language'>]?: string };

function spec(words: SpecWords): Omit<LanguageSpec, 'language'> {
  const set = (key: keyof SpecWords) => new Set((words[key] ?? '').split(/\s+/).filter(Boolean));
  return {
    functions: set('functions'),
    classes: set('classes'),
    declarations: set('declarations'),
    imports: set('imports'),
    wrappers: set('wrappers'),
    comments: set('comments'),
    transparent: set('transparent'),
    selfBodies: set('selfBodies'),
    namespaces: set('namespaces'),
    names: set('names'),
    bodies: set('bodies'),
    privateWords: set('privateWords'),
    classWords: set('classWords'),
    data: words.data === 'true',
  };
}

const JAVASCRIPT_WORDS = {
  functions:
    'function_declaration generator_function_declaration function_expression generator_function function arrow_function method_definition class_static_block',
  classes: 'class_declaration class abstract_class_declaration interface_declaration enum_declaration internal_module module object_type',
  namespaces: 'internal_module module',
  declarations:
    'lexical_declaration variable_declaration variable_declarator type_alias_declaration public_field_definition field_definition property_signature method_signature abstract_method_signature index_signature call_signature construct_signature function_signature enum_assignment assignment_expression decorator',
  imports: 'import_statement',
  wrappers: 'export_statement ambient_declaration',
  comments: 'comment html_comment',
  transparent: 'expression_statement',
  selfBodies: 'object_type',
  privateWords: 'private',
  classWords: 'class interface enum namespace module',
} satisfies SpecWords;

const C_WORDS = {
  functions: 'function_definition lambda_expression',
  classes: 'struct_specifier union_specifier enum_specifier class_specifier namespace_definition linkage_specification',
  namespaces: 'namespace_definition linkage_specification',
  declarations:
    'declaration init_declarator field_declaration enumerator type_definition preproc_def preproc_function_def access_specifier alias_declaration using_declaration friend_declaration static_assert_declaration concept_definition',
  imports: 'preproc_include',
  wrappers: 'preproc_if preproc_ifdef preproc_else preproc_elif preproc_elifdef template_declaration',
  comments: 'comment',
  transparent: 'expression_statement',
  privateWords: 'private',
  classWords: 'struct union enum class namespace extern',
} satisfies SpecWords;

const SPECS: Record<CodeLanguage, Omit<LanguageSpec, 'language'>> = {
  typescript: spec(JAVASCRIPT_WORDS),
  tsx: spec(JAVASCRIPT_WORDS),
  javascript: spec(JAVASCRIPT_WORDS),
  python: spec({
    functions: 'function_definition',
    classes: 'class_definition',
    declarations: 'assignment augmented_assignment type_alias_statement decorator',
    imports: 'import_statement import_from_statement future_import_statement',
    wrappers: 'decorated_definition',
    comments: 'comment',
    transparent: 'expression_statement',
    classWords: 'class',
  }),
  go: spec({
    functions: 'function_declaration method_declaration func_literal',
    classes: 'struct_type interface_type',
    declarations:
      'type_declaration type_spec type_alias const_declaration const_spec var_declaration var_spec var_spec_list field_declaration method_elem method_spec',
    imports: 'import_declaration package_clause',
    comments: 'comment',
    transparent: 'expression_statement',
    selfBodies: 'interface_type',
    classWords: 'struct interface',
  }),
  rust: spec({
    functions: 'function_item closure_expression',
    classes: 'struct_item enum_item union_item trait_item impl_item mod_item foreign_mod_item',
    namespaces: 'mod_item foreign_mod_item',
    declarations:
      'function_signature_item const_item static_item type_item let_declaration associated_type field_declaration enum_variant macro_definition attribute_item inner_attribute_item',
    imports: 'use_declaration extern_crate_declaration',
    comments: 'line_comment block_comment',
    transparent: 'expression_statement',
    classWords: 'struct enum union trait impl mod extern',
  }),
  java: spec({
    functions: 'method_declaration constructor_declaration compact_constructor_declaration lambda_expression static_initializer',
    classes: 'class_declaration interface_declaration enum_declaration record_declaration annotation_type_declaration',
    declarations: 'field_declaration constant_declaration enum_constant annotation_type_element_declaration',
    imports: 'import_declaration package_declaration module_declaration',
    wrappers: 'enum_body_declarations',
    comments: 'line_comment block_comment',
    transparent: 'expression_statement',
    privateWords: 'private',
    classWords: 'class interface enum record',
  }),
  c: spec(C_WORDS),
  cpp: spec(C_WORDS),
  csharp: spec({
    functions:
      'method_declaration constructor_declaration destructor_declaration operator_declaration conversion_operator_declaration local_function_statement accessor_declaration lambda_expression',
    classes:
      'class_declaration interface_declaration struct_declaration record_declaration enum_declaration namespace_declaration',
    namespaces: 'namespace_declaration',
    declarations:
      'field_declaration property_declaration event_field_declaration event_declaration enum_member_declaration delegate_declaration indexer_declaration',
    imports: 'using_directive extern_alias_directive',
    wrappers: 'file_scoped_namespace_declaration',
    comments: 'comment',
    transparent: 'expression_statement global_statement',
    privateWords: 'private',
    classWords: 'class interface struct record enum namespace',
  }),
  ruby: spec({
    functions: 'method singleton_method do_block block lambda',
    classes: 'class module singleton_class',
    namespaces: 'module',
    declarations: 'assignment call',
    comments: 'comment',
    classWords: 'class module',
  }),
  php: spec({
    functions: 'function_definition method_declaration anonymous_function arrow_function',
    classes: 'class_declaration interface_declaration trait_declaration enum_declaration namespace_definition',
    namespaces: 'namespace_definition',
    declarations: 'const_declaration property_declaration enum_case assignment_expression',
    imports: 'namespace_use_declaration php_tag include_expression include_once_expression require_expression require_once_expression',
    comments: 'comment',
    transparent: 'expression_statement',
    privateWords: 'private',
    classWords: 'class interface trait enum namespace',
  }),
  kotlin: spec({
    functions: 'function_declaration secondary_constructor anonymous_initializer getter setter',
    classes: 'class_declaration object_declaration companion_object',
    declarations: 'property_declaration type_alias enum_entry',
    imports: 'package_header import_list import_header',
    comments: 'line_comment multiline_comment comment',
    names: 'simple_identifier type_identifier variable_declaration',
    bodies: 'function_body class_body enum_class_body',
    privateWords: 'private',
    classWords: 'class object interface',
  }),
  swift: spec({
    functions: 'function_declaration init_declaration deinit_declaration subscript_declaration',
    classes: 'class_declaration protocol_declaration',
    declarations:
      'property_declaration typealias_declaration protocol_function_declaration protocol_property_declaration enum_entry associatedtype_declaration operator_declaration',
    imports: 'import_declaration',
    comments: 'comment multiline_comment',
    names: 'simple_identifier type_identifier pattern',
    privateWords: 'private fileprivate',
    classWords: 'class struct enum protocol extension actor',
  }),
  scala: spec({
    functions: 'function_definition',
    classes: 'class_definition object_definition trait_definition enum_definition',
    declarations: 'val_definition var_definition val_declaration var_declaration function_declaration type_definition enum_case_definitions given_definition',
    imports: 'package_clause import_declaration export_declaration',
    comments: 'comment block_comment',
    privateWords: 'private',
    classWords: 'class object trait enum',
  }),
  bash: spec({
    functions: 'function_definition',
    declarations: 'variable_assignment declaration_command',
    comments: 'comment',
  }),
  lua: spec({
    functions: 'function_declaration',
    declarations: 'variable_declaration assignment_statement',
    comments: 'comment',
  }),
  yaml: spec({
    classes: 'block_mapping_pair',
    declarations: 'block_sequence_item flow_pair',
    wrappers: 'stream document block_node block_mapping block_sequence',
    comments: 'comment',
    data: 'true',
  }),
  toml: spec({
    classes: 'table table_array_element',
    selfBodies: 'table table_array_element',
    declarations: 'pair',
    comments: 'comment',
    names: 'bare_key dotted_key quoted_key',
    data: 'true',
  }),
};

// Each function and class type of a language holds one of these in its text; a tree-sitter search
// for definitions (a call into WebAssembly per node) is skipped where none occurs. A hint must
// never miss: `Foo() = default;` is a C++ function, `abstract void f();` a Java method.
const DEFINITION_HINTS: Partial<Record<CodeLanguage, RegExp>> = {
  typescript: /=>|\{|\b(function|class|interface|enum|namespace|module)\b/,
  tsx: /=>|\{|\b(function|class|interface|enum|namespace|module)\b/,
  javascript: /=>|\{|\b(function|class|interface|enum|namespace|module)\b/,
  python: /\b(def|class)\b/,
  go: /\b(func|struct|interface)\b/,
  rust: /\||\b(fn|struct|enum|union|trait|impl|mod|extern)\b/,
  java: /\(|\{|->|\b(class|interface|enum|record)\b/,
  c: /\{|\b(struct|union|enum|class|namespace|extern|default|delete)\b/,
  cpp: /\{|\b(struct|union|enum|class|namespace|extern|default|delete)\b/,
  csharp: /\(|\{|=>|\b(get|set|init|add|remove|class|interface|struct|record|enum|namespace)\b/,
  ruby: /\{|->|\b(def|do|class|module|lambda)\b/,
  php: /\b(function|fn|class|interface|trait|enum|namespace)\b/i,
  kotlin: /\b(fun|constructor|init|get|set|class|object|interface)\b/,
  swift: /\b(func|init|deinit|subscript|class|struct|enum|protocol|extension|actor)\b/,
  scala: /\b(def|class|object|trait|enum)\b/,
  bash: /\bfunction\b|\(\s*\)/,
  lua: /\bfunction\b/,
};

/** The node-type roles of a language. */
export function languageSpec(language: CodeLanguage): LanguageSpec {
  const hint = DEFINITION_HINTS[language];
  return (SPEC_CACHE[language] ??= { language, ...SPECS[language], ...(hint ? { definitionHint: hint } : {}) });
}
const SPEC_CACHE: Partial<Record<CodeLanguage, LanguageSpec>> = {};
