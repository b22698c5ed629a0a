import { stripFraming } from '../framing.ts';

/*
 * How build, lint and test-runner output reads line by line: each line is noise (a passing test,
 * progress, a step that went fine), important (a failure, an error message, a location, a
 * summary), neutral or filler (blank lines, TAP plans, rules). Only the start of a line decides,
 * as a terminal shows it (core/framing.ts strips colours and CI timestamps). build.ts decides
 * from these classes what to fold.
 */

// Line classes. Important lines fold last; neutral ones fold only to meet the budget.
export const NEUTRAL = 0;
export const IMPORTANT = 1;
export const NOISE = 2;
export const FILLER = 3;

// Only the start of a line decides its class: bounded work per line, whatever its length.
export const HEAD_CHARS = 300;
interface NoiseRule {
  pattern: RegExp;
  /** What the summary counts one line as; unlabelled noise only adds to the marker's line count. */
  label?: string;
  /** Characters a matching line starts with (after indentation), so most rules never run. */
  starts?: string;
  /** Text a line must contain to match, for the rules not anchored at its start. */
  contains?: string;
}

// Lines that say "this test passed". Tried before the failure patterns, so that
// `✓ throws an error on bad input` counts as a passing test, not as an error.
const PASS_RULES: NoiseRule[] = [
  { pattern: /^\s*(✓|✔|√)\s.*\(\d+ tests?\)/, label: 'passing files', starts: '✓✔√' }, // vitest file line
  { pattern: /^\s*(✓|✔|√)\s/, label: 'passing', starts: '✓✔√' }, // jest, vitest, mocha, node:test spec
  { pattern: /^\s*(○|↓|﹣)\s|^\s*- (skipped|todo)\b/, label: 'skipped', starts: '○↓﹣-' },
  { pattern: /^\s*PASS\s+\S/, label: 'passing files', starts: 'P' }, // jest
  { pattern: /^\s*ok \d+\b.*# (SKIP|TODO)\b/i, label: 'skipped', starts: 'o', contains: '# ' }, // TAP
  { pattern: /^\s*ok \d+\b/, label: 'passing', starts: 'o' },
  { pattern: /^\s*--- PASS: /, label: 'passing', starts: '-' }, // go test
  { pattern: /^\s*--- SKIP: /, label: 'skipped', starts: '-' },
  { pattern: /^=== (RUN|PAUSE|CONT|NAME)\s/, starts: '=' },
  { pattern: /^ok\s+\S+\s+(\(cached\)|[\d.]+m?s)/, label: 'packages ok', starts: 'o' },
  { pattern: /^\?\s+\S+\s+\[no test files\]/, label: 'without tests', starts: '?' },
  { pattern: /^PASS\s*$/, starts: 'P' },
  { pattern: /^\s*test \S+ \.\.\. ok\s*$/, label: 'passing', starts: 't' }, // cargo test
  { pattern: /^\s*test \S+ \.\.\. ignored\b/, label: 'skipped', starts: 't' },
  { pattern: /^test\w* \([\w.]+\)(?: .*)? \.\.\. ok\s*$/, label: 'passing', starts: 't' }, // python -m unittest -v
  { pattern: /^test\w* \([\w.]+\)(?: .*)? \.\.\. skipped\b/, label: 'skipped', starts: 't' },
  { pattern: /::\S+ PASSED\b|^PASSED \S+::/, label: 'passing', contains: 'PASSED' }, // pytest -v, -rA
  { pattern: /::\S+ SKIPPED\b|^SKIPPED \[/, label: 'skipped', contains: 'SKIPPED' },
  { pattern: /::\S+ XFAIL\b|^XFAIL \S+::/, label: 'expected failures', contains: 'XFAIL' },
];

// Lines that say "still working". Tried after the failure patterns: `Updating failed` stays.
const STEP_RULES: NoiseRule[] = [
  { pattern: /^\s*(Compiling|Checking|Documenting) \S+ v?\d/, label: 'compiled', starts: 'CD' }, // cargo
  {
    pattern: /^\s*(Downloaded|Downloading|Unpacking|Fresh|Locking|Adding|Updating|Blocking) \S/,
    label: 'fetched',
    starts: 'DUFLAB',
  },
  { pattern: /^Requirement already satisfied: /, label: 'already satisfied', starts: 'R' }, // pip
  { pattern: /^\s*(Collecting|Using cached|Obtaining|Looking in indexes) /, label: 'collected', starts: 'CUOL' },
  {
    pattern:
      /^\s*(Building wheels? for|Created wheel for|Stored in directory|Installing build dependencies|Getting requirements|Preparing (editable )?metadata|Checking if build backend|Building editable for|Attempting uninstall|Found existing installation|Uninstalling|Successfully uninstalled|Running setup\.py|Processing|Installing collected packages)\b/,
    starts: 'BCSIGPAFUR',
  },
  { pattern: /^npm (warn|WARN) deprecated\b/, label: 'deprecation warnings', starts: 'n' },
  { pattern: /^npm (http|timing|sill|silly|verb|verbose)\b/, starts: 'n' },
  { pattern: /^Progress: resolved \d+/, starts: 'P' }, // pnpm
  { pattern: /^(Get|Hit|Ign):\d+ /, starts: 'GHI' }, // apt
  { pattern: /^(Selecting previously unselected|Preparing to unpack|Setting up|Processing triggers for) /, starts: 'SP' },
  { pattern: /^(Downloading|Downloaded|Progress) (from|\()/, starts: 'DP' }, // maven
  { pattern: /^> Task \S+( UP-TO-DATE| NO-SOURCE| FROM-CACHE| SKIPPED)?\s*$/, starts: '>' }, // gradle
];

// Failure and error markers at the start of a line (`1) Suite` is how mocha numbers failures).
const FAILURE_START =
  /^\s*(✕|✗|✘|×|✖|❯|●|FAIL\b|FAILED\b|ERROR\b|ERR!|not ok\b|--- FAIL|panic:|E\s|>\s|\d+\) \S|Traceback\b|thread '.*' panicked|error(\[\w+\])?:|warning\[)/;
// Words that mark an error message anywhere in the line's head.
const FAILURE_WORD =
  /\b(errors?|fail|failed|failures?|failing|panic|panicked|exception|fatal|assert|assertion|aborted|segmentation fault|timed? ?out|undefined reference|cannot|could not|unable to|not found|no such file|denied|expected|received|mismatch|unresolved|unhandled|uncaught|crashed|killed|traceback)\b/i;
// A location: `a.ts:12`, `a.ts(3,5)`, `File "a.py", line 3`, or a stack frame.
const LOCATION = /\.[A-Za-z]\w{0,7}(:\d+|\(\d+,\d+\)|", line \d+)|^\s+at \S/;
// Totals and section headers that runners print once.
const SUMMARY =
  /^\s*(Tests?|Test Suites|Test Files|Suites|Snapshots|Time|Duration|Ran all test suites|Start at|test result|Finished|Successfully installed|added \d+ packages?|up to date|audited)\b|\b\d+ (passed|passing|failed|failing|pending|skipped|errors?|warnings?|problems?|tests?)\b|^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) \d|^[=_]{3,} .* [=_]{3,}\s*$/;
// pytest progress: `tests/test_a.py ..s..   [ 45%]` or a bare run of dots; F or E in it means failures.
const DOTS = /^(\S+\.py ?)?[.sxX]+\s*(\[\s*\d+%\])?\s*$/;
const DOTS_WITH_FAILURES = /^(\S+\.py ?)?[.sxXFE]*[FE][.sxXFE]*\s*(\[\s*\d+%\])?\s*$/;
// Lines that only group others: blank, `# Subtest: …`, a TAP plan, a rule.
const FILLER_LINE = /^\s*$|^\s*# Subtest: |^\s*1\.\.\d+\s*$|^\s*[-=─━_*~]{3,}\s*$/;
// Classification reads the line as a terminal shows it, without colours or CI timestamps.
export function classifiedHead(line: string): string {
  return stripFraming(line.length > HEAD_CHARS * 2 ? line.slice(0, HEAD_CHARS * 2) : line).slice(0, HEAD_CHARS);
}

export function classify(
  lines: readonly string[],
  classes: Uint8Array,
  labels: Array<string | undefined>,
  tallies: Uint32Array,
): void {
  // node:test writes a YAML block (`  ---` … `  ...`) under each TAP result: it belongs to that
  // result, so it folds with a passing test and stays with a failing one. A line indented less
  // than the block's `---` ends it too, should the `...` be missing.
  let yamlOwner = -1;
  let yamlIndent = 0;
  for (let index = 0; index < lines.length; index++) {
    const head = lines[index]!;
    if (yamlOwner >= 0 && (head.trim() === '' || indentation(head) >= yamlIndent)) {
      classes[index] = classes[yamlOwner] === NOISE ? NOISE : IMPORTANT;
      if (/^\s*\.\.\.\s*$/.test(head)) yamlOwner = -1;
      continue;
    }
    yamlOwner = -1;
    if (/^\s*---\s*$/.test(head) && index > 0 && /^\s*(not )?ok \d/.test(lines[index - 1]!)) {
      yamlOwner = index - 1;
      yamlIndent = indentation(head);
      classes[index] = classes[yamlOwner] === NOISE ? NOISE : IMPORTANT;
      continue;
    }
    classes[index] = classifyLine(lines, head, index, labels, tallies);
  }
}

function classifyLine(
  lines: readonly string[],
  head: string,
  index: number,
  labels: Array<string | undefined>,
  tallies: Uint32Array,
): number {
  if (FILLER_LINE.test(head)) return FILLER;
  const dots = DOTS.exec(head);
  if (dots) {
    let passed = 0;
    for (let i = (dots[1] ?? '').length; i < head.length; i++) if (head.charCodeAt(i) === 46) passed++;
    labels[index] = 'passing';
    tallies[index] = passed;
    return NOISE;
  }
  if (matchRule(PASS_RULES, head, index, labels, tallies)) {
    if (labels[index] === 'passing' && index > 0 && closesSuite(lines[index - 1]!, head)) {
      labels[index] = 'passing suites';
    }
    return NOISE;
  }
  if (
    DOTS_WITH_FAILURES.test(head) ||
    FAILURE_START.test(head) ||
    FAILURE_WORD.test(head) ||
    LOCATION.test(head) ||
    SUMMARY.test(head)
  ) {
    return IMPORTANT;
  }
  // A bare path is a heading (eslint's file line): the errors under it would lose their file.
  if (isPathLine(head)) return IMPORTANT;
  if (matchRule(STEP_RULES, head, index, labels, tallies) || isProgress(head)) return NOISE;
  return NEUTRAL;
}

// A suite's own result: in nested TAP its `ok` follows the suite's plan (`1..3`); in node's spec
// reporter its `✔` sits left of the last test's. Counted apart, so "passing" counts tests only.
function closesSuite(previous: string, head: string): boolean {
  if (/^\s*1\.\.\d+\s*$/.test(previous)) return true;
  return /^\s*(✓|✔|√)\s/.test(previous) && indentation(head) < indentation(previous);
}

function indentation(line: string): number {
  let spaces = 0;
  while (spaces < line.length && (line.charCodeAt(spaces) === 32 || line.charCodeAt(spaces) === 9)) spaces++;
  return spaces;
}

function matchRule(
  rules: readonly NoiseRule[],
  head: string,
  index: number,
  labels: Array<string | undefined>,
  tallies: Uint32Array,
): boolean {
  const first = head[indentation(head)] ?? '';
  for (const rule of rules) {
    if (rule.starts !== undefined && !rule.starts.includes(first)) continue;
    if (rule.contains !== undefined && !head.includes(rule.contains)) continue;
    if (rule.pattern.test(head)) {
      labels[index] = rule.label;
      tallies[index] = rule.label ? 1 : 0;
      return true;
    }
  }
  return false;
}

// `/home/me/src/a.js` or `src\a.ts` alone on its line.
function isPathLine(head: string): boolean {
  const path = head.trim();
  if (path.length < 3 || /\s/.test(path)) return false;
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dot = path.lastIndexOf('.');
  return slash >= 0 && dot > slash + 1 && dot < path.length - 1;
}

// A progress bar (a run of bar characters and a percentage, a size or a rate), or a line that
// a terminal redrew with carriage returns. A loop, not a regex, so nothing can backtrack.
function isProgress(head: string): boolean {
  const carriageReturn = head.indexOf('\r');
  if (carriageReturn >= 0 && carriageReturn < head.length - 1) return true;
  if (!/%|[kMG]i?B\b|it\/s/.test(head)) return false;
  let run = 0;
  for (let i = 0; i < head.length; i++) {
    if ('━█▉▊▋▌▍▎▏░▒▓#=>-'.includes(head[i]!)) {
      if (++run >= 5) return true;
    } else run = 0;
  }
  return false;
}

// Blank lines and subtest headers between two noise lines, and short headings (a suite name in
// jest's verbose output) between two noise lines, are part of the noise around them: without
// this, every `describe` block would get a marker of its own.
export function absorbIntoNoise(lines: readonly string[], classes: Uint8Array): void {
  let index = 0;
  while (index < lines.length) {
    const cls = classes[index]!;
    if (cls !== FILLER && cls !== NEUTRAL) {
      index++;
      continue;
    }
    let end = index;
    let neutral = 0;
    let short = true;
    while (end < lines.length && (classes[end] === FILLER || classes[end] === NEUTRAL)) {
      if (classes[end] === NEUTRAL) {
        neutral++;
        if (lines[end]!.length > 80) short = false;
      }
      end++;
    }
    // Blank lines at either end of the text go with the noise next to them; headings need noise
    // on both sides.
    const edge = neutral === 0 ? NOISE : NEUTRAL;
    const before = index === 0 ? edge : classes[index - 1];
    const after = end === lines.length ? edge : classes[end];
    const between = before === NOISE && after === NOISE && (index > 0 || end < lines.length);
    if (between && (neutral === 0 || (neutral <= 2 && short))) classes.fill(NOISE, index, end);
    index = end;
  }
}
