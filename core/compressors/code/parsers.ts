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
 * The runtime is imported on first use, so that programs which never compress code never pay for it.
 */

// Each grammar's package and WebAssembly file (the packages' native builds are not used).
const GRAMMARS: Record<CodeLanguage, { packageName: string; file: string }> = {
  typescript: { packageName: 'tree-sitter-typescript', file: 'tree-sitter-typescript.wasm' },
  tsx: { packageName: 'tree-sitter-typescript', file: 'tree-sitter-tsx.wasm' },
  javascript: { packageName: 'tree-sitter-javascript', file: 'tree-sitter-javascript.wasm' },
  python: { packageName: 'tree-sitter-python', file: 'tree-sitter-python.wasm' },
  go: { packageName: 'tree-sitter-go', file: 'tree-sitter-go.wasm' },
  rust: { packageName: 'tree-sitter-rust', file: 'tree-sitter-rust.wasm' },
  java: { packageName: 'tree-sitter-java', file: 'tree-sitter-java.wasm' },
  c: { packageName: 'tree-sitter-c', file: 'tree-sitter-c.wasm' },
  cpp: { packageName: 'tree-sitter-cpp', file: 'tree-sitter-cpp.wasm' },
  csharp: { packageName: 'tree-sitter-c-sharp', file: 'tree-sitter-c_sharp.wasm' },
  ruby: { packageName: 'tree-sitter-ruby', file: 'tree-sitter-ruby.wasm' },
  php: { packageName: 'tree-sitter-php', file: 'tree-sitter-php.wasm' },
};

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
  const treeSitter = await startRuntime();
  if (!treeSitter) throw failures.get(language) ?? new Error('web-tree-sitter did not start');
  const { packageName, file } = GRAMMARS[language];
  const require = createRequire(import.meta.url);
  const path = join(dirname(require.resolve(`${packageName}/package.json`)), file);
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
