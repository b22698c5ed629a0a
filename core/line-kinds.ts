/*
 * What one line of a tool output looks like, for the router (whole documents) and the segmenter
 * (regions). Each test reads a bounded head of the line with anchored or hand-written scans, so a
 * megabyte line costs what a short one does.
 */

// `path:line:` (grep -n, ripgrep) or `path-line-` (context lines): the path ends in a file
// extension or contains a slash, and has no spaces. Each `:N:` / `-N-` in the first 512
// characters is a candidate end of the path (`gpt-4-turbo.ts-17-` has several); scanned by hand,
// because a regex that finds the path's end by backtracking is quadratic on long lines.
const SEARCH_PATH = /^(?:[^\s:]*\/[^\s:]+|[^\s:/]+\.[A-Za-z]\w{0,9})$/;
export const SEARCH_LINE_CHARS = 512;

/**
 * A grep/ripgrep hit: `src/a.ts:12:text` or a context line `src/a.ts-11-text`. Not a compiler
 * diagnostic (`src/a.c:12:5: error: …`), which has the same shape but is build output.
 */
export function isSearchLine(line: string): boolean {
  return isPathLineHit(line) && !DIAGNOSTIC.test(line.slice(0, SEARCH_LINE_CHARS));
}

// `path:12:` or `path:12:5:` followed by a severity: what compilers print, not search hits.
const DIAGNOSTIC = /^\S+?[:(]\d+(?:[:,]\d+)?\)?:? *(?:fatal error|error|warning|note|Error|Warning)\b/;

function isPathLineHit(line: string): boolean {
  const end = Math.min(line.length, SEARCH_LINE_CHARS);
  for (let i = 1; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) return false;
    if (c !== 58 && c !== 45) continue; // ':' or '-'
    let j = i + 1;
    while (j < end && line.charCodeAt(j) >= 48 && line.charCodeAt(j) <= 57) j++;
    if (j > i + 1 && j < end && line.charCodeAt(j) === c && SEARCH_PATH.test(line.slice(0, i))) return true;
  }
  return false;
}

// A log line starts with a timestamp-like run of digits and separators, a month name, or a
// level, or carries a level word early on.
export const LOG_PREFIX =
  /^(\[\s*\d+\.\d{6}\] |\[?\d{2,4}[-/.:]\d{1,2}[-/.:]\d{1,4}|\[?\d{6,}[ T]|- \d{9,}|\[?(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}\d{1,2} |\d{8}-\d{2}:|\[?\d{1,2}:\d{2}:\d{2}|\[?(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL)\b)/;
export const LEVEL_WORD = /\b(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|NOTICE|CRITICAL|SEVERE)\b/;

// A clock time near the start of the line: `03-17 16:13:38.811`, `[Sun Dec 04 04:47:44 2005]`.
export const EARLY_TIME = /^.{0,30}\b\d{1,2}:\d{2}:\d{2}/;

const LEVEL_FIRST = /^\[?(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL)\b/;

/**
 * A line that starts like a log entry: a timestamp, a clock time near the start, or (unless
 * `timestamped`) a level. Build tools print levels too (Maven's `[INFO]`); inside build output only
 * a time says that lines come from a log.
 */
export function isLogLine(line: string, timestamped = false): boolean {
  if (EARLY_TIME.test(line)) return true;
  return LOG_PREFIX.test(line) && !(timestamped && LEVEL_FIRST.test(line));
}

// Words of prose: letters with inner apostrophes or hyphens.
const WORD = /\p{L}[\p{L}'’-]*/gu;
// How console lines start: a prompt, a level or tag in brackets, a key and a colon.
const CONSOLE_START = /^\s*(?:[$#>+|*=~-]\s|\[|\w+(?:\s\w+)?:\s|[\w.-]+\s*=|[✓✔✗✘×✖●○])/u;

/**
 * A line of prose: at least six words, mostly letters and spaces, with no prompt, tag or key in
 * front. Headings, list items and short lines are not prose on their own; the segmenter's window
 * gives them to the region around them.
 */
export function isProseLine(line: string): boolean {
  if (line.length < 30 || CONSOLE_START.test(line)) return false;
  const words = line.match(WORD);
  if (!words || words.length < 6) return false;
  let letters = 0;
  for (const word of words) letters += word.length;
  const spaces = words.length - 1;
  return (letters + spaces) / line.length >= 0.8;
}
