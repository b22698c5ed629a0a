import { languageOfFileName } from './compressors/code/languages.ts';
import { detectTable } from './compressors/table.ts';
import { stripFraming } from './framing.ts';
import { EARLY_TIME, LEVEL_WORD, LOG_PREFIX, SEARCH_LINE_CHARS, isProseLine, isSearchLine } from './line-kinds.ts';
import type { ContentKind } from './types.ts';

/** The router's verdict and the evidence for it, so that a surprising choice can be explained. */
export interface Detection {
  kind: ContentKind;
  why: string;
  /** Set when the file name decided the kind (then the input is compressed whole, not by region). */
  byFileName?: true;
}

// Detection reads a bounded sample, so that a 50 MB input costs the same as a 50 kB one: the
// head decides the whole-document kinds (JSON, diff, HTML start as such), and line kinds are read
// from the head, the middle and the tail, so that a CI log whose first 200 lines are set-up is
// still seen for the build output it is.
const SAMPLE_CHARS = 64 * 1024;
const SAMPLE_LINES = 200;

/**
 * Decides what a text is. Fast (reads at most 64 KiB) and explainable (`why`). Order matters:
 * the most specific signatures are tried first. Line-structured text that is no known tool's
 * output and not prose is `build`: command output, compressed by keeping lines near errors and at
 * the end, which is the safe choice when unsure.
 */
export function detect(text: string, fileName?: string): Detection {
  const head = text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text;
  const headLines = sampleLines(head, SAMPLE_LINES, text.length > SAMPLE_CHARS);
  const whole = detectByFileName(fileName) ?? detectJson(head, headLines) ?? detectDiff(headLines) ?? detectHtml(head);
  if (whole) return whole;
  const raw = text.length <= SAMPLE_CHARS ? headLines : spreadSample(text);
  const lines = raw.map(stripFraming).filter((line) => line.trim() !== '');
  return (
    detectRunner(raw) ??
    detectBuild(lines) ??
    detectSearch(lines) ??
    detectLog(lines) ??
    detectCode(lines) ??
    detectTableKind(lines) ??
    detectProse(lines) ?? { kind: 'build', why: 'lines of command output of no known tool' }
  );
}

// A file name the tool gave is the strongest evidence there is, for the kinds a name can say.
function detectByFileName(fileName: string | undefined): Detection | undefined {
  if (!fileName) return undefined;
  if (languageOfFileName(fileName)) return { kind: 'code', why: `file name ${fileName}`, byFileName: true };
  const extension = fileName.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  const kind = extension ? KIND_BY_EXTENSION[extension] : undefined;
  return kind ? { kind, why: `file name ${fileName}`, byFileName: true } : undefined;
}

// `.log` and `.txt` are left to the content: a saved CI run, a build's output or a test report
// is as often named so as an application log or prose is, and each reads best by its regions.
const KIND_BY_EXTENSION: Record<string, ContentKind> = {
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  html: 'html',
  htm: 'html',
  diff: 'diff',
  patch: 'diff',
  md: 'text',
  rst: 'text',
};

function sampleLines(sample: string, limit: number, cut: boolean): string[] {
  const lines: string[] = [];
  let start = 0;
  while (lines.length < limit && start < sample.length) {
    let end = sample.indexOf('\n', start);
    if (end === -1) end = sample.length;
    const line = sample.slice(start, end).replace(/\r$/, '');
    if (line.trim() !== '') lines.push(line);
    start = end + 1;
  }
  // The last line of a cut sample is usually partial.
  if (cut && lines.length > 1 && start >= sample.length) lines.pop();
  return lines;
}

