/*
 * Benchmark of the HTML compressor on real pages: the HTML documentation that Debian packages
 * install under /usr/share/doc (Node.js API docs, libxslt, valgrind, nettle, bzip2 ...). They
 * are read where they are, never copied into the repository; a machine without them has nothing
 * to measure and says so.
 *
 *   node --conditions=tokenfold-source bench/html.ts [--limit N] [--dir /usr/share/doc] [--out bench/html-results.md]
 *
 * For each page (8 kB or more, in sorted path order):
 * - tokens: o200k of the page and of `compress()`'s output, with the default budget (a quarter of
 *   the page's tokens, at least 1,500: `defaultBudget`);
 * - speed: `compressHtml` alone (the better of two runs), `compress()` end to end, and one o200k
 *   count of the page as the yardstick; MB/s over all pages and p50/p95 milliseconds per page;
 * - headings: every h1-h3 of the page outside nav/header/footer/aside must be visible in the
 *   output, compared on letters and digits only (Markdown syntax, anchor glyphs and link URLs
 *   aside); those not visible are counted as one unfold away when a Markdown fold holds them;
 * - folds: every fold the compressor asked for must unfold from the store byte for byte, and the
 *   last one must be the page itself;
 * - markers: their share of the output tokens, and how the folds of the Markdown sit: inside a
 *   line, starting or ending mid-sentence, or smaller than 100 characters (issue 10).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { relative } from 'node:path';
import Keyv from 'keyv';
import { parseHTML } from 'linkedom';
import { compress, defaultBudget, detect, estimateTokens, findMarkers, o200kCounter, unfold } from 'tokenfold';
import type { CompressorContext, FoldRequest } from 'tokenfold';
import { compressHtml } from '../core/compressors/html.ts';
import { percentile } from './speed.ts';

interface PageResult {
  path: string;
  bytes: number;
  detected: string;
  tokensBefore: number;
  tokensAfter: number;
  compressorMs: number;
  compressMs: number;
  countMs: number;
  headings: number;
  headingsVisible: number;
  headingsInFold: number;
  folds: number;
  foldsExact: number;
  originalExact: boolean;
  /** Markers in the output and the tokens they take (with their line's gutter, if any). */
  markers: number;
  markerTokens: number;
  /** Folds of the Markdown (not the two that close the output) and how they sit. */
  textFolds: number;
  foldsInsideLine: number;
  foldsMidSentence: number;
  smallFolds: number;
}

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at !== -1 && args[at + 1] ? args[at + 1]! : fallback;
};
const directory = option('dir', '/usr/share/doc');
const limit = Number(option('limit', '0'));
const outPath = option('out', new URL('./html-results.md', import.meta.url).pathname);
// Sentence ends: a fold that starts after one, or ends on one, does not cut a sentence.
const SENTENCE_END = /[.!?:;)\]"'`*_|>]\s*$/;
const SMALL_FOLD_CHARS = 100;

const pages = findPages(directory, limit);
if (pages.length === 0) {
  console.log(`No HTML pages of 8 kB or more under ${directory}: nothing to measure.`);
  process.exit(0);
}

// Warm up the JIT and the lazy module loads on a few pages, then measure every page.
for (const path of pages.slice(0, 3)) {
  const html = read(path);
  compressHtml(html, contextFor(html).context);
}
const results: PageResult[] = [];
for (const path of pages) results.push(await measure(path));
const report = renderReport(results);
console.log(report);
writeFileSync(outPath, report);
console.log(`\nwritten to ${relative(process.cwd(), outPath)}`);

