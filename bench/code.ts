/*
 * Benchmark of the code compressor on real source files that nobody here wrote: TypeScript and
 * JavaScript inside node_modules, Python from the interpreter's library and Debian's packages,
 * C and C++ headers from /usr/include, and whatever Go, Rust, C#, Ruby, PHP or Java this machine
 * happens to have. Groups with no files on the machine are reported as such.
 *
 * For each file: `compress(text, { kind: 'code', fileName })` (o200k counts), then
 * - reduction: tokens after / before, on files over 300 lines (a file passed through counts as 0%);
 * - top-level symbols: the names of the file's top-level definitions and declarations, read from
 *   the syntax tree; one is visible when the output shows the row that holds its name, with that
 *   row's number and the name on it;
 * - round trip: the output with every marker replaced by `unfold(id)` and the gutters removed must
 *   be the input, line for line, with every gutter number equal to the line's number in the input;
 * - query: up to 3 functions per file (bodies of 3+ rows, picked by a seeded generator), each
 *   named in a query (`How does NAME work?`); the whole function must then be visible;
 * - speed: tree-sitter parse alone (MB/s), `compress` end to end (MB/s and p95 ms per file), and
 *   for comparison, counting the input's tokens once with o200k;
 * - routing: the share of files the router sends to `code` on its own (no `kind`, no file name).
 *
 * Run: node --conditions=tokenfold-source bench/code.ts [--max-files N]
 * Writes the table to stdout and to bench/code-results.md.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'web-tree-sitter';
import { compress, detect, findMarkers, o200kCounter, unfold } from 'tokenfold';
import { codeLanguages, languageSpec, type CodeLanguage, type LanguageSpec } from '../core/compressors/code/languages.ts';
import { definitionName } from '../core/compressors/code/outline.ts';
import { loadCodeParsers, loadedParser } from '../core/compressors/code/parsers.ts';
import { percentile } from './speed.ts';

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

interface Group {
  label: string;
  roots: string[];
  pattern: RegExp;
  exclude?: RegExp;
}

const GROUPS: Group[] = [
  { label: 'TypeScript (openai, ai, zod sources)', roots: ['node_modules/openai/src', 'node_modules/ai/src', 'node_modules/zod/src'], pattern: /\.tsx?$/, exclude: /\.d\.ts$|\.test\.ts$|__tests__/ },
  { label: 'JavaScript (@langchain/core dist)', roots: ['node_modules/@langchain/core/dist'], pattern: /\.js$/ },
  { label: 'Python (stdlib 3.11)', roots: ['/usr/lib/python3.11'], pattern: /\.py$/, exclude: /\/(test|tests|idlelib|lib2to3\/tests)\// },
  { label: 'Python (Debian dist-packages)', roots: ['/usr/lib/python3/dist-packages'], pattern: /\.py$/, exclude: /\/tests?\// },
  { label: 'C headers (/usr/include)', roots: ['/usr/include'], pattern: /\.h$/, exclude: /\/(c\+\+|ATen|torch|c10|caffe2)\// },
  { label: 'C++ (libstdc++ bits, ATen headers)', roots: ['/usr/include/c++/12/bits', '/usr/include/ATen'], pattern: /\.(h|tcc|hpp)$/ },
  { label: 'Go', roots: ['/usr/share/doc/git/contrib', '/usr/lib/go', '/root/go/pkg/mod'], pattern: /\.go$/ },
  { label: 'Rust', roots: ['/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu', '/root/.cargo/registry/src'], pattern: /\.rs$/ },
  { label: 'Java', roots: ['/usr/share/java', '/usr/lib/jvm'], pattern: /\.java$/ },
  { label: 'C#', roots: ['node_modules/node-gyp/lib', 'node_modules/sqlite3/build'], pattern: /\.cs$/ },
  { label: 'Ruby', roots: ['/usr/share/doc/redis-tools', '/usr/lib/ruby'], pattern: /\.rb$/ },
  { label: 'PHP (Google App Engine SDK)', roots: ['/usr/lib/google-cloud-sdk/platform/google_appengine/php'], pattern: /\.php$/ },
];

const MIN_LINES = 40;
const LONG_FILE_LINES = 300;
const QUERIES_PER_FILE = 3;

interface GroupResult {
  label: string;
  files: number;
  routedToCode: number;
  longFiles: number;
  longTokensBefore: number;
  longTokensAfter: number;
  longReductions: number[];
  symbols: number;
  symbolsVisible: number;
  missingSymbols: string[];
  roundTrips: number;
  roundTripsExact: number;
  roundTripFailures: string[];
  /** Files where a fold's id is shared with an identical body elsewhere (unfold numbers the first). */
  sharedIdFiles: number;
  queries: number;
  queriesOpen: number;
  queryFailures: string[];
  parseChars: number;
  parseMs: number;
  compressChars: number;
  compressMs: number;
  tokenizeMs: number;
  fileMs: number[];
}

