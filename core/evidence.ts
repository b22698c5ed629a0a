import { stripFraming } from './framing.ts';

/*
 * The evidence layer: which lines of a tool output say why something failed. It is a veto, not
 * a compressor: every line-based compressor gets `keep` and must not fold those lines, whatever
 * its own rules or the budget say; the core checks the result (see `vetoFolds` in regions.ts).
 *
 * Kept, always:
 * - errors and failures: error/fail/exception/fatal/panic/abort words, exception type names
 *   (`TypeError`, `ComparisonFailure`), `could not`, `No such file or directory`, `command not
 *   found`, segfaults, … — but not `0 errors`, `Failures: 0`, `-Werror` or `--fail-fast`;
 * - non-zero exit codes (`exited with 1`, `exit code 2`, `Error 2`);
 * - assertions and expectations (`expected … but was …`, `Expected:` / `Received:`);
 * - `file:line[:col]` diagnostics with a severity (`a.c:3:5: error: …`, `A.cs(20,40): error CS0103`);
 * - verdicts and summaries (`BUILD FAILURE`, `Tests run: 4, Failures: 1`, `3 failed`,
 *   `Finished: FAILURE`, `The command "npm test" exited with 1.`);
 * - the lines right under an error that belong to it: an indented block, gcc's source line and
 *   caret, a list of what was missing (up to BLOCK_LINES);
 * - stack frames under an error: the first FIRST_FRAMES of each trace, every frame of the
 *   project's own code, and `Caused by:` / `... 12 more`;
 * - the last TAIL_LINES non-blank lines, where runners print their verdict (a verdict they recognise
 *   earlier is kept by the rules above; this is the net under them).
 *
 * Evidence that repeats is grouped (by own file or dependency, error code and message shape): the
 * first examples of each group stay, the rest may fold and `repeatLabel` says what they are for
 * the marker (`880 more TS2307 errors in node_modules/@types/node`). The project's own files keep
 * more examples than dependencies do.
 *
 * Cost: one pass over the lines, reading at most HEAD_CHARS of each, with anchored or bounded
 * regular expressions.
 */

export interface Evidence {
  /** 1 where a line must stay visible. */
  keep: Uint8Array;
  /** 1 where a line is evidence, kept or a folded repeat: compressors keep lines near these first. */
  anchor: Uint8Array;
  /** For evidence lines that repeat a group beyond its examples: what the fold summary calls them. */
  repeatLabel: Map<number, string>;
  /** A log region's own level of each line (compressors/logs.ts `classifyLines`), read once. */
  levels?: Uint8Array;
}

export interface EvidenceOptions {
  /**
   * Whether plain failure words count (`error`, `failed`, `cannot`). True for process output (logs,
   * build and test output); false for prose, where "the error rate fell" is not a failure: only
   * the structural signs count there (tracebacks, diagnostics, exit codes, exception names).
   */
  words?: boolean;
  /** Whether the last lines are kept. True for process output, where the verdict comes last. */
  tail?: boolean;
}

const HEAD_CHARS = 300;
const TAIL_LINES = 2;
const BLOCK_LINES = 8;
const DIFF_LINES = 40;
const FIRST_FRAMES = 6;
// A trace belongs to an error this many lines above it (a code frame can sit in between).
const FRAME_REACH = 8;
// Examples kept per group of repeated evidence, in the project's own files and in dependencies.
const OWN_EXAMPLES = 50;
const DEPENDENCY_EXAMPLES = 3;

// Said with zero: not a failure. Removed before the failure words are looked for.
const ZERO_COUNTS =
  /\b(?:0|no|zero) (?:errors?|failures?|failed|failing|problems?|warnings?)\b|\b(?:errors?|failures?|failed|failing)(?: ?[:=] ?| )0\b(?![.\d])|\bwithout (?:errors?|failures?)\b/gi;
// Tokens whose words are names, not statements: paths, dotted names, flags, hyphenated names.
const NAME_TOKEN = /\S*[/\\]\S*|\b[\w$]+(?:\.[\w$]+)+\b|(?:^|\s)--?[\w-]+(?:=\S*)?|\b\w+(?:-\w+)+\b/g;
const FAILURE_WORD =
  /\b(?:errors?|ERRORS?|Errors?|ERR!|FATAL|[Ff]atal|FAIL(?:ED|URES?|ING)?|[Ff]ail(?:ed|s|ure|ures|ing)?|[Pp]anic(?:ked)?|PANIC|[Ee]xception|Traceback|ABORTED|[Aa]bort(?:ed|ing)?|CRASH(?:ED)?|[Cc]rash(?:ed)?|[Vv]iolation)\b/;
