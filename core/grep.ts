import { RE2JS } from 're2js';

/*
 * The unfold tool's `grep`, safe against a hostile model. The pattern comes from the model, and
 * through it from whatever a tool output told the model, so:
 *
 * - it runs on RE2 (re2js, a JavaScript port), whose time is linear in the text: no pattern can
 *   backtrack catastrophically. A pattern of plain words (`ERROR|WARN`) takes V8's engine, which
 *   is linear on those and many times faster;
 * - the work is cut into slices of about 10 ms with a turn of the event loop between them, so
 *   that a large fold never holds up the other requests of the process, and no single match call
 *   is given more text than it can match in about 5 ms (see `windowChars`);
 * - patterns are at most MAX_PATTERN_CHARS long, programs at most MAX_INSTRUCTIONS, and a pattern
 *   RE2 cannot take (a backreference, a lookahead, a syntax error) is refused with RE2's reason,
 *   never guessed at.
 */

/** Longest pattern accepted, in characters. */
export const MAX_PATTERN_CHARS = 1000;
// RE2 matches in time linear in the text, times the size of the compiled program: about 2 to 8 ns
// per character and instruction, measured on re2js 2.10 (`(.*a){100}x` has 503 instructions and
// runs at 2.4 µs a character). Programs over MAX_INSTRUCTIONS are refused as too large, and text
// is handed to one match call in windows of at most WORK_PER_CALL / instructions characters
// (≈ 5 ms at 10 ns), so that no single call outlasts a slice.
const MAX_INSTRUCTIONS = 500;
const WORK_PER_CALL = 500_000;
const MAX_WINDOW_CHARS = 65_536;
const SLICE_MS = 10;

/** Why a pattern was refused: `too-large` (length or program size) or `invalid`. */
export type GrepRefusal = { refused: 'too-large' | 'invalid'; message: string };

/** A compiled grep: tests a line, or its window `start`-`end`, and says how many characters one call may take. */
export interface LineTest {
  test(line: string, start?: number, end?: number): boolean;
  windowChars: number;
}

/**
 * Compiles a grep pattern, case-insensitive, or says why it cannot be used.
 *
 * @example
 * const grep = compileGrep('timeout|refused');
 * if (!('refused' in grep)) grep.test('connection refused'); // true
 */
export function compileGrep(pattern: string): LineTest | GrepRefusal {
  if (pattern.length > MAX_PATTERN_CHARS) {
    return { refused: 'too-large', message: `it is ${pattern.length.toLocaleString('en-US')} characters long, over the limit of ${MAX_PATTERN_CHARS.toLocaleString('en-US')}` };
  }
  if (/^[^\\^$.|?*+()[\]{}]+(?:\|[^\\^$.|?*+()[\]{}]+)*$/.test(pattern)) {
    const words = new RegExp(pattern, 'i');
    // Plain words have no anchors or word boundaries: a slice matches as the whole line would.
    return { test: (line, start = 0, end = line.length) => words.test(start === 0 && end === line.length ? line : line.slice(start, end)), windowChars: MAX_WINDOW_CHARS };
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { refused: /too large|nests too deeply|repeat count/.test(reason) ? 'too-large' : 'invalid', message: reason };
  }
  const instructions = (compiled.re2() as { prog: { numInst(): number } }).prog.numInst();
  if (instructions > MAX_INSTRUCTIONS) {
    return { refused: 'too-large', message: `it compiles to ${instructions} instructions, over the limit of ${MAX_INSTRUCTIONS}` };
  }
  const machine = compiled.re2() as unknown as { matchWithGroup(input: string, start: number, end: number, anchor: number, groups: number): [boolean, number[] | null] };
  return {
    // A window is matched in place, so `^` and `\b` see the characters before it. Its end is the
    // end of the text for RE2, so `$` and `\b` could match there: in a window that is not the
    // line's last, a match ending at the window's end is left to the next window, which overlaps it.
    test: (line, start = 0, end = line.length) => {
      if (start === 0 && end === line.length) return compiled.test(line);
      const [hit, groups] = machine.matchWithGroup(line, start, end, 0, 1);
      return hit && (end === line.length || groups![1]! < end);
    },
    windowChars: Math.min(MAX_WINDOW_CHARS, Math.max(1024, Math.floor(WORK_PER_CALL / instructions))),
  };
}

/**
 * Indexes of the lines that `grep` matches. The work runs in slices of about 10 ms with a turn of
 * the event loop between them; greps running at once share the slices in turn, so that ten
 * parallel greps still hold the loop for one slice at a time, not ten. A line longer than the
 * grep's window is matched a window at a time; windows overlap by a quarter, so a match longer
 * than that which straddles two windows can be missed.
 *
 * @example
 * const grep = compileGrep('error');
 * if (!('refused' in grep)) await matchingLines(['a', 'ERROR b'], grep); // [1]
 */
export function matchingLines(lines: readonly string[], grep: LineTest): Promise<number[]> {
  return new Promise((resolve, reject) => {
    jobs.push({ lines, grep, line: 0, window: 0, hits: [], resolve, reject });
    if (jobs.length === 1) void runJobs();
  });
}

interface GrepJob {
  lines: readonly string[];
  grep: LineTest;
  /** Next line to test, and within a long line the next window. */
  line: number;
  window: number;
  hits: number[];
  resolve(hits: number[]): void;
  reject(error: unknown): void;
}

const jobs: GrepJob[] = [];

// One loop for all greps of the process: a slice of the first job, then it goes to the back.
async function runJobs(): Promise<void> {
  while (jobs.length > 0) {
    await nextTurn();
    const job = jobs[0]!;
    let done = false;
    try {
      done = runSlice(job, performance.now() + SLICE_MS);
    } catch (error) {
      jobs.shift();
      job.reject(error);
      continue;
    }
    jobs.shift();
    if (done) job.resolve(job.hits);
    else jobs.push(job);
  }
}

/** Works on `job` until `deadline`; true when it has tested every line. */
function runSlice(job: GrepJob, deadline: number): boolean {
  const { lines, grep } = job;
  const size = grep.windowChars;
  const step = size - Math.floor(size / 4);
  let work = 0;
  while (job.line < lines.length) {
    const line = lines[job.line]!;
    let hit = false;
    if (line.length <= size) {
      hit = grep.test(line);
      work += line.length + 1;
    } else {
      const start = job.window * step;
      hit = grep.test(line, start, Math.min(line.length, start + size));
      work += size;
      job.window++;
      if (!hit && start + size < line.length) {
        if (performance.now() > deadline) return false;
        continue;
      }
    }
    if (hit) job.hits.push(job.line);
    job.line++;
    job.window = 0;
    if (work >= size) {
      work = 0;
      if (performance.now() > deadline) return false;
    }
  }
  return true;
}

const waiting: Array<() => void> = [];

/**
 * Resolves on a later turn of the event loop, one caller per turn: the way long synchronous work
 * (a grep slice, splitting a large fold) is spread out, so that many requests at once do not all
 * run their share in the same turn and add up to one long stall.
 *
 * @example
 * await nextTurn(); // timers and I/O of other requests have run since
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length === 1) setImmediate(releaseOne);
  });
}

function releaseOne(): void {
  waiting.shift()?.();
  if (waiting.length > 0) setImmediate(releaseOne);
}
