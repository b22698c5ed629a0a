import type { CompressorContext, Compressor, FoldRequest, Piece } from '../types.ts';
import { lineTimestamp, mergeVariants, templateKey, timeSpan } from './log-templates.ts';

/*
 * Logs: keep what went wrong, fold what repeats.
 *
 * Always visible, verbatim, whatever the budget:
 * - every line at warning level or worse (WARN, ERROR, FATAL, SEVERE, CRITICAL, `[error]`,
 *   Android `W`/`E`/`F`, glog `E0317`, `level=error`), every stack-trace line (`\tat `,
 *   `Caused by:`, `Traceback`, `  File "…"`, `... 12 more`, exception headers, and indented lines
 *   right under any of these), and every line of a BGL-style log whose alert label is not `-`;
 * - one example of every template (log-templates.ts), so that each kind of event is seen once.
 *
 * Then, while the budget lasts, in this order: lines that match the query; one line of context
 * before and after each run of error lines; and more of the lines that speak of trouble (failed,
 * denied, refused, timeout, exception…) without a level that says so, a few of each template in
 * turn, so that no one template eats the budget. A level, where the log has one, is trusted over
 * the words of the message: BGL's INFO `instruction cache parity error corrected` is not an error.
 *
 * Every other line is folded, one fold per template, its marker right under the template's
 * example: `[[fold 123456789012345: 184 lines; like the line above, 18:01:48 to 18:04:12]]`. The count
 * is the exact number of lines in the fold, the times are those of its first and last line (less
 * the date they share with the example, which is in plain sight just above). Why per template rather than per contiguous run: errors scattered through a log cut it into
 * hundreds of runs, each of which would need its own marker (~20 tokens) and a summary of several
 * templates; per template there is at most one marker per kind of event and it says what is in it.
 * The price: a fold's lines are not contiguous, so the fold carries each line's input line number
 * (`lineNumbers`), which `unfold` answers with. A rest of one or two lines not much
 * bigger than its marker stays visible instead.
 *
 * Visible lines keep their order, and visible text plus folds hold every input line exactly once.
 * Cost: one pass for template keys and levels (charCode loops, anchored or bounded regexes), one
 * merge over distinct keys (bounded), and token estimates only for the lines that may be shown.
 */

const CONTEXT_LINES = 1;
// What a marker costs in tokens before its summary: `[[fold 123456789012345: 184 lines; ]]` + newline,
// and what its time span usually adds.
const MARKER_TOKENS = 14;
const SPAN_TOKENS = 12;
// Levels and stack frames sit near the start of a line; nothing past this is read for them.
const HEAD_CHARS = 240;
const LEVEL_FIELD_MAX_TOKENS = 12;
const LEVEL_FIELD_SAMPLE = 1000;

// How bad a line is: severe lines are always shown, trouble lines while the budget lasts.
const PLAIN = 0;
const TROUBLE = 1;
export const SEVERE = 2;

