import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import Keyv from 'keyv';
import { compress, estimateTokens, findMarkers, o200kCounter, unfold } from 'tokenfold';
import type { CompressorContext, FoldRequest, Piece } from 'tokenfold';
import { compressHtml } from './html.ts';
import { shortenUrl } from './html-markdown.ts';
import { htmlToPlainText, measureMarkup, splitDocument, stripInvisible } from './html-scan.ts';

// Hostile inputs must end; how fast such inputs go is measured in bench/reliability.ts (hostile
// inputs, 100 MB inputs), never asserted here.
const HANG_GUARD = { timeout: 60_000 };

function context(budget = 100_000, query = ''): CompressorContext {
  return { query, budget, countTokens: (text) => o200kCounter.count(text), estimateTokens };
}

function visible(pieces: Piece[] | undefined): string {
  return (pieces ?? []).map((piece) => (typeof piece === 'string' ? piece : '[[fold]]')).join('');
}

function folds(pieces: Piece[] | undefined): FoldRequest[] {
  return (pieces ?? []).filter((piece): piece is FoldRequest => typeof piece !== 'string');
}

function originalFold(pieces: Piece[] | undefined): FoldRequest | undefined {
  return folds(pieces).find((fold) => fold.summary?.startsWith('original HTML'));
}

function restFold(pieces: Piece[] | undefined): FoldRequest | undefined {
  return folds(pieces).find((fold) => fold.summary?.startsWith('rest of the page'));
}

const ARTICLE = `
  <h1>Configuring the widget server</h1>
  <p>The widget server reads its settings from <a href="https://example.com/docs/config">the configuration file</a>
     at start-up, and again whenever it receives a reload signal from the operating system.</p>
  <h2>Installation steps</h2>
  <ol><li>Download the release archive.</li><li>Unpack it into <code>/opt/widgets</code>.</li><li>Run the installer.</li></ol>
  <p>Each of these steps must be run as an administrator, because the installer writes to system folders and
     registers a service that starts at boot time, before any user has logged in.</p>
  <ul><li>Linux is supported.</li><li>macOS is supported.</li></ul>
  <h2>Settings</h2>
  <table><thead><tr><th>Name</th><th>Default</th></tr></thead>
    <tbody><tr><td>port</td><td>8080</td></tr><tr><td>workers</td><td>4</td></tr></tbody></table>
  <p>Settings that are not listed in the file keep their defaults, which suit a small installation with a handful of
     users. Larger sites usually raise the number of workers first, then tune the cache.</p>
  <h3>Example</h3>
  <pre><code class="language-js">const server = createServer({ port: 8080 });
server.listen();</code></pre>
  <p>Read more in <a href="#reload">the section on reloading</a>.</p>`;

const CHROME_TOP = `
  <header><nav><a href="/">Home</a> <a href="/products">Products catalogue</a> <a href="/pricing">Pricing plans</a>
    <a href="/blog">Company blog</a> <a href="/careers">Careers at Example</a> <a href="/contact">Contact sales</a></nav></header>`;
const CHROME_BOTTOM = `
  <footer><p>Copyright 2024 Example Corporation. All rights reserved. Registered office: 1 Example Street.</p>
    <a href="/privacy">Privacy policy</a> <a href="/terms">Terms of service</a> <a href="/cookies">Cookie settings</a></footer>
  <script>window.analytics = { track: function () { return 'tracking-code-42'; } };</script>`;
const HEAD = `<!DOCTYPE html><html><head><title>Widget server guide</title>
  <style>body { font-family: sans-serif; } .hero { color: hotpink; }</style></head>`;

// The same article with a <main> landmark and without one (Readability's turn).
const PAGES = {
  'a page with a <main> landmark': `${HEAD}<body>${CHROME_TOP}<main>${ARTICLE}</main>${CHROME_BOTTOM}</body></html>`,
  'a page without landmarks': `${HEAD}<body>${CHROME_TOP.replace(/header|nav/g, 'div')}<div class="content"><div class="post">${ARTICLE}</div></div>${CHROME_BOTTOM.replace(/footer/g, 'div')}</body></html>`,
};

