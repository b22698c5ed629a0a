import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compress, findMarkers, unfold } from 'tokenfold';
import { MAX_SUMMARY_CHARS } from '../../folds.ts';
import { estimateTokens } from '../../tokens.ts';
import { compressCode, forgetParsedCode, prepareCode } from '../code.ts';
import { outlineByIndentation } from './indentation.ts';
import { blankMacros } from './macros.ts';
import { loadCodeParsers, loadedParser } from './parsers.ts';
import { errorShare } from './syntax.ts';

// ---- helpers ------------------------------------------------------------------------------

/** What a compressed file shows: visible rows by line number, and the markers' summaries. */
async function outline(source: string, fileName: string, budget: number, query = '') {
  const result = await compress(source, { kind: 'code', fileName, budget, query });
  assert.equal(result.passThrough, undefined, 'the file is outlined');
  const rows = new Map<number, string>();
  const summaries: string[] = [];
  for (const line of result.text.split('\n')) {
    const match = /^(\d+)\t(.*)$/.exec(line);
    if (!match) continue;
    if (findMarkers(match[2]!).length > 0) summaries.push(/; (.*)\]\]$/.exec(match[2]!)?.[1] ?? '');
    else rows.set(Number(match[1]), match[2]!);
  }
  return { rows, summaries, result };
}

const lineOf = (source: string, text: string) => source.split('\n').findIndex((line) => line.includes(text)) + 1;
const shows = (view: { rows: Map<number, string> }, source: string, text: string) => view.rows.get(lineOf(source, text))?.includes(text) === true;
const statements = (indent: string, count = 12) => Array.from({ length: count }, (_, i) => `${indent}value_${i} = compute(${i}, "item-${i}")`).join('\n');

// ---- C and C++ macros ---------------------------------------------------------------------

describe('blankMacros', () => {
  it('blanks attribute-like macros, keeping every offset and line break', () => {
    const source = [
      'namespace std _GLIBCXX_VISIBILITY(default)',
      '{',
      '_GLIBCXX_BEGIN_NAMESPACE_VERSION',
      '  class TORCH_API Tensor {',
      '    _GLIBCXX_NODISCARD _GLIBCXX20_CONSTEXPR bool empty() const _GLIBCXX_NOEXCEPT;',
      '  };',
      '}',
    ].join('\n');
    const blanked = blankMacros(source);
    assert.equal(blanked.length, source.length);
    assert.deepEqual(blanked.split('\n').map((line) => line.length), source.split('\n').map((line) => line.length));
    for (const macro of ['_GLIBCXX_VISIBILITY', 'default', '_GLIBCXX_BEGIN_NAMESPACE_VERSION', 'TORCH_API', '_GLIBCXX_NODISCARD', '_GLIBCXX20_CONSTEXPR', '_GLIBCXX_NOEXCEPT']) {
      assert.ok(!blanked.includes(macro), `${macro} is blanked`);
    }
    for (const kept of ['namespace std', 'class', 'Tensor {', 'bool empty() const']) assert.ok(blanked.includes(kept), `${kept} stays`);
  });

  it('leaves values, enumerators, parameter types and preprocessor lines alone', () => {
    const source = [
      '#define _GLIBCXX_NOEXCEPT noexcept',
      'static const int LIMIT = MAX_SIZE;',
      'enum { FIRST_ONE, SECOND_ONE = 2,',
      '  LAST_ONE',
      '};',
      'int f(MY_TYPE value);',
      'x = (int) MAX_VALUE;',
      'typedef ULONG_PTR SIZE_VALUE;',
    ].join('\n');
    assert.equal(blankMacros(source), source);
  });
});

