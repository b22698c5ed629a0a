/*
 * Linear scans over raw HTML, for the HTML compressor: no DOM, no backtracking regular
 * expressions, one `indexOf` walk each.
 *
 * `stripInvisible` cuts what a reader never sees (scripts, styles, inline SVG, comments,
 * templates) before the DOM is built, which is most of the parse cost on a modern page, and
 * counts what it cut for the fold summary. `htmlToPlainText` is the fallback for pages too large
 * for a DOM: tags out, block tags as line breaks, headings and list items marked as Markdown,
 * entities decoded.
 */

/** What `stripInvisible` cut, by kind. */
export interface InvisibleCounts {
  scripts: number;
  styles: number;
  svgs: number;
  comments: number;
}

// Elements whose content is never shown, cut whole. Raw-text elements (script, style) end at
// their first closing tag, whatever they contain; the others are assumed not to nest.
const INVISIBLE = ['script', 'style', 'svg', 'template', 'noscript'] as const;

/**
 * Removes scripts, styles, inline SVG, templates, noscript blocks and comments. Linear: each cut
 * is found with `indexOf`, and an element without its closing tag runs to the end of the input,
 * as a browser would read it.
 */
export function stripInvisible(html: string): { html: string; counts: InvisibleCounts } {
  const counts: InvisibleCounts = { scripts: 0, styles: 0, svgs: 0, comments: 0 };
  const parts: string[] = [];
  let cursor = 0;
  let at = html.indexOf('<');
  while (at !== -1 && at < html.length - 1) {
    let end = -1;
    if (html.startsWith('<!--', at)) {
      end = html.indexOf('-->', at + 4);
      end = end === -1 ? html.length : end + 3;
      counts.comments++;
    } else {
      const name = invisibleAt(html, at);
      if (name) {
        // `<svg …/>` closes itself (script and style never do, whatever their tag says).
        const openEnd = name === 'svg' ? html.indexOf('>', at) : -1;
        end = openEnd > 0 && html.charCodeAt(openEnd - 1) === 47 ? openEnd + 1 : closingTagEnd(html, name, at + name.length + 1);
        if (name === 'script') counts.scripts++;
        else if (name === 'style') counts.styles++;
        else if (name === 'svg') counts.svgs++;
      }
    }
    if (end === -1) {
      at = html.indexOf('<', at + 1);
      continue;
    }
    // A space keeps the words on either side of an inline SVG or comment apart.
    parts.push(html.slice(cursor, at), ' ');
    cursor = end;
    at = html.indexOf('<', end);
  }
  parts.push(html.slice(cursor));
  return { html: parts.join(''), counts };
}

// The invisible element that opens at `at` (`<script` then a space, `>` or `/`), if any. Tag
// names are compared ignoring case here, not by lower-casing the input: lower-casing can change
// a string's length (`İ`), and offsets must stay the input's.
function invisibleAt(html: string, at: number): string | undefined {
  for (const name of INVISIBLE) {
    if (!nameAt(html, at + 1, name)) continue;
    const after = html.charCodeAt(at + 1 + name.length);
    if (after === 62 || after === 47 || after === 32 || after === 9 || after === 10 || after === 13 || after === 12) return name;
  }
  return undefined;
}

// End (after `>`) of the first `</name` from `from`, or the end of the input when it never closes.
function closingTagEnd(html: string, name: string, from: number): number {
  for (let close = html.indexOf('</', from); close !== -1; close = html.indexOf('</', close + 2)) {
    if (!nameAt(html, close + 2, name)) continue;
    const end = html.indexOf('>', close);
    return end === -1 ? html.length : end + 1;
  }
  return html.length;
}

