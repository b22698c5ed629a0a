import TurndownService from '#turndown';
import { strikethrough, taskListItems } from '#turndown-plugin-gfm';

/*
 * DOM to Markdown for the HTML compressor: turndown, set up for a model rather than a renderer.
 *
 * - Headings are `#` lines, code blocks fenced with their language, lists `- ` and `1. ` with the
 *   shortest indent (turndown's default `-   ` costs two tokens more per item).
 * - Every table becomes a GFM table, the first row as header. turndown-plugin-gfm keeps a table
 *   without `<th>` as raw HTML and crashes on linkedom (no `table.rows`), so tables are done here;
 *   its strikethrough and task-list rules are used as they are. Layout tables (nested tables, one
 *   column or one row, headings or code inside) become plain text, a row per line.
 * - `<pre>` without `<code>` (DocBook, Texinfo, man2html pages) is a code block too.
 * - Links keep their text and URL; in-page links (`#section`) keep their text only, anchor glyphs
 *   (`#`, `¶`) next to headings go, long query strings and data: URLs are cut. Images without alt
 *   text go. The original page is in a fold, so nothing here is lost for good.
 * - No Markdown escaping: `\_` and `\*` cost tokens and a model reads `snake_case` as it is.
 *
 * Whitespace: turndown ends with `/[\t\r\n\s]+$/`, quadratic on one long whitespace run, so runs
 * in code blocks are capped and `<br>` runs collapse to two.
 */

/** The DOM surface this module and the compressor use (linkedom implements it). */
export interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  parentNode: DomNode | null;
  previousSibling: DomNode | null;
  nextSibling: DomNode | null;
  firstChild: DomNode | null;
  childNodes: ArrayLike<DomNode>;
}

export interface DomElement extends DomNode {
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  querySelector(selectors: string): DomElement | null;
  querySelectorAll(selectors: string): ArrayLike<DomElement>;
  cloneNode(deep: boolean): DomElement;
  remove(): void;
  before(...nodes: DomNode[]): void;
  children: ArrayLike<DomElement>;
}

// URLs longer than this are cut; query strings longer than QUERY_CHARS become `?…`.
const URL_CHARS = 160;
const QUERY_CHARS = 40;
// Longest whitespace run kept inside a code block (see the header): longer runs are cut to it.
const CODE_WHITESPACE_RUN = 256;
const LONG_WHITESPACE = new RegExp(`\\s{${CODE_WHITESPACE_RUN + 1},}`, 'g');
// Link texts that only mark an anchor: the `#` or `¶` after a heading.
const ANCHOR_GLYPHS = new Set(['#', '¶', '§', '🔗', '⚓', '∞', '↩', '↑', '⁋', 'link', 'permalink']);

// Where `flattenCodeBlocks` leaves a code block's language.
const LANGUAGE_ATTRIBUTE = 'data-tokenfold-language';

const service = createService();

/**
 * Markdown of a DOM subtree. The node is cloned by turndown, never changed. Deterministic.
 *
 * @example
 * const { document } = parseHTML(html);
 * const markdown = toMarkdown(document.body);
 */
export function toMarkdown(root: DomNode): string {
  return service.turndown(root);
}

/**
 * Replaces the content of every `<pre>` with its plain code text (its language kept in an
 * attribute). turndown converts every node of a subtree before a rule sees the result, so the
 * thousands of highlighting `<span>`s of a documentation page cost as much as its prose; Readability
 * walks them too. Done once on the parsed page, before either runs.
 */
export function flattenCodeBlocks(root: DomElement): void {
  for (const pre of Array.from(root.querySelectorAll('pre'))) {
    const language = codeLanguage(pre);
    const code = codeText(pre);
    pre.textContent = code;
    pre.setAttribute(LANGUAGE_ATTRIBUTE, language);
  }
}

/** Cuts long query strings and very long URLs; a data: URL becomes `data:…`. */
export function shortenUrl(url: string): string {
  const trimmed = url.trim();
  if (/^data:/i.test(trimmed)) return 'data:…';
  let short = trimmed.replaceAll(' ', '%20');
  const query = short.indexOf('?');
  if (query !== -1 && short.length - query > QUERY_CHARS) {
    const hash = short.indexOf('#', query);
    short = `${short.slice(0, query)}?…${hash !== -1 && short.length - hash <= QUERY_CHARS ? short.slice(hash) : ''}`;
  }
  return short.length > URL_CHARS ? `${short.slice(0, URL_CHARS)}…` : short;
}