function findFiles(group: Group, maxFiles: number): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      let stats;
      try {
        stats = statSync(path);
      } catch {
        continue;
      }
      if (stats.isDirectory() && depth < 12) walk(path, depth + 1);
      else if (stats.isFile() && group.pattern.test(name) && !group.exclude?.test(path) && stats.size < 4_000_000) found.push(path);
    }
  };
  for (const root of group.roots) walk(root, 0);
  // Evenly spaced over the sorted list, so that a cap still samples every package.
  if (found.length <= maxFiles) return found;
  return Array.from({ length: maxFiles }, (_, index) => found[Math.floor((index * found.length) / maxFiles)]!);
}

function lastRow(node: Node): number {
  const end = node.endPosition;
  return end.column === 0 && end.row > node.startPosition.row ? end.row - 1 : end.row;
}

/** Top-level definitions and declarations: through wrappers (`export`, `#ifdef`, decorators) but not into bodies. */
function topLevelSymbols(root: Node, spec: LanguageSpec): Array<{ name: string; row: number }> {
  const symbols: Array<{ name: string; row: number }> = [];
  const visit = (parent: Node, depth: number) => {
    for (const child of parent.namedChildren) {
      let node = child;
      while (spec.transparent.has(node.type) && node.namedChildCount === 1) node = node.namedChild(0)!;
      // Through wrappers and namespaces: what `namespace std { ... }` declares is top level in C++.
      if (spec.wrappers.has(node.type) || spec.namespaces.has(node.type)) {
        if (spec.namespaces.has(node.type)) symbols.push(...namedSymbol(node));
        if (depth < 8) visit(spec.namespaces.has(node.type) ? (node.childForFieldName('body') ?? node) : node, depth + 1);
        continue;
      }
      const isDefinition = spec.functions.has(node.type) || spec.classes.has(node.type) || spec.declarations.has(node.type);
      if (!isDefinition) continue;
      // A declaration of several names (`const a = 1, b = 2`, Go's `const ( ... )`) counts each.
      const parts = node.namedChildren.filter((part) => spec.declarations.has(part.type) && part.type !== 'decorator');
      for (const target of parts.length > 0 && spec.declarations.has(node.type) ? parts : [node]) symbols.push(...namedSymbol(target));
    }
  };
  visit(root, 0);
  return symbols;
}

function namedSymbol(node: Node): Array<{ name: string; row: number }> {
  const nameNode = nameNodeOf(node);
  const name = definitionName(node);
  return name && nameNode && /^[A-Za-z_$][\w$]*$/.test(name) ? [{ name, row: nameRow(nameNode, name) }] : [];
}

function nameNodeOf(node: Node): Node | undefined {
  for (const field of ['name', 'declarator', 'left', 'pattern', 'method', 'type']) {
    const child = node.childForFieldName(field);
    if (child) return child;
  }
  return undefined;
}

// The row where the name itself sits (a C declarator can span rows).
function nameRow(nameNode: Node, name: string): number {
  const offset = nameNode.text.indexOf(name);
  if (offset < 0) return nameNode.startPosition.row;
  return nameNode.startPosition.row + (nameNode.text.slice(0, offset).match(/\n/g)?.length ?? 0);
}

function functionsWithBodies(root: Node, spec: LanguageSpec): Array<{ name: string; start: number; end: number }> {
  const found: Array<{ name: string; start: number; end: number }> = [];
  for (const node of root.descendantsOfType([...spec.functions])) {
    const body = node.childForFieldName('body');
    if (!body || lastRow(body) - body.startPosition.row < 3) continue;
    const name = definitionName(node);
    if (name && name.length >= 3 && /^[A-Za-z_$][\w$]*$/.test(name)) found.push({ name, start: node.startPosition.row, end: lastRow(node) });
  }
  return found;
}

// A small seeded generator, so that runs pick the same functions.
function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/** Rows visible in an output, as a map from 0-based row to the text shown. */
function visibleRows(output: string): Map<number, string> {
  const rows = new Map<number, string>();
  for (const line of output.split('\n')) {
    const match = /^(\d+)\t(.*)$/.exec(line);
    if (!match || findMarkers(match[2]!).length > 0) continue;
    rows.set(Number(match[1]) - 1, match[2]!);
  }
  return rows;
}