describe('compressHtml', () => {
  for (const [name, page] of Object.entries(PAGES)) {
    describe(name, () => {
      const pieces = compressHtml(page, context());
      const shown = visible(pieces);

      it('shows the main content as Markdown: headings, lists, table, code block and links', () => {
        assert.match(shown, /^#{1,2} Configuring the widget server$/m);
        assert.match(shown, /^## Installation steps$/m);
        assert.match(shown, /^### Example$/m);
        assert.match(shown, /^1\. Download the release archive\.$/m);
        assert.match(shown, /^2\. Unpack it into `\/opt\/widgets`\.$/m);
        assert.match(shown, /^- Linux is supported\.$/m);
        assert.match(shown, /^\| Name \| Default \|\n\| --- \| --- \|\n\| port \| 8080 \|\n\| workers \| 4 \|$/m);
        assert.match(shown, /```js\nconst server = createServer\(\{ port: 8080 \}\);\nserver\.listen\(\);\n```/);
        assert.ok(shown.includes('[the configuration file](https://example.com/docs/config)'));
      });

      it('keeps the text of in-page links without their anchor', () => {
        assert.ok(shown.includes('Read more in the section on reloading.'));
        assert.ok(!shown.includes('(#reload)'));
      });

      it('drops navigation, footer, script and style from view', () => {
        for (const hidden of ['Products catalogue', 'Careers at Example', 'All rights reserved', 'Cookie settings', 'tracking-code-42', 'hotpink']) {
          assert.ok(!shown.includes(hidden), `"${hidden}" should not be visible`);
        }
      });

      it('folds the rest of the page as Markdown, navigation and footer links included', () => {
        const rest = restFold(pieces);
        assert.ok(rest, 'a fold for the rest of the page');
        assert.ok(rest.text.includes('[Products catalogue](/products)'));
        assert.ok(rest.text.includes('All rights reserved'));
        assert.ok(!rest.text.includes('tracking-code-42'));
        assert.equal(rest.unit, 'lines');
        assert.equal(rest.count, rest.text.split('\n').length);
      });

      it('folds the original HTML byte for byte, with what it held in the summary', () => {
        const original = originalFold(pieces);
        assert.ok(original);
        assert.equal(original.text, page);
        assert.equal(original.count, page.split('\n').length);
        assert.match(original.summary!, /1 script, 1 style/);
      });
    });
  }

  it('keeps every dropped byte recoverable through compress and unfold', async () => {
    const store = new Keyv();
    const page = PAGES['a page with a <main> landmark'];
    const result = await compress(page, { kind: 'html', store, minTokens: 0, budget: 256 });
    assert.equal(result.kind, 'html');
    assert.ok(result.tokensAfter < result.tokensBefore);
    const unfolded = await Promise.all(findMarkers(result.text).map(({ id }) => unfold(id, { store })));
    const texts = unfolded.map((fold) => (fold.status === 'ok' ? fold.text : ''));
    assert.ok(texts.includes(page), 'one fold is the whole original page');
    assert.ok(texts.some((text) => text.includes('[Pricing plans](/pricing)')), 'one fold is the rest as Markdown');
  });

  it('is routed to by compress for a page that starts with a doctype', async () => {
    const result = await compress(PAGES['a page without landmarks'], { minTokens: 0, budget: 256 });
    assert.equal(result.kind, 'html');
    assert.ok(result.text.includes('## Settings'));
  });

  it('fits the budget by folding blocks while h1-h3 headings stay visible', () => {
    const sections = Array.from({ length: 12 }, (_, i) =>
      `<h2>Section ${i + 1} on topic ${i + 1}</h2>` +
      Array.from({ length: 6 }, (_, j) => `<p>Paragraph ${j + 1} of section ${i + 1} explains one more detail of the topic at length, with enough words to matter for the budget.</p>`).join(''),
    ).join('');
    const page = `<!DOCTYPE html><html><head><title>Handbook</title></head><body><main><h1>The handbook</h1>${sections}</main></body></html>`;
    const whole = compressHtml(page, context());
    const markdown = (whole ?? []).filter((piece) => typeof piece === 'string').join('');
    const budgeted = compressHtml(page, context(1100));
    const shown = visible(budgeted);
    assert.ok(o200kCounter.count(shown) < o200kCounter.count(markdown) / 2);
    assert.match(shown, /^# The handbook$/m);
    for (let i = 1; i <= 12; i++) assert.match(shown, new RegExp(`^## Section ${i} on topic ${i}$`, 'm'));
    // The pieces before the closing folds are the whole Markdown, shown or folded.
    const body = (budgeted ?? []).slice(0, -2).map((piece) => (typeof piece === 'string' ? piece : piece.text)).join('');
    assert.equal(body, markdown.trimEnd());
  });

  it('folds whole blocks only: no fold starts or ends inside a line, none hides less than two markers cost', () => {
    const sentence = (i: number, j: number) => `Sentence ${j} of paragraph ${i} goes on, clause after clause, about the widget server, its settings, and the way it reloads them.`;
    const blocks = Array.from({ length: 40 }, (_, i) =>
      i % 4 === 3
        ? `<ul>${Array.from({ length: 5 }, (_, j) => `<li>Item ${j} of list ${i}: ${sentence(i, j)}</li>`).join('')}</ul>`
        : `<p>${Array.from({ length: 4 }, (_, j) => sentence(i, j)).join(' ')}</p>`,
    ).join('');
    const page = `<html><body><main><h1>Widget server</h1>${blocks}</main></body></html>`;
    for (const [budget, query] of [[600, ''], [1500, 'how does the widget server reload its settings?'], [300, 'paragraph 17']] as const) {
      const pieces = compressHtml(page, context(budget, query)) ?? [];
      const markdownFolds = pieces.slice(0, -2);
      assert.ok(markdownFolds.some((piece) => typeof piece !== 'string'), `budget ${budget} folds some of the Markdown`);
      markdownFolds.forEach((piece, index) => {
        if (typeof piece === 'string') return;
        const before = markdownFolds[index - 1];
        const after = markdownFolds[index + 1];
        assert.ok(typeof before !== 'string' || before === '' || /\n[ \t]*$/.test(before), `fold ${index} starts at a line start`);
        assert.ok(typeof after !== 'string' || /^[ \t]*(\n|$)/.test(after), `fold ${index} ends at a line end`);
        assert.equal(piece.unit, 'lines');
        assert.ok(o200kCounter.count(piece.text) >= 24, `fold ${index} hides ${o200kCounter.count(piece.text)} tokens`);
      });
    }
  });

  it('keeps the sentence that answers the query when cutting to the budget', () => {
    const filler = (i: number) => `<p>Paragraph ${i} describes a routine part of the set-up that every installation goes through in the same way.</p>`;
    const paragraphs = Array.from({ length: 60 }, (_, i) => filler(i));
    paragraphs.splice(41, 0, '<p>The widget daemon listens on port 7311 unless the configuration file says otherwise.</p>');
    const page = `<html><body><main><h1>Set-up</h1>${paragraphs.join('')}</main></body></html>`;
    const shown = visible(compressHtml(page, context(300, 'which port does the widget daemon listen on?')));
    assert.ok(shown.includes('listens on port 7311'));
    assert.ok(o200kCounter.count(shown) < 450);
  });

  it('gives every table a header row, also one without <th> cells', () => {
    const page = `<html><body><main><p>Results of the run, one row per case, as measured on the test machine.</p>
      <table><tr><td>case</td><td>ms</td></tr><tr><td>cold</td><td>120</td></tr><tr><td>warm</td><td>8</td></tr></table></main></body></html>`;
    assert.match(visible(compressHtml(page, context())), /^\| case \| ms \|\n\| --- \| --- \|\n\| cold \| 120 \|\n\| warm \| 8 \|$/m);
  });

  it('writes a layout table as text, a row per line', () => {
    const page = `<html><body><main><table><tr><td><a href="prev.html">Prev</a></td><td><a href="up.html">Up</a></td><td><a href="next.html">Next</a></td></tr></table>
      <p>The chapter text that the navigation table above surrounds, long enough to be the content.</p></main></body></html>`;
    const shown = visible(compressHtml(page, context()));
    assert.match(shown, /^\[Prev\]\(prev\.html\) \[Up\]\(up\.html\) \[Next\]\(next\.html\)$/m);
  });

  it('fences a <pre> without <code>, and writes definition lists as term and `: definition`', () => {
    const page = `<html><body><main><p>Run the tool with one of the options below, each on its own line of the command.</p>
      <pre>
$ tool --check
  checked 3 files</pre>
      <dl><dt>--check</dt><dd>Checks the files without writing them.</dd><dt>--fix</dt><dd>Writes the fixes.</dd></dl></main></body></html>`;
    const shown = visible(compressHtml(page, context()));
    assert.match(shown, /^```\n\$ tool --check\n  checked 3 files\n```$/m);
    assert.match(shown, /^--check\n: Checks the files without writing them\.\n\n--fix\n: Writes the fixes\.$/m);
  });

  it('shortens long query strings and data URLs, and drops images without alt text', () => {
    const long = `https://example.com/search?${'q=widgets&'.repeat(10)}page=2`;
    assert.equal(shortenUrl(long), 'https://example.com/search?…');
    assert.equal(shortenUrl('https://example.com/a?b=1'), 'https://example.com/a?b=1');
    assert.equal(shortenUrl('data:image/png;base64,AAAA'), 'data:…');
    const page = `<html><body><main><p>See <a href="${long}">the results</a>.</p><img src="spacer.gif"><img src="chart.png" alt="Sales by month">
      <p>More words so that the main content is long enough to be kept as the main content of this page.</p></main></body></html>`;
    const shown = visible(compressHtml(page, context()));
    assert.ok(shown.includes('[the results](https://example.com/search?…)'));
    assert.ok(shown.includes('![Sales by month](chart.png)'));
    assert.ok(!shown.includes('spacer.gif'));
  });

  it('reads malformed and partial HTML without throwing, always folding the input whole', () => {
    const inputs = [
      '<div><p>unclosed <b>bold <i>italic</div> trailing text',
      '<p>first<p>second<td>stray cell</td><li>stray item',
      '<html><head><title>Only a head</title></head></html>',
      'plain text, no tags at all',
      '<title>T</title><p>no html, head or body tags',
      '<html><body><p>x</body></html><p>after the end',
      '</div></div></span><p>closing tags first',
      '<!-- never closed <p>hidden',
      '<script>never closed; <p>not content',
      '<table><tr><td>a<td>b<tr><td>c</table>',
      '<pre></pre><pre>   </pre><table></table><ol start="x"><li>a</li></ol>',
      '<a href="javascript:void(0)">js link</a><a>no href</a><a href="#">#</a>',
      '&#0; &#xFFFFFF; &#55296; &unknown; &amp',
    ];
    for (const input of inputs) {
      const pieces = compressHtml(input, context());
      assert.equal(originalFold(pieces)?.text, input, input);
    }
    assert.match(visible(compressHtml(inputs[0]!, context())), /unclosed \*\*bold _italic_\*\*/);
    assert.match(visible(compressHtml(inputs[1]!, context())), /stray cell/);
  });

  it('falls back to a linear tag stripper on a 20 MB page, keeping headings and the original', { timeout: 30_000 }, () => {
    const section = '<h2>Release notes</h2><p>Fixed a crash when <a href="/x">the cache</a> was full &amp; cold.</p><ul><li>one</li><li>two</li></ul>';
    const page = `<!DOCTYPE html><html><head><title>Big page</title></head><body>${section.repeat(20 * 1024 * 1024 / section.length)}</body></html>`;
    const pieces = compressHtml(page, context(2000));
    const shown = visible(pieces);
    assert.match(shown, /^# Big page$/m);
    assert.match(shown, /^## Release notes$/m);
    assert.equal(originalFold(pieces)?.text, page);
  });

  it('finishes on adversarial inputs', HANG_GUARD, () => {
    const traps = {
      'one 3 MB line without tags': 'x'.repeat(3_000_000),
      'a million stray <': '<'.repeat(1_000_000),
      'unclosed tags': '<a'.repeat(500_000),
      'nesting 100,000 deep': `<html><body>${'<div>'.repeat(100_000)}deep${'</div>'.repeat(100_000)}</body></html>`,
      'trees 300 deep': `<html><body>${`${'<div>'.repeat(300)}x${'</div>'.repeat(300)}`.repeat(100)}</body></html>`,
      'a megabyte of spaces in a pre': `<html><body><pre>${' '.repeat(1_000_000)}x</pre></body></html>`,
      '200,000 line breaks': `<html><body><p>a${'<br>'.repeat(200_000)}b</p></body></html>`,
      '100,000 empty paragraphs': `<html><body>${'<p> </p>'.repeat(100_000)}</body></html>`,
      'lists of 100 items nested 200 deep': `<html><body><main>${`<ul>${'<li>item</li>'.repeat(100)}<li>deeper`.repeat(200)}${'</li></ul>'.repeat(200)}</main></body></html>`,
      '300,000 entities': `<html><body><p>${'&amp;&#x41;&bogus;&'.repeat(100_000)}</p></body></html>`,
    };
    for (const [name, input] of Object.entries(traps)) {
      const pieces = compressHtml(input, context(2000));
      assert.equal(originalFold(pieces)?.text, input, name);
    }
  });

  it('gives the same pieces for the same page', () => {
    for (const page of Object.values(PAGES)) {
      assert.deepEqual(compressHtml(page, context(300)), compressHtml(page, context(300)));
    }
  });

  it('compresses a real documentation page from /usr/share/doc', async (t) => {
    const path = '/usr/share/doc/base-passwd/users-and-groups.html';
    if (!existsSync(path)) return t.skip(`${path} is not on this machine`);
    const page = readFileSync(path, 'utf8');
    const store = new Keyv();
    const result = await compress(page, { store });
    assert.equal(result.kind, 'html');
    assert.ok(result.tokensAfter < result.tokensBefore / 2);
    assert.match(result.text, /^## Chapter 1\. Introduction$/m);
    assert.match(result.text, /^## Chapter 2\. Users and Groups$/m);
    const original = findMarkers(result.text).at(-1)!;
    const unfolded = await unfold(original.id, { store });
    assert.equal(unfolded.status === 'ok' && unfolded.text, page);
  });
});

describe('html-scan', () => {
  it('cuts scripts, styles, SVG and comments, counting them, in any letter case', () => {
    const { html, counts } = stripInvisible('a<SCRIPT type="x">s</script>b<style>c</STYLE>d<svg><g/></svg>e<!-- f -->g<scriptx>h</scriptx>');
    assert.equal(html, 'a b d e g<scriptx>h</scriptx>');
    assert.deepEqual(counts, { scripts: 1, styles: 1, svgs: 1, comments: 1 });
  });

  it('ends a self-closing <svg/> at once, but never a <script/>', () => {
    assert.equal(stripInvisible('a<svg class="icon"/>b<p>c</p><svg>d</svg>e').html, 'a b<p>c</p> e');
    assert.equal(stripInvisible('a<script src="x.js"/>b</script>c').html, 'a c');
  });

  it('keeps offsets right when lower-casing would change the length', () => {
    assert.equal(stripInvisible('İİ<script>x</script>y').html, 'İİ y');
  });

  it('takes the title and body apart whatever tags are missing', () => {
    assert.deepEqual(splitDocument('<html><head><title>A &amp; B</title></head><body class="x"><p>text</p></body></html>'), { title: 'A & B', body: '<p>text</p>' });
    assert.deepEqual(splitDocument('<title>T</title><p>para'), { title: 'T', body: '<p>para' });
    assert.deepEqual(splitDocument('<p>fragment</p>'), { title: '', body: '<p>fragment</p>' });
  });

  it('strips tags to plain text with Markdown headings, items and rows', () => {
    const text = htmlToPlainText('<h2>Title</h2><p>a &lt; b &amp;&amp; c</p><ul><li>one</li><li>two</li></ul><table><tr><td>x</td><td>y</td></tr></table><pre>  keep\n    indent</pre>if a < b');
    assert.equal(text, '## Title\n\na < b && c\n\n- one\n- two\n\n| x | y |\n\n  keep\n    indent\n\nif a < b');
  });

  it('measures nodes, depth and depth work in one pass', () => {
    // Depth 1 and 2 for the divs; the <p> adds work at depth 2 without nesting deeper.
    assert.deepEqual(measureMarkup('<div><div><p>a &amp; b</p></div></div>'), { nodes: 7, depth: 2, work: 1 + 4 + 4 });
    assert.equal(measureMarkup('<br><img/><li>x').depth, 0);
  });
});

describe('compressHtml on a large page that is not an article', () => {
  // An index: 600 rows of links in a table, no paragraphs. Readability is skipped; the plain walk
  // moves the navigation to the rest of the page and keeps the table as the content.
  const rows = Array.from({ length: 600 }, (_, index) => `<tr><td><a href="fn${index}.html">function_${index}</a></td><td>Entry ${index}</td></tr>`).join('');
  const page = `<html><head><title>Index</title></head><body><nav><a href="/">Home of the manual</a></nav><h1>Function index</h1><table>${rows}</table></body></html>`;
  const pieces = compressHtml(page, context());

  it('shows the index and folds the navigation into the rest of the page', () => {
    const shown = visible(pieces);
    assert.ok(shown.includes('function_599'), 'the last row of the index is shown');
    assert.ok(!shown.includes('Home of the manual'), 'the navigation is not shown');
    assert.ok(restFold(pieces)?.text.includes('Home of the manual'), 'the navigation is in the rest');
  });
});
