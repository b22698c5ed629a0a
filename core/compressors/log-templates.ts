/*
 * Log templates: what stays the same between log lines that report the same event.
 *
 * A line's template key is the line with its variable parts masked to `*`: every run of letters
 * and digits that holds a digit (numbers, ids, hex, IPs, ports, dates and clock times, block and
 * attempt ids, the pid in `sshd[24200]`), with its minus sign; whole UUIDs; hex letters right after
 * a masked group (`…:36:bc:03`); month and weekday names among the first tokens (`[Sun Dec 04`);
 * quoted values after `=` (`tag="View Lock"`); and, among the first tokens, any token made of
 * several values (`R02-M1-N0-C:J12-U11`, `calvisitor-10-105-160-95`). Short names that end in one
 * digit stay (`eth0`, `en0`), because events differ by them. Runs of blanks count as one space.
 *
 * Then `mergeVariants` joins keys that differ in a single token, in two safe cases only: a header
 * field (host, thread, component) before an identical message, and a message word between two
 * constant words that takes at least four values (`Invalid user * from`). A general similarity
 * merge (Drain) would also join `session opened` with `session closed`, and each template must
 * keep an example of its own. Measured on the 16 loghub logs: no two loghub events share a
 * template, so every event keeps its example.
 *
 * Cost: `templateKey` reads each character of a line's first 1 KiB once (charCodeAt, no regex);
 * the timestamp regex reads at most 160 characters; the merge is bounded by a work budget. So a
 * 5 MB line, a line of 100k digits or a log of all-distinct lines stays linear.
 */

// Three-letter calendar words that vary between otherwise equal headers.
const CALENDAR_WORDS = new Set([
  'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec',
  'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun',
]);
// Calendar words only count in the header, not in the message.
const HEADER_TOKENS = 6;
// Two lines that agree on their first 1024 characters report the same event; reading no further
// keeps a 5 MB line from costing a 5 MB key.
const KEY_MAX_CHARS = 1024;

/**
 * The template key of one log line: the line with numbers, ids, header dates and quoted values
 * masked to `*`. Equal keys mean the same kind of event.
 *
 * @example
 * templateKey('081109 203615 148 INFO dfs.DataNode: PacketResponder 1 for block blk_-69 terminating');
 * // '* * * INFO dfs.DataNode: PacketResponder * for block blk_-* terminating'
 */
