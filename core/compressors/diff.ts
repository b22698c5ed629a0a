import type { Compressor, CompressorContext } from '../types.ts';
import {
  MARKER_TOKENS,
  countTerms,
  itemsFromSpans,
  queryTerms,
  renderItems,
  selectiveTerms,
  splitLines,
  tokenRatio,
  worthFolding,
  type LineSpan,
} from './lines.ts';

/*
 * Unified diffs: `git diff`, `git show`, `diff -u`, `svn diff`.
 *
 * A diff is read for what changed, so file headers (`diff --git`, `index`, `---`, `+++`, mode
 * and rename lines), hunk headers and every `+` / `-` line stay verbatim. Context lines beyond
 * one on each side of a change fold. Generated files (lockfiles, `dist/`, minified bundles, source
 * maps) fold whole behind their headers with a count: `+1,204 -987 lines`. If the diff is still
 * over the budget, the largest hunks fold the same way, one marker each, until it fits; small
 * hunks (a few changed lines) never fold, whatever the budget. A file whose path holds a query
 * term is the one the agent is after: it stays open, untouched.
 *
 * How: one pass parses files and hunks, trusting the hunk header's line counts (so a removed
 * line that reads `--- a` is not taken for a header), or, when a header has no counts, the line
 * prefixes. Text that is not part of a diff (a commit message) stays as it is.
 */

// Context lines kept on each side of a change.
const CONTEXT_KEPT = 1;

// Lockfiles, build output, vendored code, minified bundles, source maps, generated protobufs.
// (`build/` and `out/` are left out: too many projects keep sources there.)
const GENERATED =
  /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|Cargo\.lock|Gemfile\.lock|poetry\.lock|Pipfile\.lock|composer\.lock|go\.sum|uv\.lock|flake\.lock|mix\.lock|packages\.lock\.json)$|(^|\/)(dist|vendor|node_modules|__generated__|generated|\.next|coverage)\/|\.min\.(js|css|mjs)$|\.(js|css)\.map$|\.pb\.(go|cc|h)$|_pb2(_grpc)?\.py$/;
// A changed line this long is minified or generated content.
const MINIFIED_LINE = 1000;
// Hunks with fewer changed lines never fold for the budget: a small edit is what a diff is read
// for, as an error is in build output. The budget is met by folding the big ones.
const FOLDABLE_CHANGES = 12;

interface Hunk {
  /** The `@@` line. */
  header: number;
  /** Body: lines after the header, to `end` exclusive. */
  end: number;
  added: number;
  removed: number;
}

interface DiffFile {
  path: string;
  hunks: Hunk[];
  /** The data lines of a `GIT binary patch`. */
  binary?: { start: number; end: number };
}

/** Compresses a unified diff: headers and changed lines stay, context and bulk fold. */
export const compressDiff: Compressor = (text, context) => {
  const { lines, trailingNewline } = splitLines(text);
  const marks = new Uint8Array(lines.length); // per body line: CONTEXT_LINE or CHANGED_LINE
  const files = parse(lines, marks);
  if (files.length === 0) return undefined;

  const terms = queryTerms(context.query);
  const pathTerms = selectiveTerms(files.map((file) => file.path.toLowerCase()), terms);
  const spans: LineSpan[] = [];
  const open: Hunk[] = []; // hunks that may still fold whole to meet the budget
  for (const file of files) {
    if (pathTerms.length > 0 && countTerms(file.path.toLowerCase(), pathTerms) > 0) continue;
    if (file.binary && worthFolding(lines, file.binary.start, file.binary.end, context.estimateTokens)) {
      spans.push({ ...file.binary, summary: 'binary patch' });
    }
    if (file.hunks.length === 0) continue;
    if (GENERATED.test(file.path) || file.hunks.every((hunk) => isMinified(lines, marks, hunk))) {
      const { added, removed } = totals(file.hunks);
      const start = file.hunks[0]!.header;
      const end = file.hunks[file.hunks.length - 1]!.end;
      if (worthFolding(lines, start, end, context.estimateTokens)) {
        spans.push({ start, end, summary: `generated, ${changeSummary(added, removed)}` });
      }
      continue;
    }
    for (const hunk of file.hunks) {
      if (isMinified(lines, marks, hunk)) {
        const summary = `minified, ${changeSummary(hunk.added, hunk.removed)}`;
        spans.push({ start: hunk.header + 1, end: hunk.end, summary });
      } else {
        open.push(hunk);
      }
    }
  }

  const contextSpans = new Map<Hunk, LineSpan[]>();
  for (const hunk of open) contextSpans.set(hunk, trimContext(lines, marks, hunk, context));
  const folded = foldToBudget(lines, marks, spans, open, contextSpans, terms, context);
  for (const hunk of open) {
    if (!folded.has(hunk)) spans.push(...contextSpans.get(hunk)!);
  }
  if (spans.length === 0) return undefined;
  spans.sort((a, b) => a.start - b.start);
  return renderItems(lines, itemsFromSpans(lines, spans), trailingNewline);
};

