/*
 * What a terminal or a CI runner adds around a line, removed so that classifiers read the line as
 * a developer sees it. The compressors still keep and fold the original bytes; only their
 * decisions read the stripped view.
 *
 * - `\r` redraws: a progress bar rewritten in place is one line holding every frame; the terminal
 *   shows the last non-empty one.
 * - ANSI escapes: colours (`ESC[31m`), erase-line (`ESC[0K`, Travis prints it after every fold
 *   marker), and OSC titles.
 * - Runner prefixes: GitHub Actions' ISO timestamp on every line and its `##[group]` /
 *   `##[error]` commands, Travis' `travis_fold:` / `travis_time:` markers, Jenkins' timestamper
 *   (`[2026-12-02T10:14:03.123Z]`); valgrind's and the sanitizers' `==28108== ` process id.
 */

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;
const ACTIONS_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?/;
const JENKINS_TIMESTAMP = /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?\] ?/;
const ACTIONS_COMMAND = /^##\[(group|endgroup|error|warning|notice|debug|section|command)\]/;
const TRAVIS_MARKER = /^travis_(?:fold|time):[a-z]+:[^\s]*/;
// valgrind and the sanitizers prefix every line with the process id: `==28108== Invalid read`.
const TOOL_PID_PREFIX = /^==\d+== ?/;

/**
 * The line as a developer reads it: the last `\r` frame, without ANSI escapes and runner
 * prefixes. `##[error]` and `##[warning]` become `error: ` and `warning: `, which is what they say.
 * Cheap on plain lines: each step first checks for the one character it needs.
 *
 * @example
 * stripFraming('2026-12-02T10:14:03.1Z ##[error]Process completed with exit code 1.');
 * // 'error: Process completed with exit code 1.'
 */
export function stripFraming(line: string): string {
  let view = line;
  if (view.includes('\r')) view = lastFrame(view);
  if (view.includes('\x1b')) view = view.replace(ANSI, '');
  const first = view.charCodeAt(0);
  if (first >= 48 && first <= 57) view = view.replace(ACTIONS_TIMESTAMP, '');
  else if (first === 91 /* [ */) view = view.replace(JENKINS_TIMESTAMP, '');
  if (view.startsWith('==')) view = view.replace(TOOL_PID_PREFIX, '');
  if (view.startsWith('##[')) {
    view = view.replace(ACTIONS_COMMAND, (_, command: string) =>
      command === 'error' || command === 'warning' ? `${command}: ` : '',
    );
  } else if (view.startsWith('travis_')) {
    view = view.replace(TRAVIS_MARKER, '');
  }
  return view;
}

// The last non-empty frame of a line redrawn with carriage returns (a trailing CR of CRLF
// input is not a redraw).
function lastFrame(line: string): string {
  let end = line.length;
  while (end > 0) {
    const start = line.lastIndexOf('\r', end - 1);
    const frame = line.slice(start + 1, end);
    if (frame.trim() !== '') return frame;
    if (start < 0) break;
    end = start;
  }
  return line.replaceAll('\r', '');
}
