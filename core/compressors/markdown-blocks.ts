import type { Clause } from './sentences.ts';

/*
 * The blocks of a Markdown text: the units a page's Markdown is kept or folded by.
 *
 * The HTML compressor used to cut a page into sentences and clauses, like prose, and folded
 * whichever of them scored least: on the Debian documentation pages that left folds inside lines
 * and mid-sentence (`Picked up [[fold …: 156 chars]] -Dfile.encoding`), many of them hiding a line
 * or less, and markers that took a large share of the output (issue 10). A reader can use a page
 * with whole paragraphs, list items and table rows missing, not with half sentences. So a unit
 * is a block: a paragraph (lines up to a blank line), a list item with its wrapped lines, a
 * heading, a table row, a quote line, or a fenced code block whole. Every unit starts at the start
 * of a line and ends at the end of one, so every fold between units is made of whole lines.
 */

// A line that begins a block of its own: a list item, a heading, a quote, a table row, a fence.
const BLOCK_START = /^[ \t]*(?:[-*+][ \t]|\d{1,3}[.)][ \t]|#{1,6}[ \t]|>|\|)/;
const HEADING = /^#{1,6}[ \t]/;
const FENCE = /^[ \t]*(`{3,}|~{3,})/;

/**
 * The blocks of `markdown` in order, as units for `selectSentences`: each block is a paragraph
 * and a sentence of its own, from the start of its first line to the last non-space character
 * of its last line.
 *
 * @example
 * markdownBlocks('# Title\n\nSome text\nwrapped.\n\n- one\n- two\n');
 * // 4 units: '# Title', 'Some text\nwrapped.', '- one', '- two'
 */
export function markdownBlocks(markdown: string): Clause[] {
  const units: Clause[] = [];
  let start = -1;
  let end = -1;
  let fence: string | undefined;
  const close = () => {
    if (start >= 0) units.push({ start, end, paragraph: units.length, sentence: units.length });
    start = -1;
  };
  for (let lineStart = 0; lineStart <= markdown.length; ) {
    let lineEnd = markdown.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = markdown.length;
    const line = markdown.slice(lineStart, lineEnd);
    let contentEnd = lineEnd;
    while (contentEnd > lineStart && /\s/.test(markdown[contentEnd - 1]!)) contentEnd--;
    if (fence !== undefined) {
      // A fenced code block is one unit, blank lines and all, up to its closing fence.
      end = Math.max(end, contentEnd);
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') {
        fence = undefined;
        close();
      }
    } else if (contentEnd === lineStart) {
      close();
    } else {
      const opening = FENCE.exec(line)?.[1];
      if (opening !== undefined || BLOCK_START.test(line)) close();
      if (start < 0) start = lineStart;
      end = contentEnd;
      if (opening !== undefined) fence = opening;
      else if (HEADING.test(line)) close();
    }
    lineStart = lineEnd + 1;
  }
  close();
  return units;
}