// Whether `name` (lower case ASCII, or `/`) is written at `at`, in any case.
function nameAt(html: string, at: number, name: string): boolean {
  if (at + name.length > html.length) return false;
  for (let i = 0; i < name.length; i++) {
    if ((html.charCodeAt(at + i) | 32) !== name.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The page's title and body, taken apart by hand so that the DOM always gets a well-formed
 * `<html><head><title></title></head><body>…</body></html>`: linkedom does not repair a document
 * the way a browser does (a fragment becomes the document element, a missing `<body>` stays
 * missing). The body is everything after `<body …>`, or after `</head>`, or the whole input,
 * without its `</body>` and `</html>` tags. Expects `stripInvisible` output. Linear.
 */
export function splitDocument(html: string): { title: string; body: string } {
  const bodyOpen = findTag(html, 'body', 0);
  const headClose = bodyOpen === -1 ? findTag(html, '/head', 0) : -1;
  const titleOpen = findTag(html, 'title', 0);
  let title = '';
  if (titleOpen !== -1 && (bodyOpen === -1 || titleOpen < bodyOpen)) {
    const start = html.indexOf('>', titleOpen);
    const end = start === -1 ? -1 : findTag(html, '/title', start);
    if (end !== -1) title = decodeEntities(html.slice(start + 1, end)).replace(/\s+/g, ' ').trim();
  }
  let body = html;
  const open = bodyOpen !== -1 ? bodyOpen : headClose;
  if (open !== -1) {
    const end = html.indexOf('>', open);
    body = end === -1 ? '' : html.slice(end + 1);
  } else if (titleOpen !== -1) {
    // `<title>T</title><p>…` without head or body tags: the body starts after the title.
    const end = findTag(html, '/title', titleOpen);
    const close = end === -1 ? -1 : html.indexOf('>', end);
    if (close !== -1) body = html.slice(close + 1);
  }
  return { title, body: body.replace(/<\/?(?:body|html|head)(?:\s[^<>]*)?>|<!doctype[^<>]*>/gi, '') };
}

// Offset of the first `<name` (`name` may start with `/`) followed by a delimiter, or -1.
function findTag(html: string, name: string, from: number): number {
  for (let at = html.indexOf('<', from); at !== -1; at = html.indexOf('<', at + 1)) {
    if (!nameAt(html, at + 1, name)) continue;
    const after = html.charCodeAt(at + 1 + name.length);
    if (after === 62 || after === 47 || after === 32 || after === 9 || after === 10 || after === 13 || after === 12) return at;
  }
  return -1;
}

// Elements that never hold others, and elements whose end tag is usually left out: neither
// counts towards `measureMarkup`'s nesting depth.
const FLAT_TAGS = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source',
  'track', 'wbr', 'p', 'li', 'td', 'th', 'tr', 'dt', 'dd', 'option', 'optgroup', 'tbody', 'thead',
  'tfoot', 'colgroup', 'caption', 'rb', 'rt', 'rp', '',
]);

/**
 * What building and reading a DOM of `html` would cost. `nodes`: the number of `<` and `&` (each
 * a node or a text split in linkedom, whose cost per node dominates). `depth`: the deepest
 * nesting of elements (turndown recurses per level). `work`: the sum of each element's depth
 * squared, which is how Readability's time grows on deep pages (measured: about 50 ns per unit,
 * 9 s for 30 trees 250 deep) and turndown's on nested lists (each level indents all below it).
 * One linear pass.
 */
export function measureMarkup(html: string): { nodes: number; depth: number; work: number } {
  let nodes = 0;
  for (let at = html.indexOf('&'); at !== -1; at = html.indexOf('&', at + 1)) nodes++;
  let depth = 0;
  let deepest = 0;
  let work = 0;
  let end = 0; // the first `>` after `at`, found again only once `at` has passed it: linear
  for (let at = html.indexOf('<'); at !== -1; ) {
    nodes++;
    if (end !== -1 && end <= at) end = html.indexOf('>', at + 1);
    const next = html.indexOf('<', at + 1);
    if (end === -1 || (next !== -1 && next < end)) {
      at = next; // a stray `<` in text
      continue;
    }
    const { name, closing } = tagName(html, at, end);
    if (!FLAT_TAGS.has(name) && html.charCodeAt(end - 1) !== 47) {
      if (closing) depth = Math.max(0, depth - 1);
      else deepest = Math.max(deepest, ++depth);
    }
    if (!closing && name !== '') work += depth * depth;
    at = next;
  }
  return { nodes, depth: deepest, work };
}

// Tags that break a line in the plain-text fallback.
const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'br', 'dd', 'details', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'header', 'hr', 'html', 'li', 'main', 'nav',
  'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'title', 'caption',
]);

