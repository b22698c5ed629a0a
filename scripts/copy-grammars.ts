/*
 * Copies the tree-sitter grammars that the tokenfold package ships into `grammars/`, with a
 * NOTICE of where each comes from and its licence. Run when packing (the prebuilt `.wasm` files
 * come from dev dependencies; nothing is committed):
 *
 *   node scripts/copy-grammars.ts [target folder, default grammars]
 *
 * The set is the languages agents read most whose grammar costs under 1.5 MB (about 8.6 MB in
 * all); why, and how users add the others, is in core/compressors/code/parsers.ts and the README.
 */
import { copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CodeLanguage } from '../core/compressors/code/languages.ts';
import { grammarFile } from '../core/compressors/code/parsers.ts';

/** The grammars in the package, with the upstream project and licence of each. */
export const SHIPPED_GRAMMARS: ReadonlyArray<{ language: CodeLanguage; upstream: string; license: string }> = [
  { language: 'typescript', upstream: 'tree-sitter/tree-sitter-typescript 0.23', license: 'MIT' },
  { language: 'tsx', upstream: 'tree-sitter/tree-sitter-typescript 0.23', license: 'MIT' },
  { language: 'javascript', upstream: 'tree-sitter/tree-sitter-javascript 0.25', license: 'MIT' },
  { language: 'python', upstream: 'tree-sitter/tree-sitter-python 0.25', license: 'MIT' },
  { language: 'go', upstream: 'tree-sitter/tree-sitter-go 0.25', license: 'MIT' },
  { language: 'rust', upstream: 'tree-sitter/tree-sitter-rust 0.24', license: 'MIT' },
  { language: 'java', upstream: 'tree-sitter/tree-sitter-java 0.23', license: 'MIT' },
  { language: 'c', upstream: 'tree-sitter/tree-sitter-c 0.24', license: 'MIT' },
  { language: 'php', upstream: 'tree-sitter/tree-sitter-php 0.24', license: 'MIT' },
  { language: 'bash', upstream: 'tree-sitter/tree-sitter-bash', license: 'MIT' },
  { language: 'lua', upstream: 'tree-sitter-grammars/tree-sitter-lua', license: 'MIT' },
  { language: 'yaml', upstream: 'tree-sitter-grammars/tree-sitter-yaml', license: 'MIT' },
  { language: 'toml', upstream: 'tree-sitter-grammars/tree-sitter-toml 0.7', license: 'MIT' },
];

const target = process.argv[2] ?? 'grammars';
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
const notice = ['Prebuilt tree-sitter grammars (WebAssembly) shipped with tokenfold.', ''];
let bytes = 0;
for (const { language, upstream, license } of SHIPPED_GRAMMARS) {
  const source = grammarFile(language);
  if (!source || source.startsWith(join(process.cwd(), target))) throw new Error(`no grammar for ${language}: install the dev dependencies`);
  copyFileSync(source, join(target, basename(source)));
  bytes += statSync(source).size;
  notice.push(`${basename(source)}: ${upstream}, ${license} licence; built by ${source.split('node_modules/')[1]?.replace(/\/(out\/)?[^/]+\.wasm$/, '') ?? 'its package'}`);
}
writeFileSync(join(target, 'NOTICE'), `${notice.join('\n')}\n`);
console.log(`${SHIPPED_GRAMMARS.length} grammars, ${(bytes / 1e6).toFixed(1)} MB, in ${target}/`);
