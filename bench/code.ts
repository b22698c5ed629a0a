/*
 * Benchmark of the code compressor on real source files that nobody here wrote, read where they
 * are (never copied into the repository): TypeScript and JavaScript inside node_modules, Python
 * from the interpreter's library and Debian's packages (ftplib, imaplib, smtplib, configparser
 * among them), C and C++ headers from /usr/include, Java from the JDK's own sources (`src.zip` of
 * the installed JDK: java.util.TreeMap, Optional, HashMap ...), Go from the Go toolchain, Rust
 * crates and their Cargo.toml files from Debian's librust-*-dev packages, Lua from lua-penlight,
 * shell scripts and YAML from /usr/share, and Kotlin, Swift and Scala files from
 * $TOKENFOLD_CODE_CORPUS (default /var/tmp/tokenfold-code-corpus/<language>/), where a machine
 * has fetched some (square/okhttp, Alamofire, scala/scala). Groups with no files on the machine
 * are reported as such.
 *
 * For each file: `compress(text, { kind: 'code', fileName })` (o200k counts), then
 * - reduction: tokens after / before, on files over 300 lines (a file passed through counts as 0%),
 *   at the default budget, at a quarter of the input, and at the floor (the coarsest outline,
 *   every public name on its row), with how many long files cannot reach a quarter at the floor;
 * - declarations: every class, interface, struct, impl, module, namespace and object at every
 *   depth (nested and local ones included), every member of each (methods, constructors, fields,
 *   properties, constants), and every top-level declaration, read from the syntax tree (of C and
 *   C++ without their attribute macros, as the compressor parses them: the raw parse of a
 *   libstdc++ header invents names such as `explicit` and `_GLIBCXX_NOEXCEPT`). One is
 *   visible when the output shows the row that holds its name, with the name on it, or lists it
 *   in a group's marker (private members under a tight budget); "public on its row" counts the
 *   rest on their rows only;
 * - round trip: the output with every marker replaced by `unfold(id)` and the gutters removed must
 *   be the input, line for line, with every gutter number equal to the line's number in the input;
 * - query: up to 3 functions per file (bodies of 3+ rows, picked by a seeded generator), each
 *   named in a query (`How does NAME work?`); the whole function must then be visible;
 * - speed: tree-sitter parse alone, the outline pass after parsing (`compressCode` on a file
 *   already parsed, with nothing read from its tree yet), a re-query (`compressCode` with another query on the file
 *   just outlined: the tree and what was read from it are kept), `compress` end to end (parse
 *   included), and counting the input's tokens once with o200k; MB/s over the group, one core;
 * - levels: how many long files needed each outline level to meet the default budget;
 * - routing: the share of files the router sends to `code` on its own (no `kind`, no file name).
 *
 * Run: node --conditions=tokenfold-source bench/code.ts [--max-files N] [--only REGEX] [--misses N]
 * Writes the table to stdout, and to bench/code-results.md when every group ran (no `--only`).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'web-tree-sitter';
import { compress, defaultBudget, detect, estimateTokens, findMarkers, o200kCounter, unfold } from 'tokenfold';
import { compressCode, forgetParsedCode } from '../core/compressors/code.ts';
import { codeLanguages, languageSpec, type CodeLanguage, type LanguageSpec } from '../core/compressors/code/languages.ts';
import { definitionName, isPrivate as isPrivateMember, nameNode } from '../core/compressors/code/names.ts';
import { blankMacros } from '../core/compressors/code/macros.ts';
import { loadCodeParsers, loadedParser } from '../core/compressors/code/parsers.ts';
import { percentile } from './speed.ts';

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const CORPUS = process.env.TOKENFOLD_CODE_CORPUS ?? '/var/tmp/tokenfold-code-corpus';
const JDK_SOURCES = '/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip';

interface Group {
  label: string;
  roots: string[];
  pattern: RegExp;
  exclude?: RegExp;
  /** Files inside a zip archive instead (`unzip` lists and reads them). */
  zip?: { archive: string; glob: string };
}