describe('the outline of C++ headers written with macros', () => {
  it('shows the members of a class in a namespace declared with a visibility macro', async () => {
    const methods = Array.from({ length: 8 }, (_, i) => `      _GLIBCXX20_CONSTEXPR
      bool
      method_${i}(const _Tp& __x) const _GLIBCXX_NOEXCEPT
      {
${statements('\t', 6).replaceAll('value_', 'int value_')};
      }`).join('\n\n');
    const source = `#include <bits/move.h>

namespace std _GLIBCXX_VISIBILITY(default)
{
_GLIBCXX_BEGIN_NAMESPACE_VERSION

  template<typename _Tp>
    class bitset_view
    {
    public:
${methods}
    };

_GLIBCXX_END_NAMESPACE_VERSION
} // namespace std
`;
    await prepareCode(source, { fileName: 'bits/view.h' });
    const view = await outline(source, 'bits/view.h', 200);
    assert.ok(shows(view, source, 'class bitset_view'));
    for (let i = 0; i < 8; i++) assert.ok(shows(view, source, `method_${i}(`), `method_${i} shows`);
  });

  it('reads a file that the parser wraps in one ERROR node around declarations it parsed', async () => {
    await loadCodeParsers(['cpp']);
    const source = `#ifndef GUARD_H
#define GUARD_H 1
namespace std {
  template<typename T> struct holder { T value; };
  extern template class holder<char>;
}
#endif
`;
    const tree = loadedParser('cpp')!.parse(source)!;
    try {
      assert.ok(tree.rootNode.hasError, 'the parser reads the file with errors');
      assert.ok(errorShare(tree.rootNode, source.length) < 0.1, 'what the parser read inside the ERROR node counts as read');
    } finally {
      tree.delete();
    }
  });
});

// ---- groups of private members ------------------------------------------------------------

describe('level 3: groups of private members', () => {
  it('names every private member in a marker, splitting long lists, never cutting one', async () => {
    const methods = Array.from({ length: 60 }, (_, i) => `    def _helper_number_${i}(self, value):\n${statements('        ', 4)}\n`).join('\n');
    const source = `class Service:\n    def run(self):\n${statements('        ')}\n\n${methods}`;
    const view = await outline(source, 'service.py', 50);
    const listed = view.summaries.join(' ');
    for (let i = 0; i < 60; i++) {
      assert.ok(new RegExp(`\\b_helper_number_${i}\\b`).test(listed) || shows(view, source, `_helper_number_${i}(`), `_helper_number_${i} is named`);
    }
    assert.ok(view.summaries.filter((summary) => summary.startsWith('private:')).length > 1, 'the list is split over several markers');
    for (const summary of view.summaries) assert.ok(summary.length <= MAX_SUMMARY_CHARS && !summary.endsWith('...'), `not cut: ${summary}`);
    assert.ok(shows(view, source, 'def run(self):'), 'the public method keeps its row');
  });

  it('opens a private class too large for one marker, and groups its members', async () => {
    const members = Array.from({ length: 30 }, (_, i) => `    def member_with_a_long_name_${i}(self):\n${statements('        ', 4)}\n`).join('\n');
    const source = `class _Internal:\n${members}\n\ndef public_entry():\n${statements('    ')}\n`;
    const view = await outline(source, 'internal.py', 50);
    assert.ok(shows(view, source, 'class _Internal:'), 'the class header stays');
    const listed = view.summaries.join(' ');
    for (let i = 0; i < 30; i++) assert.ok(listed.includes(`member_with_a_long_name_${i}`), `member ${i} is named`);
    assert.ok(shows(view, source, 'def public_entry():'));
  });

  it('never groups a namespace whole, private or not', async () => {
    const source = `namespace __detail
{
  struct _Node
  {
    int _M_value;
    void _M_swap(_Node& __other)
    {
${statements('      ', 10).replaceAll('value_', 'int value_')};
    }
  };

  int _S_helper(int __x)
  {
${statements('    ', 10).replaceAll('value_', 'int value_')};
  }
}
${Array.from({ length: 30 }, (_, i) => `int public_function_${i}(int x);`).join('\n')}
`;
    await prepareCode(source, { fileName: 'detail.hpp' });
    const view = await outline(source, 'detail.hpp', 30);
    assert.ok(shows(view, source, 'namespace __detail'), 'the namespace opens');
    assert.ok(view.summaries.some((summary) => /private: .*_Node\(_M_value, _M_swap\)/.test(summary)), 'its private class is listed with its members');
  });

  it('opens a private function that holds a local type, so that the type shows by name', async () => {
    const source = `package lookup

func resolve(name string) error {
${statements('\t', 10).replaceAll(' = ', ' := ')}
\ttype result struct {
\t\tserver string
\t\terr    error
\t}
\tvar r result
\treturn r.err
}

func helper(value int) int {
${statements('\t', 10).replaceAll(' = ', ' := ')}
\treturn 0
}

func Public(value int) int {
${statements('\t', 10).replaceAll(' = ', ' := ')}
\treturn 0
}
`;
    await prepareCode(source, { fileName: 'lookup.go' });
    const view = await outline(source, 'lookup.go', 30);
    assert.ok(shows(view, source, 'type result struct {'), 'the local type shows');
    assert.ok(view.summaries.some((summary) => /private: .*\bhelper\b/.test(summary)), 'a plain private function is grouped');
  });
});