const FAILURE_PHRASE =
  /No such file or directory|command not found|Segmentation fault|core dumped|undefined reference|[Pp]ermission denied|\b[Cc]ould ?n[o']t\b|\b[Cc]an(?:not|'t)\b|\b[Uu]nable to\b|\bnot (?:installed|defined|declared|resolved|found)\b|\b(?:[Ii]s|[Aa]re|[Ww]as) not\b.*\b(?:available|supported|allowed|permitted)\b|\b[Tt]imed out\b|\bKilled\b|\b[Oo]ut of memory\b|\bNo rule to make target\b|\b[Uu]nresolved\b|\b[Uu]nknown (?:option|command|word|flag|argument|type|identifier|module)\b|\b[Ss]yntax ?[Ee]rror\b|\b[Dd]eprecated and removed\b|\bInvalid (?:read|write|free)\b|\buninitialised value\b|\bdefinitely lost\b|\bMismatched free\b/;
// A type name that says error: `TypeError`, `NullPointerException`, `ComparisonFailure`.
const ERROR_TYPE = /\b[A-Z]\w*(?:Exception|Error|Failure|Fault)\b/;
const EXIT_CODE =
  /\bexit(?:ed)?(?: with)?(?: code| status)?:? ?-?[1-9]\d*\b|\bexited with (?:code |status )?-?[1-9]|\breturned (?:a )?non-?zero\b|\bnon-?zero exit\b|\bError -?[1-9]\d*\s*$|\bstatus(?: code)? -?[1-9]\d*\s*$/i;
