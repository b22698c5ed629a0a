import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markdownBlocks } from './markdown-blocks.ts';

describe('markdownBlocks', () => {
  it('cuts Markdown into paragraphs, list items, headings, table rows and whole code blocks', () => {
    const markdown = [
      '# Title',
      'Some text that is',
      'wrapped over two lines.',
      '',
      '- one item',
      '  that goes on',
      '- two',
      '    - nested',
      '',
      '| a | b |',
      '| --- | --- |',
      '',
      '```js',
      'const a = 1;',
      '',
      'const b = 2;',
      '```',
      '> quoted',
    ].join('\n');
    const blocks = markdownBlocks(markdown).map((unit) => markdown.slice(unit.start, unit.end));
    assert.deepEqual(blocks, [
      '# Title',
      'Some text that is\nwrapped over two lines.',
      '- one item\n  that goes on',
      '- two',
      '    - nested',
      '| a | b |',
      '| --- | --- |',
      '```js\nconst a = 1;\n\nconst b = 2;\n```',
      '> quoted',
    ]);
  });

  it('starts every unit at a line start and ends it at a line end', () => {
    const markdown = 'A paragraph.  \n\n  Indented text\nmore.\n\n\n- item  \n';
    for (const unit of markdownBlocks(markdown)) {
      assert.ok(unit.start === 0 || markdown[unit.start - 1] === '\n');
      assert.ok(unit.end === markdown.length || /^[ \t]*(\n|$)/.test(markdown.slice(unit.end)));
    }
    assert.deepEqual(markdownBlocks(''), []);
  });
});