export function templateKey(line: string): string {
  let end = Math.min(line.length, KEY_MAX_CHARS);
  while (end > 0 && isSpace(line.charCodeAt(end - 1))) end--;
  let key = '';
  let copiedUpTo = 0; // line[copiedUpTo, i) is still to be appended to `key` as it is
  let maskedUpTo = -2; // where the last masked value ends (`key` is not read back: that would flatten it)
  let tokenIndex = 0;
  // Where the current header token starts in `key`, and how many values were masked in it.
  let tokenKeyStart = 0;
  let tokenMasks = 0;
  // In the header, a token with several masked values that ends in one is a value as a whole:
  // the node `R02-M1-N0-C:J12-U11` and `R02-M1-NC-I:J18-U11`, the host `calvisitor-10-105-160-95`.
  // Not `20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged`, where words follow.
  const endToken = (at: number) => {
    if (tokenIndex >= HEADER_TOKENS || tokenMasks < 2) return;
    for (let k = copiedUpTo; k < at; k++) if (isLetter(line.charCodeAt(k))) return;
    key = key + line.slice(copiedUpTo, at);
    key = key.slice(0, tokenKeyStart) + '*';
    copiedUpTo = at;
  };
  // Once a quote has no closing partner, no later quote of that kind has one either: remembering
  // it keeps `="` repeated 100k times in one line from rescanning the rest of the line each time.
  let noClosingDouble = false;
  let noClosingSingle = false;
  let i = 0;
  while (i < end) {
    const c = line.charCodeAt(i);
    if (isSpace(c)) {
      endToken(i);
      let j = i + 1;
      while (j < end && isSpace(line.charCodeAt(j))) j++;
      if (j - i > 1 || c !== 32) {
        key += line.slice(copiedUpTo, i) + ' ';
        copiedUpTo = j;
      }
      tokenIndex++;
      if (tokenIndex < HEADER_TOKENS) {
        key += line.slice(copiedUpTo, j);
        copiedUpTo = j;
        tokenKeyStart = key.length;
        tokenMasks = 0;
      }
      i = j;
      continue;
    }
    // A minus sign starts a number when it does not join two words: `keyId: -127633188`,
    // `blk_-6952295868487656571` (the same id as `blk_38865049064139660`), but not `R02-M1`.
    const isSign = c === 45 && isDigit(line.charCodeAt(i + 1)) && (i === 0 || !isAlnum(line.charCodeAt(i - 1)));
    if (isAlnum(c) || isSign) {
      let j = isSign ? i + 1 : i;
      let hasDigit = false;
      for (; j < end; j++) {
        const d = line.charCodeAt(j);
        if (isDigit(d)) hasDigit = true;
        else if (!isAlnum(d)) break;
      }
      if (j - i === 8 && end - i >= 36 && isUuidAt(line, i)) {
        // A UUID is one value, though some of its groups are letters only (`…-bddd-…`).
        key += line.slice(copiedUpTo, i) + '*';
        tokenMasks++;
        copiedUpTo = i + 36;
        i = i + 36;
        continue;
      }
      let isVariable: boolean;
      if (hasDigit) isVariable = !isDeviceName(line, i, j);
      else if (maskedUpTo === i - 1 && !isSpace(line.charCodeAt(i - 1))) {
        // Right after a masked group and one separator, hex letters are more of the same value:
        // the `bc` in a MAC address `…:0f:bc:…`.
        isVariable = isHexLetters(line, i, j);
      } else {
        isVariable = j - i === 3 && tokenIndex < HEADER_TOKENS && CALENDAR_WORDS.has(line.slice(i, j));
      }
      if (isVariable) {
        key += line.slice(copiedUpTo, i) + '*';
        tokenMasks++;
        copiedUpTo = maskedUpTo = j;
      }
      i = j;
      continue;
    }
    const isDouble = c === 34;
    if ((isDouble || c === 39) && i > 0 && line.charCodeAt(i - 1) === 61 && !(isDouble ? noClosingDouble : noClosingSingle)) {
      const close = line.indexOf(isDouble ? '"' : "'", i + 1);
      if (close === -1 || close >= end) {
        if (isDouble) noClosingDouble = true;
        else noClosingSingle = true;
      } else {
        key += line.slice(copiedUpTo, i) + '*';
        tokenMasks++;
        copiedUpTo = close + 1;
        i = close + 1;
        continue;
      }
    }
    i++;
  }
  // The last token is left as it is: it may be the whole message (`…|setTotalSteps=1514038440000`).
  return key + line.slice(copiedUpTo, end);
}

// A message word that takes this many values, all else equal, is a variable (user names, host
// names); fewer may be a word that tells events apart (`session opened` / `session closed`).
const MIN_VARIANTS = 4;
// Header fields (host, thread, component) may differ with two values already: the message after
// them is the same, so the event is too.
const MIN_HEADER_VARIANTS = 2;
// The header ends with the first token that ends with `:` (`sshd[24200]:`, `MRAppMaster:`).
const HEADER_MAX_TOKENS = 10;
const MERGE_MAX_TOKENS = 48;
const MERGE_MAX_KEY_CHARS = 600;
const MERGE_MAX_WORK = 8_000_000;

/**
 * Groups template keys that differ in one token only: a message word between two constant words
 * that takes at least four values (`Invalid user webmaster from *`, `Invalid user chen from *`),
 * or a header field before the first `name:` token that takes two (`calvisitor-* kernel[*]:` and
 * `authorMacBook-Pro kernel[*]:` before the same message). Returns, for each key (in order of
 * first appearance), the index of the first key of its group.
 *
 * @example
 * mergeVariants(['user a', 'user b', 'user c', 'user d', 'session opened', 'session closed']);
 * // Int32Array [0, 0, 0, 0, 4, 5]
 */