async function measure(path: string): Promise<PageResult> {
  const html = read(path);
  let countMs = Infinity;
  let tokensBefore = 0;
  for (let run = 0; run < 2; run++) {
    const started = performance.now();
    tokensBefore = o200kCounter.count(html);
    countMs = Math.min(countMs, performance.now() - started);
  }
  const { context } = contextFor(html, tokensBefore);
  let compressorMs = Infinity;
  let pieces = compressHtml(html, context);
  for (let run = 0; run < 2; run++) {
    const started = performance.now();
    pieces = compressHtml(html, context);
    compressorMs = Math.min(compressorMs, performance.now() - started);
  }

  const store = new Keyv();
  const started = performance.now();
  // The default budget, as the compressor alone was given it: a budget passed in would be a
  // ceiling, and an output over it would be compressed again with another one.
  const result = await compress(html, { kind: 'html', store, exactCounts: true });
  const compressMs = performance.now() - started;

  // Folds: the markers of the output, in order, are the compressor's folds, in order.
  const requested = (pieces ?? []).filter((piece): piece is FoldRequest => typeof piece !== 'string');
  const markers = result.passThrough ? [] : findMarkers(result.text);
  let foldsExact = 0;
  for (const [i, fold] of requested.entries()) {
    const marker = markers[i];
    const unfolded = marker ? await unfold(marker.id, { store }) : undefined;
    if (unfolded?.status === 'ok' && unfolded.text === fold.text) foldsExact++;
  }
  const last = markers.at(-1);
  const original = last ? await unfold(last.id, { store }) : undefined;

  const markerTokens = markers.reduce((sum, marker) => sum + o200kCounter.count(result.text.slice(marker.index, marker.index + marker.length)), 0);
  const shape = await foldShapes(result.text, markers, store);

  const headings = mainHeadings(html);
  const visibleKey = textKey(result.text);
  const foldKeys = requested.slice(0, -1).map((fold) => textKey(fold.text));
  let headingsVisible = 0;
  let headingsInFold = 0;
  for (const heading of headings) {
    if (visibleKey.includes(heading)) headingsVisible++;
    else if (foldKeys.some((key) => key.includes(heading))) headingsInFold++;
  }
  return {
    path: relative(directory, path),
    bytes: Buffer.byteLength(html),
    detected: detect(html).kind,
    tokensBefore,
    tokensAfter: result.tokensAfter,
    compressorMs,
    compressMs,
    countMs,
    headings: headings.length,
    headingsVisible,
    headingsInFold,
    folds: requested.length,
    foldsExact: result.passThrough ? requested.length : foldsExact,
    originalExact: result.passThrough !== undefined || (original?.status === 'ok' && original.text === html),
    markers: markers.length,
    markerTokens,
    ...shape,
  };
}

/**
 * How the folds of the output sit, the two that close it (the rest of the page and the original)
 * aside: inside a line (text before it or after it on its line), mid-sentence (inside a line and
 * next to a sentence that goes on), and small (under 100 characters, about a line). Read from
 * what `compress()` returns, after the evidence layer had its say, not from the compressor alone.
 */
async function foldShapes(output: string, markers: ReadonlyArray<{ id: string; index: number; length: number }>, store: Keyv) {
  const textMarkers = markers.slice(0, Math.max(0, markers.length - 2));
  let foldsInsideLine = 0;
  let foldsMidSentence = 0;
  let smallFolds = 0;
  for (const [i, marker] of textMarkers.entries()) {
    const previousEnd = i === 0 ? 0 : textMarkers[i - 1]!.index + textMarkers[i - 1]!.length;
    const nextStart = markers[i + 1]?.index ?? output.length;
    const before = output.slice(previousEnd, marker.index);
    const after = output.slice(marker.index + marker.length, nextStart);
    const folded = await unfold(marker.id, { store });
    const text = folded.status === 'ok' ? folded.text : '';
    const startsInLine = before !== '' && !/\n[ \t]*$/.test(before);
    const endsInLine = after !== '' && !/^[ \t]*(\n|$)/.test(after);
    if (startsInLine || endsInLine) foldsInsideLine++;
    if ((startsInLine && !SENTENCE_END.test(before)) || (endsInLine && !SENTENCE_END.test(text))) foldsMidSentence++;
    if (text.length < SMALL_FOLD_CHARS) smallFolds++;
  }
  return { textFolds: textMarkers.length, foldsInsideLine, foldsMidSentence, smallFolds };
}

