import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MUST, NOTABLE, analyseRows, mentionsTrouble } from './json-rows.ts';
import { childrenOf, scanJson } from './json-scan.ts';

function analyse(rows: unknown[], hit: (index: number) => boolean = () => false) {
  const tree = scanJson(JSON.stringify(rows))!;
  const nodes = childrenOf(tree, tree.root);
  return analyseRows(tree, nodes, (node) => hit(nodes.indexOf(node)));
}

const levelsOf = (rows: unknown[]) => [...analyse(rows).level];

describe('analyseRows', () => {
  it('must keep rows that tell of a failure', () => {
    const ok = { status: 200, state: 'done', error: null, success: true, message: 'all good' };
    const rows = [
      ok,
      { ...ok, status: 503 },
      { ...ok, state: 'failed' },
      { ...ok, error: { code: 'E42' } },
      { ...ok, success: false },
      { ...ok, message: 'upload failed: disk is full' },
      { ...ok, result: { conclusion: 'failure' } },
      ok,
    ];
    assert.deepEqual(levelsOf(rows), [0, MUST, MUST, MUST, MUST, MUST, MUST, 0]);
  });

  it('must keep rows that contain a query term', () => {
    const rows = Array.from({ length: 6 }, (_, i) => ({ name: `job-${i}` }));
    assert.deepEqual([...analyse(rows, (index) => index === 4).level], [0, 0, 0, 0, MUST, 0]);
  });

  it('notes every departure from a dominant status, and rare values of other fields', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({
      color: i < 60 ? 'blue' : i < 90 ? 'disabled' : 'yellow',
      lang: i === 7 ? 'zh' : i % 2 ? 'ja' : 'en',
    }));
    const level = levelsOf(rows);
    assert.deepEqual(
      level.flatMap((value, index) => (value === NOTABLE ? [index] : [])),
      [7, ...Array.from({ length: 40 }, (_, i) => 60 + i)],
    );
  });

  it('notes the most extreme numeric outliers only', () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ ms: i === 10 ? 90_000 : i === 20 ? 70_000 : i === 30 ? 50_000 : 100 + ((i * 7) % 31) }));
    const level = levelsOf(rows);
    assert.deepEqual(level.flatMap((value, index) => (value ? [index] : [])), [10, 20]);
  });

  it('keeps Link headers and error sentences in a flat list, with the name before them', () => {
    const headers = ['Server', 'GitHub.com', 'Link', '<https://api.github.com/x?page=2>; rel="next"', 'Vary', 'Accept', 'X-Note', 'request failed: timeout'];
    assert.deepEqual(levelsOf(headers), [0, 0, MUST, MUST, 0, 0, MUST, MUST]);
  });

  it('sums up hidden rows by their telling fields, words before numbers', () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ id: i, color: i % 10 === 0 ? 'red' : 'blue', retries: i % 2 }));
    const { summarize } = analyse(rows);
    assert.equal(summarize([1, 2, 3, 10, 20]), '"color" "blue" 3, "red" 2');
  });
});

describe('mentionsTrouble', () => {
  it('reads error sentences and web links, not single tokens that contain an error word', () => {
    assert.ok(mentionsTrouble('"Validation Failed"'));
    assert.ok(mentionsTrouble('"<https://api.github.com/x?page=3>; rel=\\"last\\""'));
    assert.ok(!mentionsTrouble('"https://api.github.com/repos/o/tmp-scenario-errors-2022/forks"'));
    assert.ok(!mentionsTrouble('"all good"'));
  });
});