export function mergeVariants(keys: readonly string[]): Int32Array {
  const parent = Int32Array.from(keys, (_, index) => index);
  const find = (index: number): number => {
    while (parent[index] !== index) {
      parent[index] = parent[parent[index]!]!;
      index = parent[index]!;
    }
    return index;
  };
  // The key with one token replaced by NUL -> the keys that have that shape.
  const shapes = new Map<string, number[]>();
  let work = 0;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    if (key.length > MERGE_MAX_KEY_CHARS) continue;
    const tokens = key.split(' ');
    if (tokens.length > MERGE_MAX_TOKENS) continue;
    work += key.length * tokens.length;
    if (work > MERGE_MAX_WORK) break;
    const headerEnd = findHeaderEnd(tokens);
    let start = 0;
    for (let position = 0; position < tokens.length; position++) {
      const token = tokens[position]!;
      const end = start + token.length;
      const inHeader = position <= headerEnd;
      if (inHeader || (token !== '*' && isAnchored(tokens, position))) {
        // A leading NUL keeps header shapes apart from message shapes: they merge at other counts.
        const shape = (inHeader ? '\u0000' : '') + key.slice(0, start) + '\u0000' + key.slice(end);
        const members = shapes.get(shape);
        if (members) members.push(index);
        else shapes.set(shape, [index]);
      }
      start = end + 1;
    }
  }
  for (const [shape, members] of shapes) {
    if (members.length < (shape.charCodeAt(0) === 0 ? MIN_HEADER_VARIANTS : MIN_VARIANTS)) continue;
    for (const member of members) {
      const a = find(members[0]!);
      const b = find(member);
      // The earlier key stays the root, so each group is named by its first appearance.
      if (a < b) parent[b] = a;
      else if (b < a) parent[a] = b;
    }
  }
  const groups = new Int32Array(keys.length);
  for (let index = 0; index < keys.length; index++) groups[index] = find(index);
  return groups;
}

// Index of the token that ends the line's header (`sshd[*]:`), or -1 when there is none early on.
function findHeaderEnd(tokens: readonly string[]): number {
  const limit = Math.min(tokens.length - 1, HEADER_MAX_TOKENS);
  for (let position = 0; position < limit; position++) {
    if (tokens[position]!.endsWith(':')) return position;
  }
  return -1;
}

// A variable sits between two constant words (`user * from`); a token at either end, or next to
// a masked one, is more often the message itself (`PhoneStatusBar: cancelAutohide`).
function isAnchored(tokens: readonly string[], position: number): boolean {
  const before = tokens[position - 1];
  const after = tokens[position + 1];
  return before !== undefined && after !== undefined && !before.includes('*') && !after.includes('*');
}