function findPages(root: string, most: number): string[] {
  let output = '';
  try {
    output = execFileSync('find', [root, '-name', '*.html', '-size', '+8k'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return [];
  }
  const paths = output.split('\n').filter(Boolean).sort();
  return most > 0 ? paths.slice(0, most) : paths;
}

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

// The context compress() gives the compressor with `exactCounts` and the default budget.
function contextFor(html: string, tokens = o200kCounter.count(html)): { context: CompressorContext; budget: number } {
  const budget = defaultBudget(tokens);
  return { budget, context: { query: '', budget, countTokens: (text) => o200kCounter.count(text), estimateTokens } };
}

// h1-h3 texts of the page outside navigation, header, footer and sidebars, as `textKey`s.
function mainHeadings(html: string): string[] {
  const { document } = parseHTML(html) as unknown as { document: { querySelectorAll(selector: string): ArrayLike<HeadingElement> } };
  // A line break in a heading reads as a space (textContent would join the words).
  for (const lineBreak of Array.from(document.querySelectorAll('h1 br, h2 br, h3 br'))) lineBreak.replaceWith(' ');
  const headings: string[] = [];
  for (const heading of Array.from(document.querySelectorAll('h1, h2, h3'))) {
    if (heading.closest('nav, header, footer, aside, [role="navigation"], [role="banner"], [role="contentinfo"]')) continue;
    const key = textKey(heading.textContent ?? '');
    if (key.length >= 3) headings.push(key);
  }
  return headings;
}

interface HeadingElement {
  textContent: string | null;
  closest(selector: string): unknown;
  replaceWith(text: string): void;
}

// Letters and digits only, lower case, single spaces: Markdown syntax, URLs and glyphs aside.
function textKey(text: string): string {
  return text
    .replace(/\]\([^)\s]*\)/g, ' ')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function renderReport(rows: PageResult[]): string {
  const sum = (pick: (row: PageResult) => number, of = rows) => of.reduce((total, row) => total + pick(row), 0);
  const megabytes = sum((row) => row.bytes) / 1e6;
  const groups = new Map<string, PageResult[]>();
  for (const row of rows) {
    const name = row.path.split('/')[0]!;
    const group = ['nodejs', 'libxslt1-dev', 'valgrind'].includes(name) ? name : 'other packages';
    groups.set(group, [...(groups.get(group) ?? []), row]);
  }
  const line = (name: string, of: PageResult[]) => {
    const before = sum((row) => row.tokensBefore, of);
    const after = sum((row) => row.tokensAfter, of);
    const mb = sum((row) => row.bytes, of) / 1e6;
    const headings = sum((row) => row.headings, of);
    const visible = sum((row) => row.headingsVisible, of);
    const inFold = sum((row) => row.headingsInFold, of);
    return `| ${name} | ${of.length} | ${mb.toFixed(1)} | ${before.toLocaleString('en-US')} | ${after.toLocaleString('en-US')} | ${percent(1 - after / before)} | ${(mb / (sum((row) => row.compressorMs, of) / 1000)).toFixed(1)} | ${(mb / (sum((row) => row.compressMs, of) / 1000)).toFixed(1)} | ${(mb / (sum((row) => row.countMs, of) / 1000)).toFixed(1)} | ${percent(visible / headings)} (${percent((visible + inFold) / headings)}) |`;
  };
  const compressorTimes = rows.map((row) => row.compressorMs).sort((a, b) => a - b);
  const compressTimes = rows.map((row) => row.compressMs).sort((a, b) => a - b);
  const folds = sum((row) => row.folds);
  const foldsExact = sum((row) => row.foldsExact);
  const kinds = new Map<string, number>();
  for (const row of rows) kinds.set(row.detected, (kinds.get(row.detected) ?? 0) + 1);
  const slowest = [...rows].sort((a, b) => b.compressorMs - a.compressorMs).slice(0, 5);
  const missed = rows.filter((row) => row.headingsVisible + row.headingsInFold < row.headings).slice(0, 8);
  const markerShare = (of: PageResult[]) => percent(sum((row) => row.markerTokens, of) / sum((row) => row.tokensAfter, of));
  const markerShares = rows.map((row) => (row.tokensAfter ? row.markerTokens / row.tokensAfter : 0)).sort((a, b) => a - b);
  const textFolds = sum((row) => row.textFolds);

  return [
    '# HTML compressor on real pages',
    '',
    `${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)} at the end), Node ${process.version}.`,
    `${rows.length} HTML pages of 8 kB or more under \`${directory}\` (${megabytes.toFixed(1)} MB), default budget (a quarter of each page's tokens, at least 1,500), no query. Tokens: o200k.`,
    'Speed columns are MB/s over the group: `compressHtml` alone, `compress()` end to end, and one o200k count of the page (the yardstick). Pages over 1 MB (Node\'s `all.html`, 8 MB) take the linear tag stripper instead of the DOM, hence the row without them. Headings: h1-h3 outside nav/header/footer/aside visible in the output (in brackets: visible or in a Markdown fold).',
    '',
    '| pages | n | MB | tokens before | tokens after | reduction | compressor MB/s | compress() MB/s | o200k count MB/s | headings visible (or one unfold away) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...[...groups.entries()].map(([name, of]) => line(name, of)),
    line('pages under 1 MB', rows.filter((row) => row.bytes < 1e6)),
    line('**all**', rows),
    '',
    `- Per page, \`compressHtml\`: p50 ${percentile(compressorTimes, 0.5).toFixed(0)} ms, p95 ${percentile(compressorTimes, 0.95).toFixed(0)} ms, max ${compressorTimes.at(-1)!.toFixed(0)} ms; \`compress()\`: p50 ${percentile(compressTimes, 0.5).toFixed(0)} ms, p95 ${percentile(compressTimes, 0.95).toFixed(0)} ms.`,
    `- Folds: ${foldsExact} of ${folds} unfold byte for byte; the original page is the last fold of ${rows.filter((row) => row.originalExact).length} of ${rows.length} pages.`,
    `- Markers: ${sum((row) => row.markers)} in all, ${markerShare(rows)} of the output tokens (${markerShare(rows.filter((row) => row.bytes < 1e6))} on pages under 1 MB; per page, median ${percent(percentile(markerShares, 0.5))}, p95 ${percent(percentile(markerShares, 0.95))}).`,
    `- Folds of the Markdown (the rest of the page and the original aside): ${textFolds}; inside a line ${sum((row) => row.foldsInsideLine)} (${percent(sum((row) => row.foldsInsideLine) / textFolds)}), starting or ending mid-sentence ${sum((row) => row.foldsMidSentence)} (${percent(sum((row) => row.foldsMidSentence) / textFolds)}), under ${SMALL_FOLD_CHARS} characters ${sum((row) => row.smallFolds)} (${percent(sum((row) => row.smallFolds) / textFolds)}).`,
    `- Router: ${[...kinds.entries()].map(([kind, count]) => `${kind} ${count}`).join(', ')}.`,
    `- Slowest pages: ${slowest.map((row) => `${row.path} (${Math.round(row.bytes / 1024)} kB, ${row.compressorMs.toFixed(0)} ms)`).join('; ')}.`,
    ...(missed.length
      ? [`- Pages with headings neither visible nor in a Markdown fold: ${missed.map((row) => `${row.path} (${row.headings - row.headingsVisible - row.headingsInFold} of ${row.headings})`).join('; ')}.`]
      : []),
    '',
  ].join('\n');
}

function percent(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '–';
}