/** Rebuilds the input from an output and its folds; `undefined` when it matches, else why not. */
async function roundTrip(input: string, output: string, sharedIds: { count: number }): Promise<string | undefined> {
  const expected = input.split('\n');
  if (expected[expected.length - 1] === '') expected.pop();
  const rebuilt: string[] = [];
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const match = /^(\d+)\t(.*)$/s.exec(line);
    if (!match) return `line without a gutter: ${JSON.stringify(line.slice(0, 60))}`;
    if (Number(match[1]) !== rebuilt.length + 1) return `gutter ${match[1]} where line ${rebuilt.length + 1} was due`;
    const content = match[2]!;
    const markers = findMarkers(content);
    if (markers.length === 1 && content.trim() === content.trim().slice(0, markers[0]!.length) && content.trimStart().startsWith('[[fold')) {
      const result = await unfold(markers[0]!.id);
      if (result.status !== 'ok') return `unfold ${markers[0]!.id}: ${result.status}`;
      // Folds are content-addressed: a body identical to an earlier one shares its id, and unfold
      // quotes the first one's numbering. The text is still exact; counted apart.
      if (result.firstLine !== rebuilt.length + 1) sharedIds.count++;
      rebuilt.push(...result.text.split('\n'));
    } else {
      rebuilt.push(content.replace(/\[\[\\(\\*)fold /g, '[[$1fold '));
    }
  }
  if (rebuilt.length !== expected.length) return `${rebuilt.length} lines rebuilt, ${expected.length} in the input`;
  for (let row = 0; row < expected.length; row++) {
    if (rebuilt[row] !== expected[row]) return `line ${row + 1} differs`;
  }
  return undefined;
}

async function runGroup(group: Group, maxFiles: number): Promise<GroupResult> {
  const result: GroupResult = {
    label: group.label, files: 0, routedToCode: 0, longFiles: 0, longTokensBefore: 0, longTokensAfter: 0, longReductions: [],
    symbols: 0, symbolsVisible: 0, missingSymbols: [], roundTrips: 0, roundTripsExact: 0, roundTripFailures: [], sharedIdFiles: 0,
    queries: 0, queriesOpen: 0, queryFailures: [], parseChars: 0, parseMs: 0, compressChars: 0, compressMs: 0, tokenizeMs: 0, fileMs: [],
  };
  const files = findFiles(group, maxFiles);
  for (const [fileIndex, file] of files.entries()) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const lineCount = text.split('\n').length;
    if (lineCount < MIN_LINES || text.includes('\u0000')) continue;
    const language = codeLanguages(text, file)[0];
    if (!language) continue;
    await loadCodeParsers(codeLanguages(text, file));
    const parser = loadedParser(language);
    if (!parser) continue;
    result.files++;
    if (detect(text).kind === 'code') result.routedToCode++;

    const parseStarted = performance.now();
    const tree = parser.parse(text);
    result.parseMs += performance.now() - parseStarted;
    result.parseChars += text.length;
    if (!tree) continue;
    const spec = languageSpec(language as CodeLanguage);
    const symbols = topLevelSymbols(tree.rootNode, spec);
    const functions = functionsWithBodies(tree.rootNode, spec);
    tree.delete();

    const started = performance.now();
    const compressed = await compress(text, { kind: 'code', fileName: file });
    const elapsed = performance.now() - started;
    result.compressMs += elapsed;
    result.compressChars += text.length;
    result.fileMs.push(elapsed);
    const tokenizeStarted = performance.now();
    o200kCounter.count(text);
    result.tokenizeMs += performance.now() - tokenizeStarted;

    // A file passed through (nothing worth folding, or no smaller) counts with no reduction.
    const rows = compressed.passThrough ? undefined : visibleRows(compressed.text);
    if (lineCount > LONG_FILE_LINES) {
      result.longFiles++;
      result.longTokensBefore += compressed.tokensBefore;
      result.longTokensAfter += compressed.tokensAfter;
      result.longReductions.push(1 - compressed.tokensAfter / compressed.tokensBefore);
      for (const symbol of symbols) {
        result.symbols++;
        if (!rows || rows.get(symbol.row)?.includes(symbol.name)) result.symbolsVisible++;
        else if (result.missingSymbols.length < 8) result.missingSymbols.push(`${file}:${symbol.row + 1} ${symbol.name}`);
      }
    }
    if (!rows) continue;

    result.roundTrips++;
    const sharedIds = { count: 0 };
    const failure = await roundTrip(text, compressed.text, sharedIds);
    if (sharedIds.count > 0) result.sharedIdFiles++;
    if (failure === undefined) result.roundTripsExact++;
    else if (result.roundTripFailures.length < 5) result.roundTripFailures.push(`${file}: ${failure}`);

    const random = seeded(fileIndex + 1);
    const picked = new Set<number>();
    for (let attempt = 0; attempt < QUERIES_PER_FILE * 3 && picked.size < Math.min(QUERIES_PER_FILE, functions.length); attempt++) {
      picked.add(Math.floor(random() * functions.length));
    }
    for (const index of picked) {
      const target = functions[index]!;
      const answered = await compress(text, { kind: 'code', fileName: file, query: `How does ${target.name} work?` });
      result.queries++;
      const shown = answered.passThrough ? undefined : visibleRows(answered.text);
      let open = true;
      for (let row = target.start; row <= target.end && shown; row++) if (!shown.has(row)) open = false;
      if (open) result.queriesOpen++;
      else if (result.queryFailures.length < 5) result.queryFailures.push(`${file}:${target.start + 1} ${target.name}`);
    }
  }
  return result;
}