// Level names, lower case, and whether they say something went wrong.
const LEVELS = new Map<string, boolean>([
  ['trace', false], ['debug', false], ['verbose', false], ['fine', false], ['finer', false],
  ['finest', false], ['config', false], ['info', false], ['notice', false],
  ['warn', true], ['warning', true], ['error', true], ['err', true], ['fatal', true], ['severe', true],
  ['critical', true], ['crit', true], ['alert', true], ['emerg', true], ['emergency', true], ['panic', true],
]);
// Android and glog single-letter levels: Verbose Debug Info Warn Error Fatal Assert.
const LETTER_LEVELS = new Map<string, boolean>([
  ['V', false], ['D', false], ['I', false], ['W', true], ['E', true], ['F', true], ['A', true],
]);
const GLOG_LEVEL = /^[IWEF]\d{4}$/;
const KEY_VALUE_LEVEL = /^(?:level|lvl|severity|loglevel)=["']?([A-Za-z]+)/i;

// Anchored, so each is tried at one position only: linear even on a 5 MB line.
// Java and JavaScript frames, Python tracebacks, Go panics, and exception headers at line start.
const STACK_LINE = new RegExp(
  '^(?:' +
    [
      '\\s+at \\S',
      '\\s*Caused by: ',
      '\\s*Suppressed: ',
      '\\s*\\.\\.\\. \\d+ (?:more|common frames omitted)',
      'Traceback \\(most recent call last\\)',
      '\\s+File "[^"]*", line \\d',
      'Exception in thread ',
      '(?:panic|fatal error): ',
      'goroutine \\d+ \\[',
      '[\\w$.]*(?:Exception|Error)(?::|\\s*$)',
    ].join('|') +
    ')',
);
// BGL, Thunderbird and the other Sandia/LLNL logs: `- 1117838570 …` is normal, `KERNDTLB 1118536327 …` an alert.
const UNLABELLED = /^- \d{9,10} /;
const ALERT_LABEL = /^[^\s-]\S* \d{9,10} /;
const TROUBLE_WORDS = /error|fail|denied|refused|timed? ?out|exception|fatal|panic|critical|abort|unreachable|warn|unable|cannot/i;

/**
 * Compresses a log: keeps every warning, error, alert and stack-trace line and one example of each
 * template visible, and folds the repeats of each template behind one marker with their exact
 * count and time span. Spends what is left of the budget on query matches, context around errors
 * and more of the lines that mention trouble.
 *
 * @example
 * const pieces = compressLogs(hadoopLog, { query: '', budget: 2000, countTokens, estimateTokens });
 */
export const compressLogs: Compressor = (text, context) => {
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  if (lines.length < 3) return undefined;

  const templates = groupTemplates(lines);
  // The evidence layer has read the log's levels already (regions.ts); read them once.
  const levels = context.evidence?.levels;
  const severities = levels && levels.length === lines.length ? levels : classifyLines(lines);
  const visible = new Uint8Array(lines.length);
  for (let index = 0; index < lines.length; index++) if (severities[index] === SEVERE) visible[index] = 1;
  for (const example of templates.examples) visible[example] = 1;
  // The evidence layer's lines (core/evidence.ts): failures the level field does not show, the last lines.
  const keep = context.evidence?.keep;
  if (keep) for (let index = 0; index < lines.length; index++) if (keep[index]) visible[index] = 1;

  revealWithinBudget(lines, templates, severities, visible, context);
  const folds = foldTemplates(lines, templates, visible, context);
  if (folds.size === 0) return undefined;
  return render(lines, visible, folds, endsWithNewline);
};

interface Templates {
  /** Template number of each line. */
  of: Int32Array;
  /** First line of each template. */
  examples: number[];
  count: number;
}

/** Template number of every line: equal masked keys, then keys that differ in one variable word. */
function groupTemplates(lines: readonly string[]): Templates {
  const keyNumbers = new Map<string, number>();
  const keyOf = new Int32Array(lines.length);
  for (let index = 0; index < lines.length; index++) {
    const key = templateKey(lines[index]!);
    let number = keyNumbers.get(key);
    if (number === undefined) keyNumbers.set(key, (number = keyNumbers.size));
    keyOf[index] = number;
  }
  const merged = mergeVariants([...keyNumbers.keys()]);
  // Renumber merged groups densely, in order of first appearance.
  const templateOfGroup = new Int32Array(keyNumbers.size).fill(-1);
  const of = new Int32Array(lines.length);
  const examples: number[] = [];
  for (let index = 0; index < lines.length; index++) {
    const group = merged[keyOf[index]!]!;
    if (templateOfGroup[group] === -1) {
      templateOfGroup[group] = examples.length;
      examples.push(index);
    }
    of[index] = templateOfGroup[group]!;
  }
  return { of, examples, count: examples.length };
}

/**
 * How bad each line of a log is: `SEVERE` (always shown: a warning or worse by the log's own
 * levels, a stack-trace line, a BGL-style alert), trouble (shown while the budget lasts) or plain.
 * The evidence layer of a log (regions.ts) keeps the severe lines whatever compresses the log.
 *
 * @example
 * classifyLines(['2024-01-01 INFO up', '2024-01-01 ERROR down'])[1] === SEVERE; // true
 */
export function classifyLines(lines: readonly string[]): Uint8Array {
  const field = findLevelField(lines);
  const labelled = share(lines, (line) => UNLABELLED.test(line)) >= 0.3;
  const severities = new Uint8Array(lines.length);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const head = line.length > HEAD_CHARS ? line.slice(0, HEAD_CHARS) : line;
    const level = levelOf(line, field);
    if (level === true || STACK_LINE.test(head) || (labelled && ALERT_LABEL.test(head))) {
      severities[index] = SEVERE;
    } else if (level === undefined && severities[index - 1] === SEVERE && isIndented(line)) {
      severities[index] = SEVERE; // the rest of a multi-line error entry
    } else {
      severities[index] = TROUBLE_WORDS.test(line) ? TROUBLE : PLAIN;
    }
  }
  return severities;
}