// Date-and-time shapes, tried as one alternation; the capture stops at whole seconds so that a
// summary does not spend tokens on milliseconds. A match must start the line or follow a space,
// bracket or pipe, so that `nova-api.log.1.2017-05-16_13:53:08` (a file name) is passed over.
const CLOCK_TIMESTAMP = new RegExp(
  '(?:^|[\\s\\[(|])(' +
    [
      // Sun Dec 04 04:47:44 2005, Jun 14 15:16:01
      '(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? )?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\\d{1,2},? (?:\\d{4} )?\\d{1,2}:\\d{2}:\\d{2}(?: \\d{4}(?!\\d))?',
      // 2015-10-18 18:01:47, 2015-10-18T18:01:47, 17/06/09 20:10:40, 2005-06-03-15.42.50
      '\\d{2,4}[-/.]\\d{1,2}[-/.]\\d{1,2}(?:[ T_-]|, )\\d{1,2}[:.]\\d{2}[:.]\\d{2}',
      // 03-17 16:13:38 (Android), 10.30 16:49:06 (Proxifier)
      '\\d{1,2}[-/.]\\d{1,2} \\d{1,2}:\\d{2}:\\d{2}',
      // 20171223-22:15:29
      '\\d{8}-\\d{1,2}:\\d{2}:\\d{2}',
      // 081109 203615 (HDFS)
      '\\d{6} \\d{6}(?!\\d)',
      '\\d{1,2}:\\d{2}:\\d{2}',
    ].join('|') +
    ')',
);
// Seconds since the epoch (2001 to 2286), when a line has no clock time.
const EPOCH_TIMESTAMP = /(?:^|[\s[(|])(\d{10}(?:\.\d{1,6})?)(?![\d.])/;
const TIMESTAMP_WINDOW = 160;

/**
 * The time a log line was written, as the line spells it (down to whole seconds), or `undefined`
 * when its first 160 characters hold none. Used for the "first … last …" of a folded template.
 *
 * @example
 * lineTimestamp('2015-10-18 18:01:47,978 INFO [main] …'); // '2015-10-18 18:01:47'
 */
export function lineTimestamp(line: string): string | undefined {
  const head = line.length > TIMESTAMP_WINDOW ? line.slice(0, TIMESTAMP_WINDOW) : line;
  return CLOCK_TIMESTAMP.exec(head)?.[1] ?? EPOCH_TIMESTAMP.exec(head)?.[1];
}

/**
 * `first to last` for a span of time, each without the date it shares with the time before it
 * (`reference` for `first`, usually the example line shown above the marker):
 * `18:01:48 to 18:04:12`, `Dec 10 07:07:38 to Dec 11 01:02:03`.
 */
export function timeSpan(first: string | undefined, last: string | undefined, reference?: string): string | undefined {
  if (first === undefined || last === undefined) return undefined;
  const lastShown = withoutSharedDate(first, last);
  // A span that crosses into another day shows its start in full: `203807 to 081111 101954`
  // would read as two times of one day.
  const sameDay = first === last || lastShown !== last;
  const firstShown = reference === undefined || !sameDay ? first : withoutSharedDate(reference, first);
  return first === last ? `at ${firstShown}` : `${firstShown} to ${lastShown}`;
}

// `time` without the date it shares with `before`: a common prefix of at least 6 characters
// that ends where a date ends (a space, or the `T` of ISO 8601).
function withoutSharedDate(before: string, time: string): string {
  let shared = 0;
  while (shared < before.length && shared < time.length && before[shared] === time[shared]) shared++;
  for (let cut = shared - 1; cut >= 6; cut--) {
    const c = time[cut];
    if (c === ' ' || (c === 'T' && isDigit(time.charCodeAt(cut - 1)))) return time.slice(cut + 1);
  }
  return time;
}

// 8-4-4-4-12 hex digits.
function isUuidAt(line: string, start: number): boolean {
  for (let k = 0; k < 36; k++) {
    const c = line.charCodeAt(start + k);
    if (k === 8 || k === 13 || k === 18 || k === 23) {
      if (c !== 45) return false;
    } else if (!isDigit(c) && ((c | 32) < 97 || (c | 32) > 102)) return false;
  }
  return !isAlnum(line.charCodeAt(start + 36));
}

// Short names ending in one digit name a thing, not a value: `eth0`, `en0`, `awdl0`, `sda1`, `md5`.
function isDeviceName(line: string, start: number, end: number): boolean {
  if (end - start < 3 || end - start > 6) return false;
  for (let k = start; k < end - 1; k++) {
    if (!isLetter(line.charCodeAt(k))) return false;
  }
  return true;
}

function isHexLetters(line: string, start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    const c = line.charCodeAt(k) | 32; // lower case
    if (c < 97 || c > 102) return false;
  }
  return true;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isAlnum(c: number): boolean {
  return isDigit(c) || isLetter(c);
}