function formatTable(results: GroupResult[]): string {
  const percent = (part: number, whole: number) => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`);
  const speed = (chars: number, ms: number) => (ms === 0 ? '–' : (chars / 1e6 / (ms / 1000)).toFixed(1));
  const header =
    '| group | files | routed to code | files > 300 lines | tokens before → after (> 300 lines) | reduction (total / median) | top-level symbols visible | round trip exact | query-named body open | parse MB/s | compress MB/s | tokenize once MB/s | p95 ms/file |\n' +
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows = results.map((group) => {
    if (group.files === 0) return `| ${group.label} | 0 | – | – | – | – | – | – | – | – | – | – | – |`;
    const reduction = group.longTokensBefore === 0 ? '–' : `${percent(group.longTokensBefore - group.longTokensAfter, group.longTokensBefore)} / ${(100 * percentile(sorted(group.longReductions), 0.5)).toFixed(1)}%`;
    return [
      group.label, group.files, percent(group.routedToCode, group.files), group.longFiles,
      group.longFiles === 0 ? '–' : `${group.longTokensBefore.toLocaleString('en')} → ${group.longTokensAfter.toLocaleString('en')}`,
      reduction,
      `${percent(group.symbolsVisible, group.symbols)} (${group.symbolsVisible}/${group.symbols})`,
      `${group.roundTripsExact}/${group.roundTrips}`,
      `${percent(group.queriesOpen, group.queries)} (${group.queriesOpen}/${group.queries})`,
      speed(group.parseChars, group.parseMs), speed(group.compressChars, group.compressMs), speed(group.compressChars, group.tokenizeMs),
      percentile(sorted(group.fileMs), 0.95).toFixed(1),
    ].join(' | ').replace(/^/, '| ').concat(' |');
  });
  return `${header}\n${rows.join('\n')}`;
}

async function main(): Promise<void> {
  const maxIndex = process.argv.indexOf('--max-files');
  const maxFiles = maxIndex > 0 ? Number(process.argv[maxIndex + 1]) : 120;
  const results: GroupResult[] = [];
  for (const group of GROUPS) {
    const result = await runGroup(group, maxFiles);
    results.push(result);
    console.error(`${group.label}: ${result.files} files`);
  }
  const table = formatTable(results);
  const notes = results
    .flatMap((group) => [
      ...group.missingSymbols.map((line) => `- missing symbol (${group.label}): ${line}`),
      ...group.roundTripFailures.map((line) => `- round trip (${group.label}): ${line}`),
      ...group.queryFailures.map((line) => `- query body not open (${group.label}): ${line}`),
    ])
    .join('\n');
  const shared = results.reduce((sum, group) => sum + group.sharedIdFiles, 0);
  const report = [
    '# Code compressor benchmark',
    '',
    `${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; o200k token counts; up to ${maxFiles} files per group, files under ${MIN_LINES} lines skipped.`,
    '',
    table,
    '',
    'Groups with 0 files have no such sources on this machine. Round trip: output with every marker unfolded equals the input, line for line.',
    `In ${shared} files a fold shares its id with an identical body elsewhere (folds are content-addressed), so unfold quotes the first one's line numbers; the text is exact.`,
    '',
    notes ? `Examples of misses:\n\n${notes}` : 'No misses.',
    '',
  ].join('\n');
  console.log(report);
  writeFileSync(new URL('./code-results.md', import.meta.url), report);
}

await main();