// Body line marks.
const CONTEXT_LINE = 1;
const CHANGED_LINE = 2; // `+`, `-`, and `\ No newline at end of file`, which belongs to a change

const HUNK_HEADER = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;
// `diff --git`, `diff --cc` (merges), `diff -ru` (plain diff), `Index:` (svn).
const FILE_START = /^(diff -|Index: )/;

/** Finds files and hunks and marks each hunk body line as context or change. */
function parse(lines: readonly string[], marks: Uint8Array): DiffFile[] {
  const files: DiffFile[] = [];
  let file: DiffFile | undefined;
  const startFile = () => {
    file = { path: '', hunks: [] };
    files.push(file);
    return file;
  };
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    const next = lines[index + 1];
    if (FILE_START.test(line)) {
      startFile().path = pathOf(line, next);
      index++;
      continue;
    }
    if (line.startsWith('--- ') && next?.startsWith('+++ ')) {
      // Outside a hunk this is always a header; without a `diff` line before it (`diff -u`), or
      // after the current file's hunks, it starts a file.
      const current = !file || file.hunks.length > 0 ? startFile() : file;
      current.path = pathOf(line, next) || current.path;
      index += 2;
      continue;
    }
    if (file && line.startsWith('@@')) {
      const hunk: Hunk = { header: index, end: index + 1, added: 0, removed: 0 };
      index = readHunk(lines, marks, hunk);
      file.hunks.push(hunk);
      continue;
    }
    if (file && line.startsWith('GIT binary patch')) {
      // Base85 data up to the next file: meaningless to read, kept one unfold away.
      let end = index + 1;
      while (end < lines.length && !FILE_START.test(lines[end]!)) end++;
      file.binary = { start: index + 1, end };
      index = end;
      continue;
    }
    // Anything else after a file's hunks ends the file: a commit message, a stat line, `Only in`.
    if (file && file.hunks.length > 0 && !isFileHeaderLine(line)) file = undefined;
    index++;
  }
  return files;
}

// `index 1a2b..3c4d`, mode, rename, copy and similarity lines: headers of the current file.
const FILE_HEADER_LINE =
  /^(index |old mode |new mode |deleted file mode |new file mode |(dis)?similarity index |rename (from|to) |copy (from|to) |Binary files |GIT binary patch)/;

function isFileHeaderLine(line: string): boolean {
  return FILE_HEADER_LINE.test(line);
}

/**
 * Reads one hunk's body, marking its lines, and returns the index after it. The header's counts
 * say how long the body is; without counts (combined diffs, hand-written hunks), it lasts while
 * lines look like hunk lines.
 */