/**
 * The whitespace-separated field that holds the level in most lines (`INFO`, `W`, `[error]`), or
 * -1. Knowing the field lets single letters count as levels and keeps `Warning:` in a message
 * from overriding the `Info` in front of it.
 */
function findLevelField(lines: readonly string[]): number {
  const votes = new Array<number>(LEVEL_FIELD_MAX_TOKENS).fill(0);
  const step = Math.max(1, Math.floor(lines.length / LEVEL_FIELD_SAMPLE));
  let sampled = 0;
  for (let index = 0; index < lines.length; index += step) {
    sampled++;
    const head = lines[index]!.slice(0, HEAD_CHARS);
    const tokens = head.split(/[ \t]+/, LEVEL_FIELD_MAX_TOKENS + 1);
    if (tokens[0] === '') tokens.shift();
    const field = tokens.findIndex((token, position) => position < LEVEL_FIELD_MAX_TOKENS && levelOfToken(token, true) !== undefined);
    if (field !== -1) votes[field]!++;
  }
  const best = votes.indexOf(Math.max(...votes));
  return votes[best]! >= sampled * 0.3 && votes[best]! > 0 ? best : -1;
}

/** True: a warning or worse; false: a milder level; undefined: no level found. */
function levelOf(line: string, field: number): boolean | undefined {
  // Lines of another shape (a different writer, a continuation) may still carry a level: there,
  // only unmistakable spellings count, and the level field wins when it holds one.
  let other: boolean | undefined;
  const limit = Math.min(line.length, HEAD_CHARS);
  let i = 0;
  for (let index = 0; index < LEVEL_FIELD_MAX_TOKENS; index++) {
    while (i < limit && isBlank(line.charCodeAt(i))) i++;
    if (i >= limit) break;
    let j = i + 1;
    while (j < limit && !isBlank(line.charCodeAt(j))) j++;
    // Level tokens are short (`[WARNING]`, `level=error`); anything longer is message.
    if (j - i <= 24) {
      if (index === field) {
        const level = levelOfToken(line.slice(i, j), true);
        if (level !== undefined) return level;
      } else if (other === undefined) {
        other = levelOfToken(line.slice(i, j), false);
      }
      if (other !== undefined && index >= field) return other;
    }
    i = j;
  }
  return other;
}

/**
 * The level a token names. In the level field any spelling counts (`Info`, `W`); elsewhere only
 * upper case (`ERROR`), bracketed (`[error]`) or key=value (`level=error`) spellings do.
 */