function createService(): TurndownService {
  const turndown = new TurndownService({
    headingStyle: 'atx',
    hr: '---',
    bulletListMarker: '-',
    codeBlockStyle: 'fenced',
    fence: '```',
  });
  turndown.escape = (text) => text;
  turndown.use(strikethrough);
  turndown.use(taskListItems);
  turndown.remove([
    'script', 'style', 'noscript', 'template', 'svg', 'canvas', 'iframe', 'object', 'embed',
    'button', 'select', 'input', 'textarea', 'head', 'title', 'meta', 'link',
  ]);

  turndown.addRule('heading', {
    filter: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
    replacement: (content, node) => {
      const text = content.replaceAll('\n', ' ').trim();
      return text ? `\n\n${'#'.repeat(Number(node.nodeName.charAt(1)))} ${text}\n\n` : '';
    },
  });

  turndown.addRule('lineBreak', {
    filter: 'br',
    replacement: (_content, node) => (isBr(node.previousSibling) && isBr(node.previousSibling.previousSibling) ? '' : '\n'),
  });

  turndown.addRule('listItem', {
    filter: 'li',
    replacement: (content, node) => {
      const parent = node.parentNode as DomElement | null;
      let prefix = '- ';
      if (parent?.nodeName === 'OL') {
        const start = Number(parent.getAttribute('start') ?? '1');
        prefix = `${(Number.isFinite(start) ? start : 1) + elementIndex(parent, node)}. `;
      }
      const body = trimNewlines(content).replaceAll('\n', `\n${' '.repeat(prefix.length)}`);
      return `${prefix}${body}${node.nextSibling ? '\n' : ''}`;
    },
  });

  // `term` then `: definition` (Markdown Extra), a pair per two lines instead of two paragraphs.
  turndown.addRule('definitionTerm', {
    filter: 'dt',
    replacement: (content) => `\n\n${content.replaceAll('\n', ' ').trim()}\n`,
  });
  turndown.addRule('definition', {
    filter: 'dd',
    replacement: (content) => `: ${trimNewlines(content)}\n\n`,
  });

  turndown.addRule('codeBlock', {
    filter: 'pre',
    replacement: (_content, node) => {
      // Leading line breaks go too (a browser drops the one right after `<pre>`, linkedom keeps it).
      const code = capWhitespace(trimNewlines(codeText(node)));
      if (code.trim() === '') return '';
      let fence = '```';
      for (const match of code.matchAll(/^`{3,}/gm)) if (match[0].length >= fence.length) fence = '`'.repeat(match[0].length + 1);
      const language = node.getAttribute(LANGUAGE_ATTRIBUTE) ?? codeLanguage(node);
      return `\n\n${fence}${language}\n${code}\n${fence}\n\n`;
    },
  });

  turndown.addRule('link', {
    filter: 'a',
    replacement: (content, node) => {
      const text = content.trim();
      if (!text) return '';
      const href = (node.getAttribute('href') ?? '').trim();
      if (href === '' || href.startsWith('#') || /^javascript:/i.test(href)) {
        return ANCHOR_GLYPHS.has(text.toLowerCase()) ? '' : content;
      }
      if (text === href) return shortenUrl(href);
      return `[${content}](${shortenUrl(href)})`;
    },
  });

  turndown.addRule('image', {
    filter: 'img',
    replacement: (_content, node) => {
      const alt = (node.getAttribute('alt') ?? '').replace(/\s+/g, ' ').trim();
      const source = node.getAttribute('src') ?? '';
      // Inside a link, the alt text is the link's text: `[Next](next.html)`, not a nested image.
      if (isInsideLink(node)) return alt;
      return alt ? `![${alt}](${shortenUrl(source)})` : '';
    },
  });

  // Tables: one rule per level, each asking whether its table is a layout table.
  turndown.addRule('tableCell', {
    filter: ['th', 'td'],
    replacement: (content, node) => {
      if (isLayoutTable(tableOf(node))) {
        // A layout cell of inline content (a link, a logo) shares its row's line.
        const text = content.trim();
        return text.includes('\n') ? `\n\n${text}\n\n` : ` ${text} `;
      }
      const cell = content.replaceAll('\n', ' ').replaceAll('|', '\\|').trim();
      const span = Math.min(Math.max(Number(node.getAttribute('colspan') ?? '1') || 1, 1), 50);
      return `${elementIndex(node.parentNode, node) === 0 ? '|' : ''} ${cell} |${' |'.repeat(span - 1)}`;
    },
  });
  turndown.addRule('tableRow', {
    filter: 'tr',
    replacement: (content, node) => {
      if (!isLayoutTable(tableOf(node))) return `\n${content.trim()}\n`;
      const row = content.trim();
      return `\n\n${row.includes('\n') ? row : row.replace(/ {2,}/g, ' ')}\n\n`;
    },
  });
  turndown.addRule('tableSection', {
    filter: ['thead', 'tbody', 'tfoot'],
    replacement: (content) => content,
  });
  turndown.addRule('tableCaption', {
    filter: 'caption',
    replacement: (content) => `\n\n${content.trim()}\n\n`,
  });
  turndown.addRule('table', {
    filter: 'table',
    replacement: (content, node) => {
      if (isLayoutTable(node)) return `\n\n${content}\n\n`;
      const rows: string[] = [];
      const other: string[] = []; // the caption
      for (const line of content.split('\n')) {
        if (line.startsWith('|')) rows.push(line);
        else if (line.trim()) other.push(line.trim());
      }
      if (rows.length === 0) return other.length ? `\n\n${other.join('\n')}\n\n` : '';
      const columns = columnCount(node);
      rows.splice(1, 0, `|${' --- |'.repeat(columns)}`);
      return `\n\n${other.length ? `${other.join('\n')}\n\n` : ''}${rows.join('\n')}\n\n`;
    },
  });
  return turndown;
}

function isInsideLink(node: DomNode): boolean {
  for (let parent = node.parentNode; parent; parent = parent.parentNode) if (parent.nodeName === 'A') return true;
  return false;
}

function isBr(node: DomNode | null): boolean {
  return node?.nodeName === 'BR';
}

// Index of `node` among its parent's element children, cached per parent: turndown asks once per
// list item or cell, and a scan each time would be quadratic on a long list.
const childIndexes = new WeakMap<DomNode, Map<DomNode, number>>();
function elementIndex(parent: DomNode | null, node: DomNode): number {
  if (!parent) return 0;
  let indexes = childIndexes.get(parent);
  if (!indexes) {
    indexes = new Map();
    const children = (parent as DomElement).children;
    for (let i = 0; i < children.length; i++) indexes.set(children[i]!, i);
    childIndexes.set(parent, indexes);
  }
  return indexes.get(node) ?? 0;
}

function tableOf(node: DomNode): DomElement | undefined {
  for (let parent = node.parentNode; parent; parent = parent.parentNode) {
    if (parent.nodeName === 'TABLE') return parent as DomElement;
  }
  return undefined;
}

// A table used for page layout rather than data, decided once per table.
const layoutTables = new WeakMap<DomNode, boolean>();
function isLayoutTable(table: DomElement | undefined): boolean {
  if (!table) return true;
  let layout = layoutTables.get(table);
  if (layout === undefined) {
    const rows = table.querySelectorAll('tr');
    layout =
      rows.length < 2 ||
      columnCount(table) < 2 ||
      table.querySelector('table, pre, h1, h2, h3, h4, h5, h6, blockquote') !== null;
    layoutTables.set(table, layout);
  }
  return layout;
}

function columnCount(table: DomElement): number {
  let columns = 0;
  const rows = table.querySelectorAll('tr');
  for (let r = 0; r < rows.length; r++) {
    let width = 0;
    const cells = rows[r]!.children;
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c]!;
      if (cell.nodeName === 'TD' || cell.nodeName === 'TH') width += Math.min(Math.max(Number(cell.getAttribute('colspan') ?? '1') || 1, 1), 50);
    }
    columns = Math.max(columns, width);
  }
  return columns;
}