function readHunk(lines: readonly string[], marks: Uint8Array, hunk: Hunk): number {
  const counts = HUNK_HEADER.exec(lines[hunk.header]!);
  let oldLeft = counts ? Number(counts[1] ?? 1) : Infinity;
  let newLeft = counts ? Number(counts[2] ?? 1) : Infinity;
  // Combined diffs (`@@@ -a -b +c @@@`) prefix each line with one column per parent.
  const columns = counts ? 1 : Math.max(1, (/^@+/.exec(lines[hunk.header]!)?.[0].length ?? 2) - 1);
  let index = hunk.header + 1;
  while (index < lines.length && (oldLeft > 0 || newLeft > 0 || lines[index]!.startsWith('\\'))) {
    const line = lines[index]!;
    const first = line.charCodeAt(0);
    if (first === 92) {
      marks[index] = CHANGED_LINE; // `\ No newline at end of file`
    } else if (!counts && (FILE_START.test(line) || line.startsWith('@@') || !/^[ +-]/.test(line))) {
      break;
    } else if (line === '' || line === '\r') {
      marks[index] = CONTEXT_LINE; // a context line whose trailing space an editor stripped
      oldLeft--;
      newLeft--;
    } else if (first === 32 && (columns === 1 || line.slice(0, columns).trim() === '')) {
      marks[index] = CONTEXT_LINE;
      oldLeft--;
      newLeft--;
    } else if (first === 43 || first === 45 || first === 32) {
      marks[index] = CHANGED_LINE;
      const removed = columns === 1 ? first === 45 : line.slice(0, columns).includes('-');
      if (removed) {
        hunk.removed++;
        oldLeft--;
      } else {
        hunk.added++;
        newLeft--;
      }
    } else {
      break; // malformed: the counts promised more lines than there are
    }
    index++;
  }
  hunk.end = index;
  return index;
}

// `diff --git a/x b/y` → `y`; `+++ b/y\t2024-01-01` → `y`; `/dev/null` → the other side.
function pathOf(line: string, next: string | undefined): string {
  const strip = (path: string) => path.replace(/\t.*$/, '').replace(/^"?[ab]\//, '').replace(/"$/, '').trim();
  if (line.startsWith('diff --git ')) {
    const b = line.lastIndexOf(' b/');
    return b >= 0 ? strip(line.slice(b + 1)) : strip(line.slice(11));
  }
  if (line.startsWith('Index: ')) return line.slice(7).trim();
  if (line.startsWith('--- ') && next?.startsWith('+++ ')) {
    const after = strip(next.slice(4));
    return after === '/dev/null' ? strip(line.slice(4)) : after;
  }
  const words = line.trim().split(/\s+/);
  return strip(words[words.length - 1] ?? '');
}

function isMinified(lines: readonly string[], marks: Uint8Array, hunk: Hunk): boolean {
  for (let index = hunk.header + 1; index < hunk.end; index++) {
    if (marks[index] === CHANGED_LINE && lines[index]!.length > MINIFIED_LINE) return true;
  }
  return false;
}

function totals(hunks: readonly Hunk[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const hunk of hunks) {
    added += hunk.added;
    removed += hunk.removed;
  }
  return { added, removed };
}

// `+1,204 -987 lines`
function changeSummary(added: number, removed: number): string {
  return `+${added.toLocaleString('en-US')} -${removed.toLocaleString('en-US')} lines`;
}

/** The context runs of a hunk beyond `CONTEXT_KEPT` lines from a change, as spans to fold. */
function trimContext(lines: readonly string[], marks: Uint8Array, hunk: Hunk, context: CompressorContext): LineSpan[] {
  const spans: LineSpan[] = [];
  let index = hunk.header + 1;
  while (index < hunk.end) {
    if (marks[index] !== CONTEXT_LINE) {
      index++;
      continue;
    }
    let end = index;
    while (end < hunk.end && marks[end] === CONTEXT_LINE) end++;
    const start = index === hunk.header + 1 ? index : index + CONTEXT_KEPT; // keep after a change
    const stop = end === hunk.end ? end : end - CONTEXT_KEPT; // keep before a change
    if (stop > start && worthFolding(lines, start, stop, context.estimateTokens)) {
      spans.push({ start, end: stop, summary: 'unchanged' });
    }
    index = end;
  }
  return spans;
}

