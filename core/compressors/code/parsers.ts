import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { CODE_LANGUAGES, type CodeLanguage } from './languages.ts';

/*
 * Tree-sitter parsers, loaded once per process and reused.
 *
 * web-tree-sitter is WebAssembly: starting it and loading a grammar are asynchronous, while a
 * compressor is synchronous. So loading is its own step (`loadCodeParsers`, which `compress` awaits
 * through the code compressor's prepare hook), and the compressor only asks for a parser that is
 * already there (`loadedParser`). A grammar that fails to load is remembered as failed and never
 * tried again; the compressor then outlines by indentation instead. Nothing here throws.
 *
 * Where grammars come from (issue 13). Only prebuilt `.wasm` grammars are used, never the native
 * `tree-sitter-*` packages: those weigh 267 MB for 12 languages and run a compiler or a download in
 * the user's app. Candidates compared (December 2026, each grammar loaded with web-tree-sitter
 * 0.27 and a file of its language parsed):
 *
 *   package                        languages of ours        loads with 0.27   unpacked   upkeep
 *   tree-sitter-wasms 0.1.13       all 19                   none (old ABI)    50 MB      stale (cli 0.20)
 *   @repomix/tree-sitter-wasms     13: not Kotlin, Scala,   all, ABI 14-15    24 MB      current grammars
 *     0.1.17                         Bash, Lua, YAML, TOML                                (cli 0.26)
 *   @vscode/tree-sitter-wasm 0.3.1 12: not C, Kotlin, Swift, all, ABI 14-15    22 MB      VS Code's, current
 *                                    Scala, Lua, YAML, TOML
 *   @cursorless/tree-sitter-wasms  18: not TOML             all, ABI 13-14    45 MB      few users (cli 0.24)
 *     0.7.0
 *   per-language tree-sitter-*     each ships its .wasm     yes, ABI 14-15    1-76 MB    install script
 *                                  but Kotlin and Swift     (Kotlin 1.1.0 is  each       (node-gyp-build)
 *                                                           another grammar)
 *
 * No package ships a small set without an install script, so the tokenfold package carries a
 * chosen subset itself, in `grammars/` (copied from the packages above when it is packed, by
 * scripts/copy-grammars.ts, with their licences): the languages agents read most that cost under
 * 1.5 MB each (13 grammars, 8.9 MB together). The heavy grammars (C++ 3.4 MB, C# 5.8, Ruby 2.1, Swift 3.3,
 * Kotlin 4.0, Scala 3.6) come from a package the user adds: `npm i @repomix/tree-sitter-wasms`
 * (C++, C#, Ruby, Swift and the rest) or `npm i @cursorless/tree-sitter-wasms` (also Kotlin and
 * Scala). Lookup, first found: the package's own `grammars/`, then those packages, then a
 * per-language package that ships its `.wasm`. In this repository they are dev dependencies.
 *
 * The runtime is imported on first use, so that programs which never compress code never pay for it.
 */

// Each language's grammar file name: `tree-sitter-<name>.wasm`.
const GRAMMAR_NAMES: Record<CodeLanguage, string> = {
  typescript: 'typescript', tsx: 'tsx', javascript: 'javascript', python: 'python', go: 'go', rust: 'rust',
  java: 'java', c: 'c', cpp: 'cpp', csharp: 'c_sharp', ruby: 'ruby', php: 'php', kotlin: 'kotlin',
  swift: 'swift', scala: 'scala', bash: 'bash', lua: 'lua', yaml: 'yaml', toml: 'toml',
};

// Packages of prebuilt grammars, tried in this order, and the folder inside that holds them.
const GRAMMAR_PACKAGES: ReadonlyArray<{ packageName: string; folder: string }> = [
  { packageName: '@repomix/tree-sitter-wasms', folder: 'out' },
  { packageName: '@cursorless/tree-sitter-wasms', folder: 'out' },
];

type TreeSitter = typeof import('web-tree-sitter');

let runtime: Promise<TreeSitter | undefined> | undefined;
const loading = new Map<CodeLanguage, Promise<void>>();
const parsers = new Map<CodeLanguage, Parser>();
const failures = new Map<CodeLanguage, unknown>();

/**
 * Loads the tree-sitter parsers for `languages` (default: all), once per process. Resolves when
 * they are ready or have failed; never rejects. Concurrent calls share the same loading.
 *
 * @example
 * await loadCodeParsers(['python']);
 * const parser = loadedParser('python'); // a ready Parser, or undefined if the grammar failed
 */
export function loadCodeParsers(languages: readonly CodeLanguage[] = CODE_LANGUAGES): Promise<void> {
  return Promise.all(languages.map(loadOne)).then(() => undefined);
}

/** The parser for `language` if it is loaded, else `undefined` (never loads anything). */
export function loadedParser(language: CodeLanguage): Parser | undefined {
  return parsers.get(language);
}

/** Why a grammar failed to load, for diagnostics; `undefined` when it did not fail. */
export function parserFailure(language: CodeLanguage): unknown {
  return failures.get(language);
}

/**
 * The `.wasm` file this process would load for `language`, or `undefined` when none is installed.
 *
 * @example
 * grammarFile('kotlin'); // '/app/node_modules/@cursorless/tree-sitter-wasms/out/tree-sitter-kotlin.wasm'
 */
export function grammarFile(language: CodeLanguage): string | undefined {
  const file = `tree-sitter-${GRAMMAR_NAMES[language]}.wasm`;
  const require = createRequire(import.meta.url);
  const packageFolder = (name: string): string | undefined => {
    try {
      return dirname(require.resolve(`${name}/package.json`));
    } catch {
      return undefined;
    }
  };
  const candidates: Array<string | undefined> = [];
  const own = packageFolder('tokenfold');
  if (own) candidates.push(join(own, 'grammars', file));
  for (const { packageName, folder } of GRAMMAR_PACKAGES) {
    const root = packageFolder(packageName);
    if (root) candidates.push(join(root, folder, file));
  }
  const name = GRAMMAR_NAMES[language].replace('_', '-');
  for (const packageName of [`tree-sitter-${name}`, `@tree-sitter-grammars/tree-sitter-${name}`]) {
    const root = packageFolder(packageName);
    if (root) candidates.push(join(root, file));
  }
  return candidates.find((path) => path !== undefined && existsSync(path));
}

function loadOne(language: CodeLanguage): Promise<void> {
  let pending = loading.get(language);
  if (!pending) {
    pending = loadGrammar(language).then(
      (parser) => {
        if (parser) parsers.set(language, parser);
      },
      (error: unknown) => {
        failures.set(language, error);
      },
    );
    loading.set(language, pending);
  }
  return pending;
}

async function loadGrammar(language: CodeLanguage): Promise<Parser | undefined> {
  const path = grammarFile(language);
  if (!path) throw new Error(`no tree-sitter grammar installed for ${language}`);
  const treeSitter = await startRuntime();
  if (!treeSitter) throw new Error('web-tree-sitter did not start');
  const grammar = await treeSitter.Language.load(path);
  const parser = new treeSitter.Parser();
  parser.setLanguage(grammar);
  return parser;
}

function startRuntime(): Promise<TreeSitter | undefined> {
  runtime ??= import('web-tree-sitter').then(
    async (treeSitter) => {
      await treeSitter.Parser.init();
      return treeSitter;
    },
    () => undefined,
  );
  return runtime;
}