/**
 * Plain text of a page, for pages too large for a DOM: tags removed, block tags as line breaks,
 * `#` before headings and `- ` before list items, entities decoded, runs of spaces collapsed
 * (except inside `<pre>`), trailing spaces and repeated blank lines dropped. Expects
 * `stripInvisible` output. Linear.
 */
export function htmlToPlainText(html: string): string {
  const parts: string[] = [];
  let inPre = 0;
  let lastChar = 10; // what the output ends with so far, to drop a space after a break
  const pushText = (raw: string): void => {
    let text = decodeEntities(raw);
    if (inPre === 0) {
      text = text.replace(/[ \t\r\n\f]+/g, ' ');
      if (text.charCodeAt(0) === 32 && (lastChar === 32 || lastChar === 10)) text = text.slice(1);
    }
    if (text === '') return;
    parts.push(text);
    lastChar = text.charCodeAt(text.length - 1);
  };
  let cursor = 0;
  let at = html.indexOf('<');
  while (at !== -1) {
    if (!startsTag(html, at)) {
      at = html.indexOf('<', at + 1); // `a < b` is text
      continue;
    }
    if (at > cursor) pushText(html.slice(cursor, at));
    const end = html.indexOf('>', at + 1);
    if (end === -1) break;
    const { name, closing } = tagName(html, at, end);
    if (name === 'pre') inPre = Math.max(0, inPre + (closing ? -1 : 1));
    const text = BLOCK_TAGS.has(name) ? blockText(name, closing, lastChar === 10) : '';
    if (text !== '') {
      parts.push(text);
      lastChar = text.charCodeAt(text.length - 1);
    }
    cursor = end + 1;
    at = html.indexOf('<', cursor);
  }
  if (cursor < html.length) pushText(html.slice(cursor));
  return tidyLines(parts.join(''));
}

// What a block tag becomes in plain text; `lineStart` when the output is at a line's start.
function blockText(name: string, closing: boolean, lineStart: boolean): string {
  if (!closing && name.length === 2 && name[0] === 'h' && name[1]! >= '1' && name[1]! <= '6') {
    return `\n\n${'#'.repeat(Number(name[1]))} `;
  }
  if (name === 'li') return closing ? '' : '\n- ';
  if (name === 'td' || name === 'th') return closing ? '' : lineStart ? '| ' : ' | ';
  if (name === 'tr') return closing ? ' |' : '\n';
  return name === 'br' || name === 'dd' || name === 'dt' ? '\n' : '\n\n';
}

// `<` followed by a letter, `/`, `!` or `?` opens a tag; anything else is text.
function startsTag(html: string, at: number): boolean {
  const c = html.charCodeAt(at + 1) | 32;
  return (c >= 97 && c <= 122) || c === 47 || c === 33 || c === 63;
}

// Lower-case name of the tag between `<` at `start` and `>` at `end`; '' for `<!doctype>` etc.
function tagName(html: string, start: number, end: number): { name: string; closing: boolean } {
  let i = start + 1;
  const closing = html.charCodeAt(i) === 47;
  if (closing) i++;
  const from = i;
  while (i < end) {
    const c = html.charCodeAt(i) | 32;
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57 && i > from))) break;
    i++;
  }
  return { name: html.slice(from, i).toLowerCase(), closing };
}

// Trims each line's end and leaves at most one blank line in a row. Done line by line rather
// than with a regular expression: `/[ \t]+\n/` is quadratic on a long run of spaces.
function tidyLines(text: string): string {
  const lines = text.split('\n');
  const kept: string[] = [];
  let blank = true; // no blank line at the start
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === '') {
      if (!blank) kept.push('');
      blank = true;
      continue;
    }
    kept.push(trimmed);
    blank = false;
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  return kept.join('\n');
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®', trade: '™',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«',
  raquo: '»', middot: '·', bull: '•', times: '×', deg: '°', para: '¶', sect: '§', euro: '€',
};

/** Decodes numeric entities and the common named ones; unknown names stay as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});/g, (entity, body: string) => {
    if (body[0] !== '#') return NAMED_ENTITIES[body] ?? entity;
    const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : entity;
  });
}