/**
 * Folds whole hunks of `FOLDABLE_CHANGES` changed lines or more, largest first, while the output
 * is over the budget. Hunks whose lines mention a query term go last. Consecutive hunks of a file
 * that all fold get one marker, not one each.
 */
function foldToBudget(
  lines: readonly string[],
  marks: Uint8Array,
  spans: LineSpan[],
  open: readonly Hunk[],
  contextSpans: ReadonlyMap<Hunk, LineSpan[]>,
  terms: readonly string[],
  context: CompressorContext,
): Set<Hunk> {
  const folded = new Set<Hunk>();
  const hidden = new Uint8Array(lines.length);
  for (const span of spans) hidden.fill(1, span.start, span.end);
  for (const hunkSpans of contextSpans.values()) for (const span of hunkSpans) hidden.fill(1, span.start, span.end);
  const lineTokens = new Float64Array(lines.length);
  let visible = 0;
  for (let index = 0; index < lines.length; index++) {
    if (hidden[index]) continue;
    lineTokens[index] = context.estimateTokens(lines[index]!) + 1;
    visible += lineTokens[index]!;
  }
  if (visible <= context.budget) return folded;
  // The estimate runs 20-25% over the exact count on diffs of code (punctuation, indentation):
  // before folding changed lines for it, scale it to the caller's tokenizer (on a sample of a
  // large diff; up to 64 KB it is counted whole).
  const shown = lines.filter((_, index) => !hidden[index]).join('\n');
  const scale = (context.estimateTokens(shown) * tokenRatio(shown, context, 65_536)) / visible;
  if (visible * scale <= context.budget) return folded;
  visible *= scale;
  for (let index = 0; index < lines.length; index++) lineTokens[index]! *= scale;

  // Only hunks big enough to fold are candidates; only their changed lines decide relevance.
  const candidates = open
    .filter((hunk) => hunk.added + hunk.removed >= FOLDABLE_CHANGES)
    .map((hunk) => {
      let tokens = 0;
      let relevant = false;
      for (let index = hunk.header + 1; index < hunk.end; index++) {
        tokens += lineTokens[index]!;
        if (!relevant && terms.length > 0 && marks[index] === CHANGED_LINE) {
          relevant = countTerms(lines[index]!.slice(0, 2000).toLowerCase(), terms) > 0;
        }
      }
      return { hunk, tokens, relevant };
    });
  candidates.sort(
    (a, b) => Number(a.relevant) - Number(b.relevant) || b.tokens - a.tokens || a.hunk.header - b.hunk.header,
  );
  for (const candidate of candidates) {
    if (visible <= context.budget) break;
    if (candidate.tokens <= MARKER_TOKENS * 2) continue;
    visible -= candidate.tokens - MARKER_TOKENS;
    folded.add(candidate.hunk);
  }

  // One span per folded hunk, or one per file when consecutive hunks of a file all fold.
  let run: Hunk[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const { added, removed } = totals(run);
    const summary = changeSummary(added, removed);
    if (run.length === 1) spans.push({ start: run[0]!.header + 1, end: run[0]!.end, summary });
    else {
      const end = run[run.length - 1]!.end;
      spans.push({ start: run[0]!.header, end, summary: `${run.length} hunks, ${summary}` });
    }
    run = [];
  };
  for (const hunk of open) {
    const previous = run[run.length - 1];
    if (!folded.has(hunk) || (previous && previous.end !== hunk.header)) flush();
    if (folded.has(hunk)) run.push(hunk);
  }
  flush();
  return folded;
}
