import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ARRAY, ATOM, OBJECT, OPAQUE, RAW, SEQUENCE, STRING, childrenOf, keyOf, memberRawOf, rawOf, scanJson } from './json-scan.ts';
import type { JsonTree } from './json-scan.ts';

function mustScan(text: string, lineMode = false): JsonTree {
  const tree = scanJson(text, { lineMode });
  assert.ok(tree, `expected ${JSON.stringify(text.slice(0, 60))} to scan`);
  return tree;
}

describe('scanJson', () => {
  it('removes whitespace outside strings and nothing else', () => {
    const tree = mustScan('{ "a b" : [ 1 ,\n\t"x  y" ] ,\r\n "c": { } }');
    assert.equal(tree.minified, '{"a b":[1,"x  y"],"c":{}}');
  });

  it('keeps every value byte-exact: big integers, trailing zeros, escapes', () => {
    const text = '{"id": 505874924095815681, "price": 1.50, "name": "caf\\u00e9 \\"q\\" \\\\", "e": -1.0E+2}';
    const tree = mustScan(text);
    const values = childrenOf(tree, tree.root).map((member) => rawOf(tree, member));
    assert.deepEqual(values, ['505874924095815681', '1.50', '"caf\\u00e9 \\"q\\" \\\\"', '-1.0E+2']);
    assert.deepEqual(
      childrenOf(tree, tree.root).map((member) => keyOf(tree, member)),
      ['"id"', '"price"', '"name"', '"e"'],
    );
    assert.equal(memberRawOf(tree, tree.root + 1), '"id":505874924095815681');
  });

  it('records kinds, parents and subtree ends in document order', () => {
    const tree = mustScan('[{"a": [true, null]}, "s", 3]');
    assert.equal(tree.root, 1);
    assert.deepEqual([...tree.kind.slice(1, tree.count)], [ARRAY, OBJECT, ARRAY, ATOM, ATOM, STRING, ATOM]);
    assert.deepEqual(childrenOf(tree, 1), [2, 6, 7]);
    assert.equal(tree.next[2], 6);
    assert.equal(tree.parent[4], 3);
  });

  it('minifies like JSON.stringify for any value it printed with indentation', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const tree = mustScan(JSON.stringify(value, null, 2));
        assert.equal(tree.minified, JSON.stringify(value));
        assert.equal(rawOf(tree, tree.root), JSON.stringify(value));
      }),
    );
  });

  it('reads NDJSON and concatenated values as a sequence', () => {
    const tree = mustScan('{"a":1}\n{"a":2}\n\n[3]\n');
    assert.equal(tree.root, 0);
    assert.equal(tree.kind[0], SEQUENCE);
    assert.deepEqual(childrenOf(tree, 0).map((row) => rawOf(tree, row)), ['{"a":1}', '{"a":2}', '[3]']);
    assert.equal(tree.minified, '{"a":1}\n{"a":2}\n[3]');
  });

  it('marks values cut by the end of input as incomplete and keeps the dangling text', () => {
    const tree = mustScan('{"jobs": [{"name": "a"}, {"name": "b", "co');
    const [jobs] = childrenOf(tree, tree.root);
    const rows = childrenOf(tree, jobs!);
    assert.equal(rows.length, 2);
    assert.ok(tree.incomplete.has(tree.root) && tree.incomplete.has(jobs!) && tree.incomplete.has(rows[1]!));
    assert.ok(!tree.incomplete.has(rows[0]!));
    assert.equal(tree.minified.slice(tree.tail.get(rows[1]!)), ',"co');
    assert.equal(rawOf(tree, tree.root), tree.minified);
  });

  it('ends an unterminated string at the end of input', () => {
    const tree = mustScan('["a", "bcd');
    const [, cut] = childrenOf(tree, tree.root);
    assert.equal(rawOf(tree, cut!), '"bcd');
    assert.ok(tree.incomplete.has(cut!));
  });

  it('turns containers past the depth limit into one opaque node', () => {
    const tree = mustScan('[[[[1, {"a": 2}]]]]');
    assert.equal(tree.count, 8); // the sequence, four arrays, 1, the object and 2
    const shallow = scanJson('[[[[1, {"a": 2}]]]]', { maxDepth: 2 })!;
    assert.equal(shallow.kind[3], OPAQUE);
    assert.equal(rawOf(shallow, 3), '[[1,{"a":2}]]');
    assert.equal(shallow.count, 4);
  });

  it('scans 100,000 levels of nesting without recursion', () => {
    const depth = 100_000;
    const tree = mustScan('['.repeat(depth) + ']'.repeat(depth));
    assert.ok(tree.count < 100);
    assert.equal(tree.minified.length, 2 * depth);
    const cut = mustScan('{"a":'.repeat(depth));
    assert.ok(cut.incomplete.size > 0);
  });

  it('gives up on a syntax error, or in line mode keeps bad lines as raw rows', () => {
    assert.equal(scanJson('{"a": }'), undefined);
    assert.equal(scanJson('[1,]'), undefined);
    assert.equal(scanJson('{"a" 1}'), undefined);
    const tree = mustScan('{"a":1}\nnot json {\n{"b": [2]}', true);
    const rows = childrenOf(tree, 0);
    assert.deepEqual(rows.map((row) => tree.kind[row]), [OBJECT, RAW, OBJECT]);
    assert.deepEqual(rows.map((row) => rawOf(tree, row)), ['{"a":1}', 'not json {', '{"b":[2]}']);
  });

  it('refuses a string that runs across lines, so a broken NDJSON line stays on its own', () => {
    assert.equal(scanJson('{"a":"x\n{"a":"y"}'), undefined);
    const tree = mustScan('{"a":"x\n{"a":"y"}', true);
    assert.deepEqual(childrenOf(tree, 0).map((row) => tree.kind[row]), [RAW, OBJECT]);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'{}[]",:0123456789 \n\\atrue-.e'.split('')), maxLength: 200 }), (text) => {
        for (const lineMode of [false, true]) {
          const tree = scanJson(text, { lineMode });
          if (!tree) continue;
          for (let id = 0; id < tree.count; id++) {
            assert.ok(tree.start[id]! <= tree.end[id]! && tree.end[id]! <= tree.minified.length);
            assert.ok(tree.next[id]! > id && tree.next[id]! <= tree.count);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