function levelOfToken(token: string, inLevelField: boolean): boolean | undefined {
  if (token.includes('=')) {
    const keyValue = KEY_VALUE_LEVEL.exec(token);
    return keyValue ? LEVELS.get(keyValue[1]!.toLowerCase()) : undefined;
  }
  let start = 0;
  let end = token.length;
  while (start < end && '[(<'.includes(token[start]!)) start++;
  while (end > start && '])>:,'.includes(token[end - 1]!)) end--;
  if (end - start > 9 || !isLetterCode(token.charCodeAt(start))) return undefined;
  const word = token.slice(start, end);
  if (word.length === 1) return inLevelField ? LETTER_LEVELS.get(word) : undefined;
  if (GLOG_LEVEL.test(word)) return LETTER_LEVELS.get(word[0]!);
  const level = LEVELS.get(word.toLowerCase());
  if (level === undefined || inLevelField) return level;
  const bracketed = start > 0 && end < token.length;
  return bracketed || word === word.toUpperCase() ? level : undefined;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function isLetterCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isIndented(line: string): boolean {
  const c = line.charCodeAt(0);
  return (c === 32 || c === 9) && line.trim() !== '';
}

function share(lines: readonly string[], test: (line: string) => boolean): number {
  const sample = lines.length > LEVEL_FIELD_SAMPLE ? lines.slice(0, LEVEL_FIELD_SAMPLE) : lines;
  let hits = 0;
  for (const line of sample) if (test(line)) hits++;
  return sample.length === 0 ? 0 : hits / sample.length;
}

/**
 * Spends the budget left after the must-keep lines and the markers: query matches first, then
 * context around errors, then more lines that mention trouble.
 */
function revealWithinBudget(
  lines: readonly string[],
  templates: Templates,
  severities: Uint8Array,
  visible: Uint8Array,
  context: CompressorContext,
): void {
  const cost = (index: number) => context.estimateTokens(lines[index]!) + 1;
  const shownPerTemplate = new Int32Array(templates.count);
  let spent = 0;
  for (let index = 0; index < lines.length; index++) {
    if (visible[index]) {
      spent += cost(index);
      shownPerTemplate[templates.of[index]!]!++;
    }
  }
  // Reserve a marker for each template that still has lines to fold.
  const counts = new Int32Array(templates.count);
  for (let index = 0; index < lines.length; index++) counts[templates.of[index]!]!++;
  for (let template = 0; template < templates.count; template++) {
    if (counts[template]! > shownPerTemplate[template]!) spent += MARKER_TOKENS + SPAN_TOKENS;
  }
  let left = context.budget - spent;
  if (!(left > 0)) return; // also when the budget is not a number

  // Query matches, the rarest term's first: `308` says more than `jobs` about which lines are wanted.
  const terms = queryTerms(context.query);
  if (terms.length > 0) {
    const matches = terms.map((): number[] => []);
    for (let index = 0; index < lines.length; index++) {
      if (visible[index]) continue;
      const lower = lines[index]!.toLowerCase();
      terms.forEach((term, number) => {
        if (lower.includes(term)) matches[number]!.push(index);
      });
    }
    for (const list of matches.sort((a, b) => a.length - b.length)) {
      left = revealFairly(list.filter((index) => !visible[index]), templates.of, visible, cost, left);
    }
  }

  // One line of context on each side of each run of severe lines, earliest runs first.
  for (let index = 0; index < lines.length && left > 0; index++) {
    if (severities[index] !== SEVERE || severities[index - 1] === SEVERE) continue;
    let end = index;
    while (end + 1 < lines.length && severities[end + 1] === SEVERE) end++;
    for (let offset = 1; offset <= CONTEXT_LINES; offset++) {
      for (const neighbour of [index - offset, end + offset]) {
        if (neighbour < 0 || neighbour >= lines.length || visible[neighbour]) continue;
        const price = cost(neighbour);
        if (price > left) continue;
        visible[neighbour] = 1;
        left -= price;
      }
    }
    index = end;
  }

  const trouble: number[] = [];
  for (let index = 0; index < lines.length; index++) {
    if (severities[index] === TROUBLE && !visible[index]) trouble.push(index);
  }
  revealFairly(trouble, templates.of, visible, cost, left);
}

/**
 * Shows candidates round by round, one more per template each round, until the budget runs out.
 * Within a template they come spread out in time: the last one, then the middle, then the
 * quarters…, so that a few of them already span the log. Returns what is left of the budget.
 */
function revealFairly(
  candidates: readonly number[],
  templateOf: Int32Array,
  visible: Uint8Array,
  cost: (index: number) => number,
  budget: number,
): number {
  const byTemplate = new Map<number, number[]>();
  for (const index of candidates) {
    const template = templateOf[index]!;
    const list = byTemplate.get(template);
    if (list) list.push(index);
    else byTemplate.set(template, [index]);
  }
  let queues = [...byTemplate.values()].map(spreadOut);
  let left = budget;
  for (let round = 0; queues.length > 0; round++) {
    for (const queue of queues) {
      const index = queue[round]!;
      const price = cost(index);
      if (price > left) return left;
      visible[index] = 1;
      left -= price;
    }
    queues = queues.filter((queue) => queue.length > round + 1);
  }
  return left;
}

// The last item, then midpoints of ever smaller gaps (the template's example is shown before the
// first): [a b c d e f g] -> [g c a e b d f].
function spreadOut(items: readonly number[]): number[] {
  const order = [items[items.length - 1]!];
  const gaps: Array<[number, number]> = [[-1, items.length - 1]];
  for (let head = 0; head < gaps.length; head++) {
    const [low, high] = gaps[head]!;
    const middle = Math.floor((low + high) / 2);
    if (middle <= low) continue;
    order.push(items[middle]!);
    gaps.push([low, middle], [middle, high]);
  }
  return order;
}

const STOP_WORDS = new Set(['the', 'and', 'for', 'with', 'what', 'why', 'how', 'from', 'that', 'this', 'are', 'was', 'were', 'into', 'log', 'logs', 'line', 'lines', 'show', 'find']);

function queryTerms(query: string): string[] {
  const words = query.toLowerCase().split(/[^\p{L}\p{N}_.:/-]+/u);
  return [...new Set(words.filter((word) => word.length >= 3 && !STOP_WORDS.has(word)))].slice(0, 16);
}

/** One fold per template for its hidden lines, keyed by the template's example line. */
function foldTemplates(
  lines: readonly string[],
  templates: Templates,
  visible: Uint8Array,
  context: CompressorContext,
): Map<number, FoldRequest> {
  const hidden = new Map<number, number[]>();
  for (let index = 0; index < lines.length; index++) {
    if (visible[index]) continue;
    const template = templates.of[index]!;
    const list = hidden.get(template);
    if (list) list.push(index);
    else hidden.set(template, [index]);
  }
  const folds = new Map<number, FoldRequest>();
  for (const [template, indexes] of hidden) {
    const first = indexes[0]!;
    const last = indexes[indexes.length - 1]!;
    const example = lines[templates.examples[template]!]!;
    const span = timeSpan(lineTimestamp(lines[first]!), lineTimestamp(lines[last]!), lineTimestamp(example));
    const summary = span ? `like the line above, ${span}` : 'like the line above';
    // A rest not much bigger than its marker reads better shown.
    if (indexes.length <= 2) {
      const shown = indexes.reduce((sum, index) => sum + context.estimateTokens(lines[index]!) + 1, 0);
      if (shown <= 1.5 * (MARKER_TOKENS + context.estimateTokens(summary))) {
        for (const index of indexes) visible[index] = 1;
        continue;
      }
    }
    const contiguous = last - first === indexes.length - 1;
    folds.set(templates.examples[template]!, {
      text: indexes.map((index) => lines[index]!).join('\n'),
      unit: 'lines',
      count: indexes.length,
      summary,
      ...(contiguous ? { firstLine: first + 1 } : { lineNumbers: indexes.map((index) => index + 1) }),
    });
  }
  return folds;
}

/** Visible lines in their order, each template's marker on the line under its example. */
function render(
  lines: readonly string[],
  visible: Uint8Array,
  folds: Map<number, FoldRequest>,
  endsWithNewline: boolean,
): Piece[] {
  const pieces: Piece[] = [];
  let buffer: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    if (!visible[index]) continue;
    buffer.push(lines[index]!);
    const fold = folds.get(index);
    if (fold) {
      pieces.push(buffer.join('\n') + '\n', fold);
      buffer = [''];
    }
  }
  // `buffer` starts with '' after a marker, which puts the marker's line break before what follows.
  let tail = buffer.join('\n');
  if (endsWithNewline && (tail !== '' || pieces.length > 0)) tail += '\n';
  if (tail !== '') pieces.push(tail);
  return pieces;
}