// The text of a `<pre>`: its `<code>` children, one after the other with a blank line (Node's
// docs put the ESM and CommonJS variants of an example side by side, next to a toggle and a copy
// button), or its whole text when it has no `<code>` child.
function codeText(pre: DomElement): string {
  const codes = codeChildren(pre);
  if (codes.length === 0) return pre.textContent ?? '';
  if (codes.length === 1) return codes[0]!.textContent ?? '';
  return codes.map((code) => trimTrailingNewlines(code.textContent ?? '')).join('\n\n');
}

function codeChildren(pre: DomElement): DomElement[] {
  const codes: DomElement[] = [];
  const children = pre.children;
  for (let i = 0; i < children.length; i++) if (children[i]!.nodeName === 'CODE') codes.push(children[i]!);
  return codes;
}

// `language-js`, `lang-py` or `highlight-source-rust` on the pre, its code or its wrapper.
function codeLanguage(pre: DomElement): string {
  const classes = [pre.getAttribute('class'), codeChildren(pre)[0]?.getAttribute('class'), (pre.parentNode as DomElement | null)?.getAttribute?.('class')];
  for (const names of classes) {
    const match = names?.match(/\b(?:language|lang|highlight-(?:text|source))-([\w+#.-]{1,20})/);
    if (match) return match[1]!;
  }
  return '';
}

function trimNewlines(text: string): string {
  let start = 0;
  while (start < text.length && (text.charCodeAt(start) === 10 || text.charCodeAt(start) === 13)) start++;
  return trimTrailingNewlines(text.slice(start));
}

// By hand: `/\n+$/` is quadratic on many newline runs.
function trimTrailingNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--;
  return text.slice(0, end);
}

function capWhitespace(code: string): string {
  return code.replace(LONG_WHITESPACE, (run) => run.slice(0, CODE_WHITESPACE_RUN));
}