// ---- the indentation outline --------------------------------------------------------------

describe('outlineByIndentation', () => {
  const worth = () => true;
  const folded = (spans: Array<{ start: number; end: number }>, row: number) => spans.some((span) => span.start <= row && row <= span.end);

  it('outlines a namespace and a class whose braces sit on the next row, and access labels', () => {
    const lines = [
      'namespace std _GLIBCXX_VISIBILITY(default)', // 0
      '{',
      '_GLIBCXX_BEGIN_NAMESPACE_VERSION',
      '  template<typename _Tp>',
      '    class vector', // 4
      '    {',
      '    public:',
      '      void push_back(const _Tp& __x)', // 7
      '      {',
      '\tinsert(end(), __x);', // 9: a tab is 8 columns where spaces indent too
      '\treturn;',
      '      }',
      '    };',
      '}',
    ];
    const spans = outlineByIndentation(lines, { queryNames: new Set(), worth });
    for (const row of [0, 2, 3, 4, 6, 7]) assert.ok(!folded(spans, row), `row ${row} stays: ${lines[row]}`);
    assert.ok(folded(spans, 9) && folded(spans, 10), 'the method body folds');
  });

  it('folds both bodies of an unindented `if { } else { }`', () => {
    const body = (name: string) => Array.from({ length: 8 }, (_, i) => `${name}_${i} = compute(${i});`);
    const lines = ['if (a) {', ...body('then'), '} else {', ...body('otherwise'), '}'];
    const spans = outlineByIndentation(lines, { queryNames: new Set(), worth });
    assert.deepEqual(spans.map(({ start, end }) => ({ start, end })), [{ start: 1, end: 8 }, { start: 10, end: 17 }]);
  });

  it('outlines 20,000 rows that open a brace and never close it', { timeout: 60_000 }, () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `a${i} {`);
    const spans = outlineByIndentation(lines, { queryNames: new Set(), worth });
    assert.deepEqual(spans, [], 'no block closes, so nothing folds');
  });
});

// ---- one parse, many queries --------------------------------------------------------------

describe('compressCode on a file asked about again', () => {
  it('gives what a first call would give, whatever was asked before', async () => {
    const source = `class Store:\n${Array.from({ length: 6 }, (_, i) => `    def method_${i}(self):\n        class Local_${i}:\n            pass\n${statements('        ', 8)}\n`).join('\n')}`;
    await prepareCode(source, { fileName: 'store.py' });
    const context = (query: string) => ({ query, budget: 120, countTokens: estimateTokens, estimateTokens, fileName: 'store.py' });
    const queries = ['how does method_3 work?', '', 'Local_1 and method_5', 'store.py:12'];
    const fresh = queries.map((query) => {
      forgetParsedCode();
      return JSON.stringify(compressCode(source, context(query)));
    });
    forgetParsedCode();
    for (const [index, query] of [...queries, ...[...queries].reverse()].entries()) {
      const expected = fresh[queries.indexOf(query)];
      assert.equal(JSON.stringify(compressCode(source, context(query))), expected, `call ${index} (${JSON.stringify(query)})`);
    }
    // Folds still unfold to the file's own rows.
    const result = await compress(source, { kind: 'code', fileName: 'store.py', budget: 120 });
    const marker = findMarkers(result.text)[0]!;
    const back = await unfold(marker.id);
    assert.equal(back.status, 'ok');
  });
});