// Up to SAMPLE_LINES lines from three windows at the head, the middle and the tail of a large
// text (whole lines only), or from the text itself when it is small.
// Lines from the head, the middle and the tail of a text over SAMPLE_CHARS.
function spreadSample(text: string): string[] {
  const window = Math.floor(SAMPLE_CHARS / 3);
  const perWindow = Math.ceil(SAMPLE_LINES / 3);
  const middle = Math.floor(text.length / 2 - window / 2);
  const windows = [text.slice(0, window), text.slice(middle, middle + window), text.slice(text.length - window)];
  return windows.flatMap((part, index) => {
    const lines = sampleLines(part, perWindow + 1, true);
    return index > 0 ? lines.slice(1, perWindow + 1) : lines.slice(0, perWindow); // drop a partial first line
  });
}

function share(lines: string[], test: (line: string) => boolean): number {
  if (lines.length === 0) return 0;
  let hits = 0;
  for (const line of lines) if (test(line)) hits++;
  return hits / lines.length;
}

function detectJson(sample: string, lines: string[]): Detection | undefined {
  const first = sample.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  const objectLines = share(lines, (line) => /^\s*[{[].*[}\]]\s*$/.test(line) && isJson(line));
  if (lines.length >= 2 && objectLines >= 0.9 && isJson(lines[0]!)) {
    return { kind: 'ndjson', why: `${Math.round(objectLines * 100)}% of lines are JSON values` };
  }
  // A `[` alone is also how some logs and search results start; require JSON-ish syntax after it.
  // `[    0.000000] Linux version …` (dmesg) starts like an array of one number: after the `]` of
  // a JSON array comes the end, a comma or another bracket, never more words.
  if (/^\s*(\{\s*("|\})|\[\s*(["{[\]]|-?\d+(\.\d+)?([eE][+-]?\d+)?\s*(,|\]\s*($|[,\]}]))|true|false|null))/.test(sample)) {
    return { kind: 'json', why: `starts with ${first} followed by a JSON value` };
  }
  return undefined;
}

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function detectDiff(lines: string[]): Detection | undefined {
  let headers = 0;
  let hunks = 0;
  for (const line of lines) {
    if (/^(diff --git |--- \S|\+\+\+ \S|Index: )/.test(line)) headers++;
    else if (/^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/.test(line)) hunks++;
  }
  if (hunks > 0 && headers >= 2) return { kind: 'diff', why: `${headers} file headers, ${hunks} hunks` };
  return undefined;
}

function detectHtml(sample: string): Detection | undefined {
  const head = sample.slice(0, 1024).trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) {
    return { kind: 'html', why: 'starts with a doctype or <html>' };
  }
  const closingTags = sample.match(/<\/(div|p|span|a|li|td|tr|table|section|head|body|script|ul|h[1-6])>/gi);
  if (closingTags && closingTags.length >= 10 && head.startsWith('<')) {
    return { kind: 'html', why: `${closingTags.length} closing HTML tags` };
  }
  return undefined;
}