const GROUPS: Group[] = [
  { label: 'TypeScript (openai, ai, zod sources)', roots: ['node_modules/openai/src', 'node_modules/ai/src', 'node_modules/zod/src'], pattern: /\.tsx?$/, exclude: /\.d\.ts$|\.test\.ts$|__tests__/ },
  { label: 'JavaScript (@langchain/core dist)', roots: ['node_modules/@langchain/core/dist'], pattern: /\.js$/ },
  { label: 'Python (stdlib 3.11)', roots: ['/usr/lib/python3.11'], pattern: /\.py$/, exclude: /\/(test|tests|idlelib|lib2to3\/tests)\// },
  { label: 'Python (Debian dist-packages)', roots: ['/usr/lib/python3/dist-packages'], pattern: /\.py$/, exclude: /\/tests?\// },
  { label: 'C headers (/usr/include)', roots: ['/usr/include'], pattern: /\.h$/, exclude: /\/(c\+\+|ATen|torch|c10|caffe2)\// },
  { label: 'C++ (libstdc++ bits, ATen headers)', roots: ['/usr/include/c++/12/bits', '/usr/include/ATen'], pattern: /\.(h|tcc|hpp)$/ },
  { label: 'Java (JDK 25 java.base/java/util)', roots: [], pattern: /\.java$/, zip: { archive: JDK_SOURCES, glob: 'java.base/java/util/*' } },
  { label: 'Go (Go toolchain src/net)', roots: ['/usr/lib/go/src/net'], pattern: /\.go$/, exclude: /_test\.go$/ },
  { label: 'Rust (Debian librust-*-dev crates)', roots: ['/usr/share/cargo/registry'], pattern: /\.rs$/, exclude: /\/(tests|benches|examples)\// },
  { label: 'C#', roots: ['node_modules/node-gyp/lib', 'node_modules/sqlite3/build'], pattern: /\.cs$/ },
  { label: 'Ruby (redis-tools examples)', roots: ['/usr/share/doc/redis-tools', '/usr/lib/ruby'], pattern: /\.rb$/ },
  { label: 'PHP (Google App Engine SDK)', roots: ['/usr/lib/google-cloud-sdk/platform/google_appengine/php'], pattern: /\.php$/ },
  { label: 'Kotlin (fetched)', roots: [join(CORPUS, 'kotlin')], pattern: /\.kts?$/ },
  { label: 'Swift (fetched)', roots: [join(CORPUS, 'swift')], pattern: /\.swift$/ },
  { label: 'Scala (fetched)', roots: [join(CORPUS, 'scala')], pattern: /\.scala$/ },
  { label: 'Bash (git contrib, ucf)', roots: ['/usr/share/doc/git/contrib', '/usr/share/ucf'], pattern: /\.sh$/ },
  { label: 'Lua (lua-penlight)', roots: ['/usr/share/lua'], pattern: /\.lua$/ },
  { label: 'YAML (CI workflows in Debian crates)', roots: ['/usr/share/cargo/registry', '/usr/share/doc'], pattern: /\.ya?ml$/ },
  { label: 'TOML (Cargo.toml of Debian crates)', roots: ['/usr/share/cargo/registry'], pattern: /\.toml$/ },
];

const MIN_LINES = 40;
// `--only <regex>` runs the groups whose label matches; `--misses N` lists up to N misses per group.
const argument = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const ONLY = argument('--only') === undefined ? undefined : new RegExp(argument('--only')!, 'i');
const MISSES_SHOWN = Number(argument('--misses') ?? 8);
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
  /** Reductions at a quarter of the input and at the floor (level 3, every public name on its row). */
  quarterReductions: number[];
  floorReductions: number[];
  /** Long files whose floor is above a quarter of the input. */
  floorOverQuarter: number;
  levels: number[];
  declarations: number;
  declarationsVisible: number;
  publicOnRow: number;
  publicDeclarations: number;
  missing: string[];
  roundTrips: number;
  roundTripsExact: number;
  roundTripFailures: string[];
  /** Files where a fold's id is shared with an identical body elsewhere (unfold numbers the first). */
  sharedIdFiles: number;
  queries: number;
  queriesOpen: number;
  queryFailures: string[];
  chars: number;
  parseMs: number;
  outlineMs: number;
  requeryMs: number;
  compressMs: number;
  tokenizeMs: number;
  fileMs: number[];
}

interface SourceFile {
  path: string;
  read(): string;
}

function findFiles(group: Group, maxFiles: number): SourceFile[] {
  const found: SourceFile[] = [];
  if (group.zip) {
    const { archive, glob } = group.zip;
    let listing = '';
    try {
      listing = execFileSync('unzip', ['-Z1', archive, glob], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    } catch {
      return [];
    }
    for (const entry of listing.split('\n').filter((name) => group.pattern.test(name)).sort()) {
      found.push({ path: `${archive}!${entry}`, read: () => execFileSync('unzip', ['-p', archive, entry], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }) });
    }
  }
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
      else if (stats.isFile() && group.pattern.test(name) && !group.exclude?.test(path) && stats.size < 4_000_000) found.push({ path, read: () => readFileSync(path, 'utf8') });
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

interface Declaration {
  name: string;
  row: number;
  isPrivate: boolean;
}

/**
 * Every declaration an outline must show by name: top-level ones, every class at any depth (local
 * ones in function bodies too) and each member of a class. Not locals of function bodies.
 */
function declarationsOf(root: Node, spec: LanguageSpec, text: string): Declaration[] {
  const found: Declaration[] = [];
  let privateDepth = 0; // > 0 inside a private class: its members are not public API
  const add = (node: Node) => {
    const name = definitionName(node, spec);
    const holder = nameNode(node, spec);
    if (!name || !holder || !/^[A-Za-z_$#][\w$]*$/.test(name)) return;
    const offset = holder.text.indexOf(name);
    const row = holder.startPosition.row + (offset < 0 ? 0 : (holder.text.slice(0, offset).match(/\n/g)?.length ?? 0));
    // Private by the language's rules (`_name`, `private`, lower-case Go, Rust without `pub`), or
    // inside a private class.
    found.push({ name, row, isPrivate: isPrivateMember(node, name, spec, text) || privateDepth > 0 });
  };
  const unwrap = (node: Node) => {
    let current = node;
    while (spec.transparent.has(current.type) && current.namedChildCount === 1) current = current.namedChild(0)!;
    return current;
  };
  const bodyOf = (node: Node) =>
    node.childForFieldName('body') ?? node.namedChildren.findLast((child) => /(declaration_list|_body|^block)$/.test(child.type) || spec.bodies.has(child.type)) ?? null;
  // Classes inside a function body: local classes count, and their members.
  const localClasses = (node: Node, depth: number) => {
    const classTypes = [...spec.classes].filter((type) => type !== 'object_type');
    if (classTypes.length === 0 || spec.data) return;
    for (const local of node.descendantsOfType(classTypes)) {
      if (local.parent && bodyOf(local.parent) !== null && spec.classes.has(local.parent.type)) continue; // a member, counted by its class
      visitClass(local, depth);
    }
  };
  const visitClass = (node: Node, depth: number) => {
    add(node);
    const body = spec.selfBodies.has(node.type) ? node : bodyOf(node);
    const hidden = found.length > 0 && found[found.length - 1]!.isPrivate ? 1 : 0;
    privateDepth += hidden;
    if (body && depth < 12) visitItems(body, depth + 1, true);
    privateDepth -= hidden;
  };
  const visitItems = (parent: Node, depth: number, members: boolean) => {
    for (const child of parent.namedChildren) {
      const node = unwrap(child);
      if (spec.wrappers.has(node.type) || spec.namespaces.has(node.type)) {
        if (spec.namespaces.has(node.type)) add(node);
        const inner = spec.namespaces.has(node.type) ? (bodyOf(node) ?? node) : node;
        if (depth < 12) visitItems(inner, depth + 1, members);
        continue;
      }
      if (spec.classes.has(node.type) && node.type !== 'object_type') {
        if (spec.data && depth > 1) continue; // data files: keys two levels deep at most
        visitClass(node, depth);
        continue;
      }
      if (spec.functions.has(node.type)) {
        add(node);
        const body = bodyOf(node);
        if (body) localClasses(body, depth);
        continue;
      }
      if (spec.declarations.has(node.type) && node.type !== 'decorator' && node.type !== 'attribute_item') {
        if (spec.data && depth > 1) continue;
        // A declaration of several names (`const a = 1, b = 2`, Go's `const ( ... )`) counts each.
        const parts = node.namedChildren.filter((part) => spec.declarations.has(part.type) && part.type !== 'decorator');
        for (const target of parts.length > 0 ? parts : [node]) add(target);
        continue;
      }
      // Statements that hold definitions (`if TYPE_CHECKING:`, `try: ... else: class FTP_TLS`).
      if (!members && !spec.comments.has(node.type) && depth < 12) localClasses(node, depth);
    }
  };
  visitItems(root, 0, false);
  return found;
}

function functionsWithBodies(root: Node, spec: LanguageSpec): Array<{ name: string; start: number; end: number }> {
  const found: Array<{ name: string; start: number; end: number }> = [];
  if (spec.functions.size === 0) return found;
  for (const node of root.descendantsOfType([...spec.functions])) {
    const body = node.childForFieldName('body');
    if (!body || lastRow(body) - body.startPosition.row < 3) continue;
    const name = definitionName(node, spec);
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

/** Rows visible in an output, as a map from 0-based row to the text shown; and marker summaries. */
function readOutput(output: string): { rows: Map<number, string>; summaries: string } {
  const rows = new Map<number, string>();
  const summaries: string[] = [];
  for (const line of output.split('\n')) {
    // `s`: a row of a CRLF file ends in `\r`, which `.` would not match.
    const match = /^(\d+)\t(.*)$/s.exec(line);
    if (!match) continue;
    const markers = findMarkers(match[2]!);
    if (markers.length > 0) summaries.push(match[2]!);
    else rows.set(Number(match[1]) - 1, match[2]!);
  }
  return { rows, summaries: summaries.join('\n') };
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
    if (markers.length === 1 && content.trimStart().startsWith('[[fold')) {
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

function newResult(label: string): GroupResult {
  return {
    label, files: 0, routedToCode: 0, longFiles: 0, longTokensBefore: 0, longTokensAfter: 0, longReductions: [], quarterReductions: [], floorReductions: [], floorOverQuarter: 0, levels: [0, 0, 0, 0],
    declarations: 0, declarationsVisible: 0, publicOnRow: 0, publicDeclarations: 0, missing: [], roundTrips: 0, roundTripsExact: 0,
    roundTripFailures: [], sharedIdFiles: 0, queries: 0, queriesOpen: 0, queryFailures: [], chars: 0, parseMs: 0, outlineMs: 0,
    requeryMs: 0, compressMs: 0, tokenizeMs: 0, fileMs: [],
  };
}

async function runGroup(group: Group, maxFiles: number): Promise<GroupResult> {
  const result = newResult(group.label);
  for (const [fileIndex, file] of findFiles(group, maxFiles).entries()) {
    let text: string;
    try {
      text = file.read();
    } catch {
      continue;
    }
    const lineCount = text.split('\n').length;
    if (lineCount < MIN_LINES || text.includes('\u0000')) continue;
    const fileName = file.path.replace(/^.*!/, '');
    const language = codeLanguages(text, fileName)[0];
    if (!language) continue;
    await loadCodeParsers(codeLanguages(text, fileName));
    const parser = loadedParser(language);
    if (!parser) continue;
    result.files++;
    if (detect(text).kind === 'code') result.routedToCode++;

    // Parse alone: what the compressor parses (C and C++ without their attribute macros).
    const parsed = language === 'c' || language === 'cpp' ? blankMacros(text) : text;
    const parseStarted = performance.now();
    const tree = parser.parse(parsed);
    result.parseMs += performance.now() - parseStarted;
    if (!tree) continue;
    // End to end, on a text the compressor has not parsed yet.
    forgetParsedCode();
    const started = performance.now();
    const compressed = await compress(text, { kind: 'code', fileName });
    const elapsed = performance.now() - started;
    result.compressMs += elapsed;
    result.fileMs.push(elapsed);
    result.chars += text.length;
    // The outline pass after parsing: `compressCode` on the tree that `compress` parsed, with
    // nothing read from it yet (language, reading the tree, each level tried, sizing, rendering).
    const context = { query: '', budget: defaultBudget(compressed.tokensBefore), countTokens: (input: string) => o200kCounter.count(input), estimateTokens, fileName };
    forgetParsedCode({ keepTrees: true });
    const outlineStarted = performance.now();
    compressCode(text, context);
    result.outlineMs += performance.now() - outlineStarted;
    // Another query on the same file: the tree and what was read from it are kept.
    const requeryStarted = performance.now();
    compressCode(text, { ...context, query: 'How does parse work?' });
    result.requeryMs += performance.now() - requeryStarted;
    const spec = languageSpec(language as CodeLanguage);
    const declarations = declarationsOf(tree.rootNode, spec, text);
    const functions = functionsWithBodies(tree.rootNode, spec);
    tree.delete();
    const tokenizeStarted = performance.now();
    o200kCounter.count(text);
    result.tokenizeMs += performance.now() - tokenizeStarted;

    // A file passed through (nothing worth folding, or no smaller) counts with no reduction.
    const shown = compressed.passThrough ? undefined : readOutput(compressed.text);
    if (lineCount > LONG_FILE_LINES) {
      result.longFiles++;
      result.longTokensBefore += compressed.tokensBefore;
      result.longTokensAfter += compressed.tokensAfter;
      result.longReductions.push(1 - compressed.tokensAfter / compressed.tokensBefore);
      // What a quarter of the input would give, and the floor: the coarsest outline.
      const quarter = await compress(text, { kind: 'code', fileName, budget: Math.max(256, Math.round(compressed.tokensBefore / 4)) });
      const floor = await compress(text, { kind: 'code', fileName, budget: 1 });
      result.quarterReductions.push(1 - quarter.tokensAfter / compressed.tokensBefore);
      result.floorReductions.push(1 - floor.tokensAfter / compressed.tokensBefore);
      if (floor.tokensAfter > compressed.tokensBefore / 4) result.floorOverQuarter++;
      const level = Number(/outline level (\d)/.exec(shown?.summaries ?? '')?.[1] ?? 0);
      result.levels[level]!++;
      for (const declaration of declarations) {
        result.declarations++;
        const onRow = !shown || shown.rows.get(declaration.row)?.includes(declaration.name) === true;
        const inGroup = !onRow && shown !== undefined && new RegExp(`private: [^\\]]*\\b${declaration.name.replace(/[$#]/g, '\\$&')}\\b`).test(shown.summaries);
        if (onRow || inGroup) result.declarationsVisible++;
        else if (result.missing.length < MISSES_SHOWN) result.missing.push(`${file.path}:${declaration.row + 1} ${declaration.name}`);
        if (!declaration.isPrivate) {
          result.publicDeclarations++;
          if (onRow) result.publicOnRow++;
        }
      }
    }
    if (!shown) continue;

    result.roundTrips++;
    const sharedIds = { count: 0 };
    const failure = await roundTrip(text, compressed.text, sharedIds);
    if (sharedIds.count > 0) result.sharedIdFiles++;
    if (failure === undefined) result.roundTripsExact++;
    else if (result.roundTripFailures.length < 5) result.roundTripFailures.push(`${file.path}: ${failure}`);

    const random = seeded(fileIndex + 1);
    const picked = new Set<number>();
    for (let attempt = 0; attempt < QUERIES_PER_FILE * 3 && picked.size < Math.min(QUERIES_PER_FILE, functions.length); attempt++) {
      picked.add(Math.floor(random() * functions.length));
    }
    for (const index of picked) {
      const target = functions[index]!;
      const answered = await compress(text, { kind: 'code', fileName, query: `How does ${target.name} work?` });
      result.queries++;
      const rows = answered.passThrough ? undefined : readOutput(answered.text).rows;
      let open = true;
      for (let row = target.start; row <= target.end && rows; row++) if (!rows.has(row)) open = false;
      if (open) result.queriesOpen++;
      else if (result.queryFailures.length < 5) result.queryFailures.push(`${file.path}:${target.start + 1} ${target.name}`);
    }
  }
  return result;
}

function formatTable(results: GroupResult[]): string {
  const percent = (part: number, whole: number) => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`);
  const speed = (chars: number, ms: number) => (ms === 0 ? '–' : (chars / 1e6 / (ms / 1000)).toFixed(1));
  const header =
    '| group | files | routed to code | files > 300 lines | tokens before → after (> 300 lines) | reduction (total / median) | median at a quarter / at the floor (floor over a quarter) | declarations visible by name | public on their row | levels 0/1/2/3 | round trip exact | query-named body open | parse MB/s | outline MB/s | re-query MB/s | compress MB/s | tokenize once MB/s | p95 ms/file |\n' +
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows = results.map((group) => {
    if (group.files === 0) return `| ${group.label} | 0 | – | – | – | – | – | – | – | – | – | – | – | – | – | – | – | – |`;
    const median = (values: number[]) => `${(100 * percentile(sorted(values), 0.5)).toFixed(1)}%`;
    const reduction = group.longTokensBefore === 0 ? '–' : `${percent(group.longTokensBefore - group.longTokensAfter, group.longTokensBefore)} / ${median(group.longReductions)}`;
    const atQuarter = group.longTokensBefore === 0 ? '–' : `${median(group.quarterReductions)} / ${median(group.floorReductions)} (${group.floorOverQuarter}/${group.longFiles})`;
    return [
      group.label, group.files, percent(group.routedToCode, group.files), group.longFiles,
      group.longFiles === 0 ? '–' : `${group.longTokensBefore.toLocaleString('en')} → ${group.longTokensAfter.toLocaleString('en')}`,
      reduction,
      atQuarter,
      `${percent(group.declarationsVisible, group.declarations)} (${group.declarationsVisible}/${group.declarations})`,
      `${percent(group.publicOnRow, group.publicDeclarations)}`,
      group.longFiles === 0 ? '–' : group.levels.join('/'),
      `${group.roundTripsExact}/${group.roundTrips}`,
      `${percent(group.queriesOpen, group.queries)} (${group.queriesOpen}/${group.queries})`,
      speed(group.chars, group.parseMs), speed(group.chars, group.outlineMs), speed(group.chars, group.requeryMs), speed(group.chars, group.compressMs), speed(group.chars, group.tokenizeMs),
      percentile(sorted(group.fileMs), 0.95).toFixed(1),
    ].join(' | ').replace(/^/, '| ').concat(' |');
  });
  return `${header}\n${rows.join('\n')}`;
}

function totals(results: GroupResult[]): GroupResult {
  const all = newResult('**all**');
  for (const group of results) {
    for (const key of Object.keys(all) as Array<keyof GroupResult>) {
      const value = group[key];
      if (typeof value === 'number') (all[key] as number) += value;
    }
    all.longReductions.push(...group.longReductions);
    all.quarterReductions.push(...group.quarterReductions);
    all.floorReductions.push(...group.floorReductions);
    all.fileMs.push(...group.fileMs);
    group.levels.forEach((count, level) => (all.levels[level]! += count));
  }
  return all;
}

async function warmUp(group: Group): Promise<void> {
  for (const file of findFiles(group, 3)) {
    let text: string;
    try {
      text = file.read();
    } catch {
      continue;
    }
    const fileName = file.path.replace(/^.*!/, '');
    await compress(text, { kind: 'code', fileName });
    compressCode(text, { query: 'How does parse work?', budget: 1, countTokens: (input: string) => o200kCounter.count(input), estimateTokens, fileName });
  }
}

async function main(): Promise<void> {
  const maxIndex = process.argv.indexOf('--max-files');
  const maxFiles = maxIndex > 0 ? Number(process.argv[maxIndex + 1]) : 120;
  const results: GroupResult[] = [];
  const groups = GROUPS.filter((candidate) => ONLY === undefined || ONLY.test(candidate.label));
  // Warm up: every grammar loaded and the code paths compiled before anything is timed, so that
  // the first group is not charged for the start.
  for (const group of groups) await warmUp(group);
  for (const group of groups) {
    const result = await runGroup(group, maxFiles);
    results.push(result);
    console.error(`${group.label}: ${result.files} files`);
  }
  const table = formatTable([...results, totals(results)]);
  const notes = results
    .flatMap((group) => [
      ...group.missing.map((line) => `- not visible (${group.label}): ${line}`),
      ...group.roundTripFailures.map((line) => `- round trip (${group.label}): ${line}`),
      ...group.queryFailures.map((line) => `- query body not open (${group.label}): ${line}`),
    ])
    .join('\n');
  const shared = results.reduce((sum, group) => sum + group.sharedIdFiles, 0);
  const report = [
    '# Code compressor benchmark',
    '',
    `${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores shared with other jobs, load ${loadavg()[0]!.toFixed(1)} at the end), Node ${process.version}; o200k token counts; up to ${maxFiles} files per group, files under ${MIN_LINES} lines skipped; default budget (a quarter of the input, at least 1,500 tokens: defaultBudget).`,
    '',
    table,
    '',
    'Groups with 0 files have no such sources on this machine. Declarations: every class at any depth (local ones too), every member of a class, every top-level declaration; visible by name on its row, or listed in a group\'s marker (private members at level 3). Levels: how many files > 300 lines needed outline level 0 (full), 1 (doc lines folded), 2 (signatures as names with arity), 3 (private members grouped, the floor, also where the floor is still over the budget). Median at a quarter: the budget set to a quarter of the input; at the floor: the coarsest outline, whatever the budget (the most any budget can get while every public name keeps its row). Round trip: output with every marker unfolded equals the input, line for line.',
    'Speed: one core, MB/s over the group. Parse: tree-sitter alone. Outline: `compressCode` on a file already parsed, with nothing read from its tree yet (reading the tree, the outline at each level tried, sizing, rendering). Re-query: `compressCode` with another query on the file just outlined (the tree and what was read from it are kept). Compress: `compress()` end to end on a file not parsed yet, parse, token counts and fold storage included.',
    `In ${shared} files a fold shares its id with an identical body elsewhere (folds are content-addressed), so unfold quotes the first one's line numbers; the text is exact.`,
    '',
    notes ? `Examples of misses:\n\n${notes}` : 'No misses.',
    '',
  ].join('\n');
  console.log(report);
  if (ONLY === undefined) writeFileSync(new URL('./code-results.md', import.meta.url), report);
}

await main();