// Also jest's and vitest's matcher hint, the first line of their failure message:
// `expect(received).toBe(expected) // Object.is equality`.
const ASSERTION =
  /\bexpect\((?:received|actual)\)\.|\b[Ee]xpected\b.*\b(?:but|got|received|was|actual|found|to (?:be|equal|have|contain))\b|^\s*(?:[-+] )?(?:Expected|Received|Actual|expected|actual|Difference)\b\s*(?:[:(]|value|result|\d)|\bassert(?:ion)?s?\b|\bAssert\w*\b|\bshould (?:be|equal|have)\b.*\b(?:but|got)\b/;
// Read from the file extension on: a leading `[\w./-]+` for the path would backtrack at every
// position of a long path-like line.
const DIAGNOSTIC =
  /\.\w{1,8}(?::\d+(?::\d+)?|\(\d+(?:,\d+)?\))(?::|\s)\s*(?:(?:\w+\s+)?(?:fatal error|error|warning|Error|Warning|ERROR|WARNING|E\d{3,}|W\d{3,})\b|required from\b|In instantiation of\b)/;
// Verdicts anchored at the start of the line (cheap: they fail at the first character)...
const VERDICT_START =
  /^\s*(?:Test Suites: |Tests: |Ran \d+ tests?\b|(?:FAILED|OK) \(|\*\* \(\w+|rake aborted!|not ok\b|FAIL\b|FAILED\b|ERROR\b)|^=+ .*\b(?:passed|failed|errors?)\b.* in [\d.]+m?s\b/;
// ...and anywhere.
const VERDICT_ANYWHERE =
  /\bBUILD (?:FAILURE|FAILED|SUCCESS(?:FUL)?)\b|\bFinished: [A-Z]+\b|\bTests run: \d+, Failures: \d+|(?<!\b(?:line|at|on) )\b\d+ (?:failed|failing|failures?|errors?|broken)\b|\btest result: |\bFound \d+ errors?\b|\b\d+ problems? \(|Your build exited|\bnpm ERR!|\bFAILURES!+/;
// The unanchored rules (exit codes, diagnostics, error types, verdicts) each need one of these
// words: one scan for any of them skips the rules on the many lines that have none.
const TRIGGER =
  /required from|instantiation|exit|Exit|EXIT|zero|ZERO|rror|RROR|tatus|TATUS|arning|ARNING|Exception|Failure|Fault|BUILD |Finished: |Tests run: | fail| broken|test result: |Found | problem|Your build exited|FAILURES!|[EW]\d{3}/;

// Lines that continue the error above them without being indented: list items, gcc's caret,
// PowerShell's `+ ~~~~` under the failing statement and its `At path:12 char:5`, and labelled
// explanations (`Reason: …`, `Hint: …`).
const BLOCK_LINE =
  /^\s*(?:[-*|~^]\s|\^|[-+]\s+\S|At \S+:\d+ char:\d+|(?:Reason|Cause|Details?|Message|Hint|Help|Note|Expected|Actual|Got|Received)\s*:)/;
// A line of a unified diff (or of an expected/actual diff).
const DIFF_LINE = /^\s*(?:[-+@]|\s)/;
const TAP_FAILURE = /^\s*not ok\b/;
// eslint's stylish format: a path alone on its line, then `  12:5  error  message  rule` lines.
const FILE_HEADING = /^\S*[/\\]\S*\.\w{1,8}\s*$/;
const FILELESS_DIAGNOSTIC = /^\s+\d+:\d+\s+(?:error|warning)\b/;
// A passing test: ends a block under an error.
const PASSING = /^\s*(?:✓|✔|√|ok \d|PASS\b|--- PASS)/;

function isVerdictLine(head: string): boolean {
  return VERDICT_START.test(head) || VERDICT_ANYWHERE.test(head);
}

// pytest's `E   assert 1 == 2` and `>       assert f(x)`; jest's `●` headers; the `> 17 |` line of a
// code frame (babel, jest, vitest), which points at the line that failed.
const RUNNER_FAILURE = /^(?:E {2,}\S|> {2,}\S|\s*●\s|\s*> ?\d+ \|)/;
// The header of an expected/actual diff (PHPUnit, jest, pytest, assert libraries).
const ASSERTION_DIFF = /^\s*(?:-{3} ?(?:Expected|expected|a\/)|\+{3} ?(?:Actual|actual|Received|b\/)|- Expected\b|\+ Received\b|@@ .* @@)/;
// An error line whose own text is a diagnostic header with more below it (gcc's include chain).
const INCLUDE_CHAIN = /^\s*(?:In file included from|from) \S+:\d+/;
const STACK_FRAME =
  /^\s*\S+\.\w{1,8}:\d+\s*$|^\s+at \S|^\s*File "[^"]*", line \d|^\s+from \S+:\d+:in |^\s*\S+\.\w{1,6}:\d+:in [`'‘]|^\s*\d+: +\S|^\s+\S+\.go:\d+\b|^\s*goroutine \d+ \[|^\s*#\d+ +0x[0-9a-f]+ |^\s+\S+\.\w{1,6}:\d+: \S|^\s+\(\w+\) \S+:\d+: /;
const TRACE_LINK = /^\s*(?:Caused by:|Suppressed:|Address 0x[0-9a-f]+ is |Block was alloc'd at|\.\.\. \d+ (?:more|common frames omitted)|During handling of the above exception|The above exception was the direct cause)/;
// Frames of code that is not the project's own: dependencies, the runtime, the test framework.
const DEPENDENCY = /node_modules|site-packages|dist-packages|\/vendor\/|\bvendor\/|\/usr\/(?:lib|share|local\/lib)|\.cargo\/registry|\.m2\/repository|\/\.rvm\/|\/gems\/|third_party|node:internal|<anonymous>|\bat (?:java|javax|jdk|sun|kotlin|scala|org\.junit|org\.apache\.maven|org\.gradle|junit)\.|\((?:java|jdk|sun)\.|\/rustc\/|\/lib\/python\d|\/go\/src\/runtime\/|^\s*\(elixir\)/;
const ERROR_CODE = /\b(?:TS\d{4,5}|CS\d{4}|E\d{4}|[A-Z]{1,4}\d{3,5}|[A-Z]+_[A-Z_]+)\b/;

/**
 * Finds the lines of `lines` that carry failure evidence. `lines` are the original lines of the
 * output (framing such as ANSI colours and CI timestamps is stripped here before reading).
 *
 * @example
 * const { keep } = findEvidence(output.split('\n'));
 * // keep[i] === 1: the compressor must leave line i visible
 */
export function findEvidence(lines: readonly string[], options: EvidenceOptions = {}): Evidence {
  const words = options.words ?? true;
  const keep = new Uint8Array(lines.length);
  const anchor = new Uint8Array(lines.length);
  const heads = lines.map((line) => stripFraming(line.length > HEAD_CHARS * 2 ? line.slice(0, HEAD_CHARS * 2) : line).slice(0, HEAD_CHARS));

  for (let index = 0; index < lines.length; index++) {
    if (isEvidence(heads[index]!, words)) anchor[index] = 1;
  }
  markTraces(heads, anchor, keep);
  for (let index = 0; index < lines.length; index++) if (anchor[index] && !isFrame(heads[index]!)) keep[index] = 1;
  const repeatLabel = groupRepeats(heads, keep);
  markBlocks(heads, keep, anchor);
  markFileHeadings(heads, keep);
  if (options.tail ?? words) markTail(heads, keep);
  return { keep, anchor, repeatLabel };
}

/** Whether one line (framing stripped, at most HEAD_CHARS) states a failure. */
export function isEvidence(head: string, words = true): boolean {
  // A passing test named for an error (`✓ throws an error on bad input`) is no failure.
  if (head.trim() === '' || PASSING.test(head)) return false;
  const triggered = TRIGGER.test(head);
  if (
    (triggered && (EXIT_CODE.test(head) || DIAGNOSTIC.test(head) || ERROR_TYPE.test(head) || VERDICT_ANYWHERE.test(head))) ||
    VERDICT_START.test(head)
  ) {
    return !isZeroSummary(head);
  }
  if (/^\s*Traceback \(most recent call last\)/.test(head) || RUNNER_FAILURE.test(head)) return true;
  if (ASSERTION_DIFF.test(head) && !/^@@/.test(head)) return true;
  if (!words) return false;
  if (ASSERTION.test(head) || INCLUDE_CHAIN.test(head)) return true;
  // Most lines have no failure word at all; only those that do are read again without the
  // words that are names or zeros.
  if (!FAILURE_WORD.test(head) && !FAILURE_PHRASE.test(head)) return false;
  const statement = head.replace(ZERO_COUNTS, ' ').replace(NAME_TOKEN, ' ');
  return FAILURE_WORD.test(statement) || FAILURE_PHRASE.test(statement);
}

// `Tests run: 12, Failures: 0, Errors: 0, Skipped: 0`, `0 failed`: a summary that says all passed.
function isZeroSummary(head: string): boolean {
  const rest = head.replace(ZERO_COUNTS, ' ');
  if (rest === head) return false;
  return !(/\b[1-9]\d* (?:failed|failing|errors?|failures?)\b|\b(?:Failures|Errors): [1-9]/.test(rest) || ERROR_TYPE.test(rest) || EXIT_CODE.test(rest));
}

function isFrame(head: string): boolean {
  return STACK_FRAME.test(head);
}

/**
 * Stack traces under an error: the first frames, the project's own frames and the links between
 * chained exceptions stay; the other frames are anchors only (foldable). A trace is a run of frame
 * lines that starts within a few lines of an evidence line.
 */
function markTraces(heads: readonly string[], anchor: Uint8Array, keep: Uint8Array): void {
  let lastEvidence = -Infinity;
  let framesInTrace = 0;
  let inTrace = false;
  for (let index = 0; index < heads.length; index++) {
    const head = heads[index]!;
    const frame = isFrame(head);
    if (TRACE_LINK.test(head)) {
      keep[index] = 1;
      anchor[index] = 1;
      framesInTrace = 0;
      inTrace = true;
      lastEvidence = index;
      continue;
    }
    if (frame && (inTrace || index - lastEvidence <= FRAME_REACH)) {
      inTrace = true;
      anchor[index] = 1;
      if (framesInTrace < FIRST_FRAMES || !DEPENDENCY.test(head)) keep[index] = 1;
      framesInTrace++;
      continue;
    }
    if (head.trim() === '' && inTrace) continue;
    inTrace = false;
    framesInTrace = 0;
    if (anchor[index]) lastEvidence = index;
  }
}

/**
 * Groups kept evidence by (own file or dependency, error code, message shape) and lets all but
 * the first examples of each group fold. Returns the label of each line let go.
 */
function groupRepeats(heads: readonly string[], keep: Uint8Array): Map<number, string> {
  const groups = new Map<string, number[]>();
  for (let index = 0; index < heads.length; index++) {
    if (!keep[index]) continue;
    const key = shapeKey(heads[index]!);
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  }
  const labels = new Map<number, string>();
  for (const [key, members] of groups) {
    const dependency = key.startsWith('dep ');
    const examples = dependency ? DEPENDENCY_EXAMPLES : OWN_EXAMPLES;
    if (members.length <= examples + 1) continue;
    const head = heads[members[0]!]!;
    const code = ERROR_CODE.exec(head.replace(NAME_TOKEN, ' '))?.[0];
    const where = dependency ? ` in ${dependencyRoot(head)}` : '';
    const label = `more ${code ? `${code} ` : ''}${isFrame(head) ? 'frames' : 'lines like these'}${where}`;
    for (const index of members.slice(examples)) {
      keep[index] = 0;
      labels.set(index, label);
    }
  }
  return labels;
}

// The shape of an evidence line: paths become their file name, quoted text,
// numbers and hex become placeholders; a zero stays a zero, so `Failures: 0` and `Failures: 1` differ.
function shapeKey(head: string): string {
  const dependency = DEPENDENCY.test(head);
  // The project's own errors group per file; a dependency's per package (its 300 errors are one
  // problem: the project should not be compiling it).
  const shape = head
    .replace(/(["'‘`])[^"'’`]{0,200}["'’`]/g, 'Q')
    .replace(/\S*[/\\](\S*)/g, (path: string, last: string) => (dependency ? dependencyRoot(path) : last.replace(/[:(]\d.*$/, '')))
    .replace(/\b0x[0-9a-f]+\b/gi, 'H')
    .replace(/\b[1-9]\d*\b/g, 'N')
    .replace(/\s+/g, ' ')
    .trim();
  return `${dependency ? 'dep' : 'own'} ${shape}`;
}

// `node_modules/@types/node`, `site-packages/numpy`: where a dependency's line points.
function dependencyRoot(head: string): string {
  const match = /(node_modules\/(?:@[^/\s]+\/)?[^/\s:()]+|site-packages\/[^/\s:()]+|vendor\/[^/\s:()]+)/.exec(head);
  return match?.[1] ?? 'dependencies';
}

/**
 * The lines right under a kept error that belong to it: indented lines, gcc's source line and
 * caret (`   ^~~~`), list items (`- python=3.4`) — until a blank line, up to BLOCK_LINES.
 */
function markBlocks(heads: readonly string[], keep: Uint8Array, anchor: Uint8Array): void {
  for (let index = 0; index < heads.length; index++) {
    const head = heads[index]!;
    if (!keep[index] || !anchor[index] || isFrame(head)) continue;
    // A failing TAP result's YAML block (`---` … `...`) holds its error, diff and location.
    if (TAP_FAILURE.test(head) && /^\s*---\s*$/.test(heads[index + 1] ?? '')) {
      keepWhile(heads, keep, index + 1, DIFF_LINES, (line, at) => at === index + 1 || !/^\s*\.\.\.\s*$/.test(heads[at - 1]!));
      continue;
    }
    // Blocks hang under an error or an assertion, not under a verdict (`FAIL src/a.test.ts`
    // lists the file's passing tests under it).
    if (isVerdictLine(head)) continue;
    // An expected/actual diff under a failed assertion is the failure itself: all of its lines,
    // across a blank line between its header and its body.
    if (ASSERTION_DIFF.test(head)) {
      keepWhile(heads, keep, index + 1, DIFF_LINES, (line, at) =>
        line.trim() === '' ? DIFF_LINE.test(heads[at + 1] ?? '') : DIFF_LINE.test(line),
      );
      continue;
    }
    const base = indentation(head);
    keepWhile(heads, keep, index + 1, BLOCK_LINES, (line) =>
      line.trim() !== '' && !PASSING.test(line) && (indentation(line) > base || BLOCK_LINE.test(line)),
    );
  }
}

// Keeps lines from `start` while `belongs` says so, at most `limit` of them.
function keepWhile(
  heads: readonly string[],
  keep: Uint8Array,
  start: number,
  limit: number,
  belongs: (line: string, at: number) => boolean,
): void {
  for (let at = start; at < heads.length && at - start < limit && belongs(heads[at]!, at); at++) keep[at] = 1;
}

/**
 * A diagnostic without a file (`  88:11  error  'x' is not defined`, as eslint prints them under
 * a heading) keeps the file heading above it, or the error says where nothing is.
 */
function markFileHeadings(heads: readonly string[], keep: Uint8Array): void {
  let heading = -1;
  for (let index = 0; index < heads.length; index++) {
    const head = heads[index]!;
    if (FILE_HEADING.test(head)) heading = index;
    else if (heading >= 0 && keep[index] && FILELESS_DIAGNOSTIC.test(head)) keep[heading] = 1;
  }
}

function markTail(heads: readonly string[], keep: Uint8Array): void {
  let left = TAIL_LINES;
  for (let index = heads.length - 1; index >= 0 && left > 0; index--) {
    if (heads[index]!.trim() === '') continue;
    keep[index] = 1;
    left--;
  }
}

function indentation(line: string): number {
  let spaces = 0;
  while (spaces < line.length && (line.charCodeAt(spaces) === 32 || line.charCodeAt(spaces) === 9)) spaces++;
  return spaces;
}