// Lines that only build tools and test runners print. Each has a name for `why`.
const BUILD_SIGNATURES: Array<[string, RegExp]> = [
  ['jest', /^\s*(PASS|FAIL) \S|^Tests:\s+\d|^Test Suites:\s+\d/],
  ['vitest', /^\s*(✓|×|❯) \S.*\(\d+ tests?\)|^\s*Test Files\s+\d|^\s*Tests\s+\d+ (passed|failed)/],
  ['node:test / TAP', /^(not )?ok \d+ - |^# (tests|pass|fail) \d+|^TAP version|^\s*(✔|✖) .*\(\d+(\.\d+)?ms\)$|^ℹ (tests|suites|pass|fail) \d+/],
  // Anchored: unanchored, a long run of `=` or of `.py::` costs quadratic time.
  ['pytest', /^=+ (test session starts|FAILURES|short test summary info|ERRORS)|^(PASSED|FAILED|ERROR) \S+::|^[^\s:]*\.py::\S+ (PASSED|FAILED)|^(\S*\.py )?[.sxXFE]+ +\[ *\d+%\]$/],
  ['tsc', /\(\d+,\d+\): error TS\d+:|: error TS\d+:|^Found \d+ errors?/],
  ['eslint', /^\s+\d+:\d+\s+(error|warning)\s+|✖ \d+ problems?/],
  ['go test', /^(=== RUN|--- (FAIL|PASS|SKIP):|ok\s+\S+\s+[\d.]+s|FAIL\s+\S+\s+[\d.]+s|PASS$|FAIL$)/],
  ['cargo', /^\s*(Compiling|Finished|Running) \S|^test result: |^error\[E\d+\]|^warning: unused|^test \S+ \.\.\. (ok|FAILED)/],
  ['npm', /^npm (ERR!|error|warn) |ERR_PNPM_|^\s*pnpm: /],
  ['mocha', /^\s+\d+ (passing|failing|pending)( \(\d+m?s\))?$|^\s+(✓|✔) \S/],
  ['maven', /^\[(INFO|ERROR|WARNING)\] (Building|BUILD|Tests run|Total time|Reactor|---|-{5,}|Download)|^\[ERROR\] |^BUILD (SUCCESS|FAILURE)$/],
  ['gradle', /^> Task :|^BUILD (SUCCESSFUL|FAILED) in |^FAILURE: Build failed/],
  ['make / gcc', /^make(\[\d+\])?: |^\S+\.\w+:\d+:\d+: (fatal error|error|warning|note): |^In file included from \S+:\d+/],
  ['cmake', /^-- (Configuring done|Generating done|Build files|Looking for|Found \S)|^CMake (Error|Warning)/],
  ['javac', /^\S+\.java:\d+: (error|warning): /],
  ['pip', /^Requirement already satisfied: |^Collecting \S|^Successfully installed |^Installing collected packages: |^\s+Downloading \S+ \(/],
];

function detectBuild(lines: string[]): Detection | undefined {
  const hits = new Map<string, number>();
  for (const line of lines) {
    for (const [tool, signature] of BUILD_SIGNATURES) {
      if (signature.test(line)) hits.set(tool, (hits.get(tool) ?? 0) + 1);
    }
  }
  const total = [...hits.values()].reduce((sum, count) => sum + count, 0);
  if (total >= 2 || (total === 1 && lines.length <= 3)) {
    const tools = [...hits.entries()].sort((a, b) => b[1] - a[1]).map(([tool, count]) => `${tool} ${count}`);
    return { kind: 'build', why: `build/test lines: ${tools.join(', ')}` };
  }
  return undefined;
}

// SWE-agent's search_dir, search_file and find_file: `Found 12 matches for "x" in /repo:`.
const SWE_AGENT_FOUND = /^Found \d+ matches for ".*" in \S.*:$/;
// ripgrep's heading mode: a path alone on its line, then `12:content` lines (not `12:30:01`).
const NUMBERED_LINE = /^\d+[:-](?!\d\d[:.])/;
const FILE_EXTENSION = /\.[A-Za-z]\w{0,9}$/;

function isPathAlone(line: string): boolean {
  if (line.length >= SEARCH_LINE_CHARS || /[\s:]/.test(line)) return false;
  return FILE_EXTENSION.test(line.slice(Math.max(line.lastIndexOf('/'), line.lastIndexOf('\\')) + 1));
}

function detectSearch(lines: string[]): Detection | undefined {
  if (lines.slice(0, 5).some((line) => line.length < 1000 && SWE_AGENT_FOUND.test(line))) {
    return { kind: 'search', why: 'starts like SWE-agent search results (Found N matches for …)' };
  }
  const hits = share(lines, isSearchLine);
  if (lines.length >= 2 && hits >= 0.6) {
    return { kind: 'search', why: `${Math.round(hits * 100)}% of lines are path:line: matches` };
  }
  let headings = 0;
  const grouped = share(lines, (line) => {
    if (NUMBERED_LINE.test(line)) return true;
    return isPathAlone(line) && ++headings > 0;
  });
  if (lines.length >= 3 && headings > 0 && headings < lines.length / 2 && grouped >= 0.8) {
    return { kind: 'search', why: `${headings} file headings over numbered lines (ripgrep --heading)` };
  }
  return undefined;
}

function detectLog(lines: string[]): Detection | undefined {
  if (lines.length < 3) return undefined;
  const prefixed = share(lines, (line) => LOG_PREFIX.test(line) || EARLY_TIME.test(line));
  const levelled = share(lines, (line) => LEVEL_WORD.test(line.slice(0, 120)));
  if (prefixed >= 0.6 || levelled >= 0.6) {
    return {
      kind: 'log',
      why: `${Math.round(prefixed * 100)}% of lines start with a timestamp, ${Math.round(levelled * 100)}% carry a level`,
    };
  }
  return undefined;
}

const CODE_LINE =
  /^\s*(import |export |from \S+ import|def |class |function |const |let |var |return\b|if \(|for \(|while \(|fn |pub |impl |use |package |func |#include|#define|public |private |protected |static |async |await |}\s*(else|catch)?|@\w+|\/\/|\/\*|\* |#!|(el)?if .*:$|else:$|for .*:$|while .*:$|try:$|except\b.*:$|finally:$|with .*:$|raise |yield\b|pass$|elsif |unless |end$|rescue\b|\w+ := |defer |\w+(\.\w+)* [-+*/%|&]?= .*[\])'"\w]$|[\w.$]+\(.*\)$|(else|begin|break|next|ensure)$|self\.|"""|''')|[;{]\s*$|^\s+# /;
// Lines that only a definition or an import starts: a file with many of them is code even when
// long docstrings or data tables dilute the share of code-like lines (Python's stdlib does both).
const DEFINITION_LINE =
  /^\s*(def \w+\s*\(.*:$|def (self\.)?\w+[?!]?(\(.*\))?$|class \w+.*:$|require(_relative)? ['"]|import [\w.]+|from [\w.]+ import |fn \w+|func |package \w+$|#include|public (static )?(class|void|final)|impl\b)/;

function detectCode(lines: string[]): Detection | undefined {
  if (lines.length < 3) return undefined;
  const codeLike = share(lines, (line) => CODE_LINE.test(line));
  // Markdown quotes code in ``` fences; such a document is prose with examples, not a source file.
  if (lines.filter((line) => line.trimStart().startsWith('```')).length >= 2) return undefined;
  if (codeLike >= 0.45) return { kind: 'code', why: `${Math.round(codeLike * 100)}% of lines look like code` };
  const definitions = lines.filter((line) => DEFINITION_LINE.test(line)).length;
  if (definitions >= 10 || (definitions >= 5 && codeLike >= 0.2)) {
    return { kind: 'code', why: `${definitions} definition or import lines, ${Math.round(codeLike * 100)}% code-like` };
  }
  return undefined;
}

// CI runners frame every line: GitHub Actions' timestamps and `##[group]`, Travis' fold markers,
// Jenkins' `[Pipeline]`. What they frame is build output, whatever its first lines look like.
const RUNNER_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z |^travis_(?:fold|time):|^\[Pipeline\] |^##\[(?:group|endgroup|error|warning)\]/;

function detectRunner(raw: string[]): Detection | undefined {
  const framed = share(raw, (line) => RUNNER_LINE.test(line));
  const travis = raw.some((line) => line.startsWith('travis_fold:'));
  if (framed >= 0.3 || travis) return { kind: 'build', why: `CI runner output (${Math.round(framed * 100)}% of lines framed)` };
  return undefined;
}

function detectTableKind(lines: string[]): Detection | undefined {
  return detectTable(lines);
}

function detectProse(lines: string[]): Detection | undefined {
  const prose = share(lines, isProseLine);
  if (lines.length > 0 && prose >= 0.4) return { kind: 'text', why: `${Math.round(prose * 100)}% of lines are prose` };
  return undefined;
}
