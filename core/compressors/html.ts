import { isProbablyReaderable, Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import type { Compressor, CompressorContext, FoldRequest, Piece } from '../types.ts';
import { flattenCodeBlocks, toMarkdown, type DomElement, type DomNode } from './html-markdown.ts';
import { htmlToPlainText, measureMarkup, splitDocument, stripInvisible, type InvisibleCounts } from './html-scan.ts';
import { MARKER_TOKENS } from './lines.ts';
import { markdownBlocks } from './markdown-blocks.ts';
import { foldUnselected, sampleTokensPerChar, scoreSentences, selectSentences, type SentenceSelection, type UnitScorer } from './text.ts';

/*
 * Web pages: show the main content as Markdown, fold the rest of the page and the original.
 *
 * An agent that fetches a page wants what the page says: its headings, paragraphs, lists, tables,
 * code blocks and links. Navigation, headers, footers, sidebars, scripts and styles are most of
 * the bytes and none of the answer. So the visible text is the page's main content converted to
 * Markdown, and two folds keep everything else one unfold away:
 *
 *   - the rest of the page as Markdown (navigation, header, footer, sidebars), so that a link or a
 *     notice outside the article can be found with `grep` without reading raw HTML;
 *   - the original HTML, byte for byte, for anything the extraction got wrong.
 *
 * The main content is the page's own landmark when it has exactly one (`<main>`, `role="main"`,
 * or a single `<article>`), else what Mozilla's Readability (Firefox's reader view) finds, else
 * the whole body. Scripts, styles, inline SVG and comments are cut by a linear scan before the DOM
 * (linkedom) is built, which halves the parse; the Markdown comes from turndown (see
 * html-markdown.ts). If the Markdown is still over the budget, the text compressor's selection
 * folds the blocks that matter least (paragraphs, list items, table rows, code blocks: never part
 * of a sentence; see markdown-blocks.ts), keeping every h1-h3 heading as an outline; a run of
 * dropped blocks too small to be worth its marker stays visible.
 *
 * Pages that would take a DOM more than about 2 s (too many nodes, or nested too deep: see the
 * limits below) are reduced to plain text by a linear tag stripper instead, with the original in
 * a fold as always. Everything here is synchronous and deterministic; a DOM or library failure
 * falls back to the tag stripper too.
 */

// Limits of the DOM path, past which the linear tag stripper takes over. Its cost is per node
// (about 30 µs each through linkedom, Readability and turndown, GC included) and grows with the
// square of nesting depth (see `measureMarkup`): the largest real page of the benchmark has
// 43,000 nodes; 60,000 nodes, or 40 million units of depth work, take about 2 s.
const DOM_LIMIT = 4 * 1024 * 1024;
const NODE_LIMIT = 60_000;
const DEPTH_LIMIT = 256;
const WORK_LIMIT = 40_000_000;
// A landmark (<main>, <article>) must hold at least this share of the body's text to be trusted:
// an app shell's empty <main> is not the content.
const LANDMARK_MIN_SHARE = 0.25;
// Readability's result is trusted above this many characters; below, the whole body is shown.
const ARTICLE_MIN_CHARS = 200;
// Tokens kept free in the budget for the two fold markers that close the output.
const MARKER_RESERVE = 60;
// Headings h1-h3 are ranked above every sentence when the Markdown is cut to the budget, as
// many as fit this share of it (each costing its tokens and a fold marker next to it).
const OUTLINE_BONUS = 10;
const OUTLINE_SHARE = 0.3;
const OUTLINE_MARKER_TOKENS = 12;
const CALIBRATION_CHARS = 2048;
// A fold of the Markdown hides at least this much (twice a marker's cost, as lines.ts asks).
const MIN_FOLD_TOKENS = 2 * MARKER_TOKENS;

// Numbers the page's elements to tell, after Readability, which ones it took.
const MARK = 'data-tokenfold-id';
// Hidden for everyone (`display: none` is left to Readability: tabs of code samples use it).
const HIDDEN = '[hidden], [aria-hidden="true"]';
const NAVIGATION = 'nav, [role="navigation"], [role="search"]';
// Pages with more elements than this that are not articles skip Readability.
const PLAIN_WALK_MIN_ELEMENTS = 1500;
// The page around its content, for pages that are not articles.
const CHROME = 'nav, header, footer, aside, [role="navigation"], [role="banner"], [role="contentinfo"], [role="complementary"], [role="search"]';
const LANDMARKS: Array<[string, string]> = [
  ['nav', 'nav, [role="navigation"]'],
  ['header', 'header, [role="banner"]'],
  ['footer', 'footer, [role="contentinfo"]'],
  ['sidebar', 'aside, [role="complementary"]'],
  ['form', 'form'],
];

interface Extraction {
  /** The main content as Markdown. */
  main: string;
  /** The page outside the main content as Markdown; '' when there is none. */
  rest: string;
  /** Landmarks outside the main content, for the fold summaries: `nav, footer`. */
  landmarks: string[];
}

/**
 * Compresses an HTML page to its main content as Markdown, folding the rest of the page (as
 * Markdown) and the original HTML (byte-exact), so nothing is lost. Never throws: malformed HTML
 * is read as a browser would read most of it, and a failure of the DOM path falls back to a
 * linear tag stripper.
 *
 * @example
 * const result = await compress(await (await fetch(url)).text());
 * // # Title\n\nMain text as Markdown…\n\n[[fold …: 40 lines; rest of the page as Markdown: nav, footer]]
 */
export const compressHtml: Compressor = (text, context) => {
  const { html, counts } = stripInvisible(text);
  const { title, body } = splitDocument(html);
  const extraction = (fitsDom(body) ? extractWithDom(body) : undefined) ?? {
    main: htmlToPlainText(body),
    rest: '',
    landmarks: [],
  };

  const visible = withTitle(title, extraction.main);
  const pieces: Piece[] = fitBudget(visible, context);
  const tail: Piece[] = [];
  const rest = extraction.rest.trim();
  if (rest) {
    const links = rest.split('](').length - 1;
    const parts = [...(links ? [`${links} link${links === 1 ? '' : 's'}`] : []), ...extraction.landmarks];
    const summary = `rest of the page as Markdown${parts.length ? `: ${parts.join(', ')}` : ''}`;
    tail.push({ text: rest, unit: 'lines', count: lineCount(rest), summary });
  }
  tail.push({ text, unit: 'lines', count: lineCount(text), summary: originalSummary(text, counts, extraction.landmarks) });
  for (const piece of tail) pieces.push(pieces.length ? '\n\n' : '', piece);
  return pieces;
};

function fitsDom(body: string): boolean {
  if (body.length > DOM_LIMIT) return false;
  const { nodes, depth, work } = measureMarkup(body);
  return nodes <= NODE_LIMIT && depth <= DEPTH_LIMIT && work <= WORK_LIMIT;
}

// Parses the body and finds its main content; undefined when the DOM path fails.
function extractWithDom(body: string): Extraction | undefined {
  try {
    // No <title> for Readability: it deletes any early heading it finds similar to the title
    // (`GCC 12.1` for `GCC 12 Release Series`), and the title is shown anyway.
    const { document } = parseHTML(`<!DOCTYPE html><html><head></head><body>${body}</body></html>`) as unknown as {
      document: DomDocument;
    };
    const page = document.body;
    for (const element of Array.from(page.querySelectorAll(HIDDEN))) element.remove();
    flattenCodeBlocks(page);
    const landmarks = LANDMARKS.filter(([, selector]) => page.querySelector(selector)).map(([name]) => name);

    const landmark = landmarkMain(page);
    if (landmark) {
      // Navigation inside the landmark (breadcrumbs, a table of contents) counts as the rest.
      for (const navigation of outermost(landmark.querySelectorAll(NAVIGATION))) landmark.before(navigation);
      const main = toMarkdown(landmark);
      landmark.remove();
      return { main, rest: toMarkdown(page), landmarks };
    }

    // Readability costs about as much as the rest of the page's path together (parse, walk,
    // Markdown; see bench/html-results.md), and more than that on large pages. A large page that
    // is not an article (an index, a reference table, a list of links) gains nothing from it: the
    // plain walk does, the page's landmarks (navigation, header, footer, sidebars) going to the
    // rest and the body staying the content, for the budget cut below to pick from. Readability's
    // own cheap test says what is an article; small pages, cheap either way, keep Readability's
    // finer cut of link blocks without landmarks.
    const elements = page.querySelectorAll('*');
    if (elements.length > PLAIN_WALK_MIN_ELEMENTS && !isProbablyReaderable(document as never)) {
      const chrome = outermost(page.querySelectorAll(CHROME));
      const rest = chrome.map((element) => toMarkdown(element)).join('\n\n');
      for (const element of chrome) element.remove();
      return { main: toMarkdown(page), rest, landmarks };
    }
    // Readability moves the article's elements out of the page and deletes much of the rest, so
    // the rest comes from a copy: every element is numbered first (Readability keeps data
    // attributes), and in the copy each element the article holds gives way to its child
    // elements, which are judged in turn. What Readability dropped from inside the article (a
    // share box, a comment thread) so stays in the rest; the article's own text leaves it.
    for (let i = 0; i < elements.length; i++) elements[i]!.setAttribute(MARK, String(i));
    const whole = page.cloneNode(true);
    const article = readArticle(document);
    if (!article) return { main: toMarkdown(whole), rest: '', landmarks };
    const taken = new Set<string | null>();
    for (const element of Array.from(article.querySelectorAll(`[${MARK}]`))) taken.add(element.getAttribute(MARK));
    for (const element of Array.from(whole.querySelectorAll(`[${MARK}]`))) {
      if (!taken.has(element.getAttribute(MARK))) continue;
      for (const child of Array.from(element.children)) element.before(child);
      element.remove();
    }
    return { main: toMarkdown(article), rest: toMarkdown(whole), landmarks };
  } catch {
    return undefined;
  }
}

interface DomDocument {
  body: DomElement;
}

// The one <main> (or role=main), else the one <article>, when it holds a fair share of the text.
function landmarkMain(page: DomElement): DomElement | undefined {
  const pageText = visibleTextLength(page);
  for (const selector of ['main, [role="main"]', 'article']) {
    const found = outermost(page.querySelectorAll(selector));
    if (found.length !== 1) continue;
    if (visibleTextLength(found[0]!) >= pageText * LANDMARK_MIN_SHARE) return found[0];
    return undefined;
  }
  return undefined;
}

// Readability's article, or undefined when it finds none or too little to trust.
function readArticle(document: DomDocument): DomElement | undefined {
  const serializer = (node: unknown) => node as DomElement;
  const content = new Readability<DomElement>(document as never, { serializer }).parse()?.content;
  if (!content || (content.textContent ?? '').trim().length < ARTICLE_MIN_CHARS) return undefined;
  return content;
}

// Elements of `list` not inside another element of `list`: one walk up from each.
function outermost(list: ArrayLike<DomElement>): DomElement[] {
  const members = new Set<DomNode>(Array.from(list));
  return Array.from(list).filter((element) => {
    for (let parent = element.parentNode; parent; parent = parent.parentNode) if (members.has(parent)) return false;
    return true;
  });
}

function visibleTextLength(element: DomElement): number {
  return (element.textContent ?? '').replace(/\s+/g, ' ').trim().length;
}

// `# Title` first, unless one of the first headings already says it.
function withTitle(title: string, markdown: string): string {
  const body = markdown.trim();
  if (!title) return body;
  const headings = body.match(/^#{1,3} .*$/gm)?.slice(0, 3) ?? [];
  const folded = title.toLowerCase();
  const saysTitle = (heading: string) => {
    const text = heading.replace(/^#+ /, '').trim().toLowerCase();
    return text.length >= 3 && folded.includes(text);
  };
  if (headings.some(saysTitle)) return body;
  return body ? `# ${title}\n\n${body}` : `# ${title}`;
}

/**
 * The Markdown as pieces within the budget: whole when it fits, else the text compressor's
 * selection of whole blocks with h1-h3 headings ranked first (within a share of the budget), so
 * the outline stays visible around the folds.
 */
function fitBudget(markdown: string, context: CompressorContext): Piece[] {
  if (!markdown) return [];
  const budget = Math.max(context.budget - MARKER_RESERVE, 1);
  // The estimate settles clear cases; an exact count (costly on a long text) only close ones.
  const estimate = context.estimateTokens(markdown);
  if (estimate <= budget * 0.8 || (estimate <= budget * 1.5 && context.countTokens(markdown) <= budget)) return [markdown];
  // Measured on the Markdown, not the input: the HTML's own tokens say nothing about it.
  const tokensPerChar = sampleTokensPerChar(markdown, context.countTokens, CALIBRATION_CHARS);
  // The outline: h1, then h2, then h3 headings, in page order, while they fit a share of the
  // budget (a reference page can have more h3s than the budget holds, and the query's answer
  // needs room too).
  const score: UnitScorer = (input) => {
    const scores = scoreSentences(input);
    const headings: Array<{ unit: number; level: number }> = [];
    input.units.forEach((unit, i) => {
      const level = /^(#{1,3}) /.exec(input.text.slice(unit.start, unit.start + 4))?.[1]?.length;
      if (level) headings.push({ unit: i, level });
    });
    headings.sort((a, b) => a.level - b.level || a.unit - b.unit);
    let room = budget * OUTLINE_SHARE;
    for (const { unit } of headings) {
      const { start, end } = input.units[unit]!;
      room -= (end - start) * tokensPerChar + OUTLINE_MARKER_TOKENS;
      if (room < 0) break;
      scores[unit]! += OUTLINE_BONUS;
    }
    return scores;
  };
  // Whole blocks, never parts of sentences; and no fold of what costs about as much as its marker.
  const selection = selectSentences(markdown, { query: context.query, budget, tokensPerChar, score, units: markdownBlocks(markdown) });
  keepSmallGaps(selection, tokensPerChar);
  return foldUnselected(markdown, selection, tokensPerChar);
}

// Runs of dropped blocks that hide fewer than MIN_FOLD_TOKENS stay visible: a marker costs about
// 12 tokens, and a fold of a line or two makes the reader unfold for what it could have read.
function keepSmallGaps(selection: SentenceSelection, tokensPerChar: number): void {
  const { units, kept } = selection;
  for (let first = 0; first < units.length; first++) {
    if (kept[first]) continue;
    let last = first;
    while (last + 1 < units.length && !kept[last + 1]) last++;
    const hidden = (units[last]!.end - units[first]!.start) * tokensPerChar;
    if (hidden < MIN_FOLD_TOKENS) kept.fill(1, first, last + 1);
    first = last;
  }
}

// `original HTML 84 kB: 12 scripts, 3 styles, nav, footer`
function originalSummary(html: string, counts: InvisibleCounts, landmarks: string[]): string {
  const parts: string[] = [];
  const plural = (count: number, name: string) => `${count} ${name}${count === 1 ? '' : 's'}`;
  if (counts.scripts) parts.push(plural(counts.scripts, 'script'));
  if (counts.styles) parts.push(plural(counts.styles, 'style'));
  if (counts.svgs) parts.push(plural(counts.svgs, 'svg'));
  parts.push(...landmarks);
  const size = html.length >= 1024 * 1024 ? `${(html.length / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.round(html.length / 1024))} kB`;
  return `original HTML ${size}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

function lineCount(text: string): number {
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}
