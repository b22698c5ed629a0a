import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Keyv from 'keyv';
import { o200kCounter } from 'tokenfold';
import { headTailTruncate, minifyJson, TRUNCATION_SEPARATOR } from './baselines.ts';
import type { LogDocument } from './corpora.ts';
import { parseCsv, splitLines } from './corpora.ts';
import type { FoldView } from './fidelity.ts';
import { extractReferences, locate, plainView, viewOf } from './fidelity.ts';
import { isAlertRow, scoreLog } from './fidelity-logs.ts';
import { markerTokens, reasonLines, scoreFailure } from './fidelity-ci.ts';
import { summarizeFailures } from './report-ci.ts';
import type { FailureFileResult } from './suites.ts';
import { findMarkers, foldId, renderMarker } from '../core/folds.ts';
import { analyzeJson, scoreJson } from './fidelity-json.ts';
import { parseSource, rawText, toValue } from './json-source.ts';
import type { PrimitiveNode } from './json-source.ts';

const countUpTo = (text: string, limit: number) => o200kCounter.countUpTo!(text, limit);

// A view built by hand: `visible` with markers for the given fold ids.
function viewWith(visible: string, folds: Record<string, string>): FoldView {
  const markers = [...visible.matchAll(/\[\[fold (\d{15})[^\]]*\]\]/g)].map((match) => ({
    id: match[1]!,
    index: match.index,
    length: match[0].length,
  }));
  return { visible, folds: new Map(Object.entries(folds)), dangling: [], folded: Object.values(folds).join('\n\u0000\n'), rendered: visible, markers };
}

describe('json-source', () => {
  it('keeps the raw text of big integers and escaped strings', () => {
    const text = '{"id": 505874924095815681, "text": "caf\\u00e9 \\"x\\"", "n": 1.50}';
    const root = parseSource(text);
    assert.equal(root.type, 'object');
    const values = root.type === 'object' ? root.entries.map((entry) => rawText(text, entry.value as PrimitiveNode)) : [];
    assert.deepEqual(values, ['505874924095815681', 'caf\\u00e9 \\"x\\"', '1.50']);
  });

  it('reads the same values as JSON.parse', () => {
    const text = '[{"a": [1, 2, {"b": null}], "c": true, "d": "é"}, -3e2]';
    assert.deepEqual(toValue(text, parseSource(text)), JSON.parse(text));
  });

  it('reads NDJSON line by line and rejects broken JSON', () => {
    const root = parseSource('{"a":1}\n\n{"a":2}\n', 'ndjson');
    assert.equal(root.type === 'array' ? root.items.length : 0, 2);
    assert.throws(() => parseSource('{"a": 1,}'));
    assert.throws(() => parseSource('{"a": 1} x'));
  });
});

describe('baselines', () => {
  const lines = Array.from({ length: 400 }, (_, index) => `line ${index} of a long and rather wordy log`);
  const text = lines.join('\n');

  it('head+tail truncation stays within the budget and keeps the first and last lines', () => {
    const truncated = headTailTruncate(text, 300, countUpTo);
    assert.ok(o200kCounter.count(truncated) <= 300);
    assert.ok(truncated.startsWith('line 0 of'));
    assert.ok(truncated.endsWith('line 399 of a long and rather wordy log'));
    assert.ok(truncated.includes(TRUNCATION_SEPARATOR));
  });

  it('head+tail truncation returns a text that already fits unchanged', () => {
    assert.equal(headTailTruncate('short text', 50, countUpTo), 'short text');
  });

  it('minified JSON keeps whitespace inside strings and every value', () => {
    const json = '{\n  "a b": "x  y",\n  "n": [ 1 ,\t2 ]\n}';
    assert.equal(minifyJson(json, 'json'), '{"a b":"x  y","n":[1,2]}');
    assert.equal(minifyJson('{ "a": 1 }\n{ "a": 2 }\n', 'ndjson'), '{"a":1}\n{"a":2}');
  });
});

describe('log rules', () => {
  const lines = ['a INFO start', 'a INFO tick', 'a INFO tick', 'a WARN disk low', 'a INFO tick', 'a ERROR crash'];
  const document: LogDocument = {
    id: 'test.log',
    text: lines.join('\n'),
    lines,
    rows: lines.map((line, index) => ({ lineId: index + 1, level: line.split(' ')[1]!, eventId: line.includes('tick') ? 'E2' : `E${index + 10}` })),
  };

  it('counts alert levels across vocabularies', () => {
    for (const level of ['ERROR', 'warn', 'WARNING', 'E', 'F', 'SEVERE']) assert.ok(isAlertRow({ level }), level);
    for (const level of ['INFO', 'notice', 'I', 'combo']) assert.ok(!isAlertRow({ level }), level);
    assert.ok(isAlertRow({ level: 'INFO', label: 'KERNDTLB' }));
    assert.ok(!isAlertRow({ level: 'INFO', label: '-' }));
  });

  it('accepts a fold that holds every dropped line and a true count', () => {
    const visible = 'a INFO start\na INFO tick\n[[fold 000000000000001: 2 lines; INFO 2]]\na WARN disk low\na ERROR crash';
    const score = scoreLog(document, viewWith(visible, { '000000000000001': 'a INFO tick\na INFO tick' }));
    assert.equal(score.alertVisible, 2);
    assert.equal(score.eventsWithExample, score.events);
    assert.equal(score.coveredLines, 6);
    assert.ok(score.balanced);
    assert.equal(score.counts.mismatched, 0);
    assert.equal(score.counts.consistent, 2);
  });

  it('flags a wrong count, a lost line and a hidden alert', () => {
    const visible = 'a INFO start\na INFO tick ×5\na ERROR crash';
    const score = scoreLog(document, viewWith(visible, {}));
    assert.equal(score.alertVisible, 1);
    assert.equal(score.counts.mismatched, 1);
    assert.ok(!score.balanced);
    assert.equal(score.coveredLines, 3);
  });
});

describe('locate', () => {
  it('finds a needle that runs through a marker as one unfold away', () => {
    const view = viewWith('1475:  return int(value [[fold 000000000000002: 30 chars]]\n1476:', { '000000000000002': '/ base_unit)' });
    assert.equal(locate(view, '1475:  return int(value / base_unit)'), 'folded');
    assert.equal(locate(view, '1476:'), 'visible');
    assert.equal(locate(view, 'missing line'), 'missing');
  });

  it('reads the folds of real compress() output through unfold', async () => {
    const { compress } = await import('tokenfold');
    const store = new Keyv();
    const log = Array.from({ length: 300 }, (_, index) => `2024-01-01 10:00:${String(index % 60).padStart(2, '0')} INFO worker ${index} heartbeat ok`).join('\n');
    const result = await compress(`${log}\n2024-01-01 10:01:00 ERROR worker 7 died`, { store });
    const view = await viewOf(result.text, store);
    assert.equal(view.dangling.length, 0);
    assert.equal(locate(view, 'INFO worker 150 heartbeat ok'), result.passThrough ? 'visible' : 'folded');
    assert.equal(locate(plainView('x'), 'INFO worker 150 heartbeat ok'), 'missing');
  });
});

describe('agent references', () => {
  it('takes paths, line numbers and error lines that later steps refer to', () => {
    const steps = [
      { action: 'find_file fields.py', observation: 'Found 1 match:\n/repo/src/fields.py', thought: '' },
      { action: 'python run.py', observation: 'Traceback (most recent call last):\nValueError: bad unit', thought: '' },
      { action: 'open src/fields.py 12', observation: '[File: /repo/src/fields.py]\n11:    x = 1\n12:    return int(x)', thought: 'The ValueError comes from here.' },
      { action: 'edit 12:12', observation: 'File updated.', thought: '' },
    ];
    const references = extractReferences(steps);
    assert.deepEqual(references[0], [{ kind: 'path', needle: 'src/fields.py' }]);
    assert.deepEqual(references[1], [{ kind: 'error', needle: 'ValueError: bad unit' }]);
    assert.ok(references[2]!.some((reference) => reference.kind === 'line' && reference.needle === '12:    return int(x)'));
    assert.deepEqual(references[3], []);
  });
});

describe('JSON rules', () => {
  const jobs = Array.from({ length: 40 }, (_, index) => ({ name: `job-${index}`, color: index === 7 ? 'red' : 'blue' }));
  const text = JSON.stringify({ jobs, big: 505874924095815681n.toString() }, null, 1).replace('"505874924095815681"', '505874924095815681');
  const analysis = analyzeJson({ id: 'jobs.json', text, format: 'json' }, 'simdjson');

  it('finds the rare row and the array shape', () => {
    assert.equal(analysis.rare.length, 1);
    assert.equal(analysis.minority.length, 1);
    assert.ok(analysis.arrayShaped);
  });

  it('scores the input itself as keeping everything', () => {
    const score = scoreJson(analysis, plainView(text));
    assert.equal(score.rare.visible, 1);
    assert.equal(score.values.visible, score.values.total);
    assert.equal(score.keyPaths.visible, score.keyPaths.total);
  });

  it('sees a dropped rare row, a rounded big integer and a folded value', () => {
    const shown = JSON.stringify({ jobs: jobs.slice(0, 30).filter((job) => job.color === 'blue'), big: 505874924095815700 });
    const folded = JSON.stringify(jobs.slice(30));
    const score = scoreJson(analysis, viewWith(`${shown}[[fold 000000000000003: 10 rows]]`, { '000000000000003': folded }));
    assert.equal(score.rare.missing, 1);
    assert.ok(score.values.missing >= 3); // job-7, red, the big integer
    assert.ok(score.values.folded >= 10);
  });
});

describe('corpora helpers', () => {
  it('parses quoted CSV fields and strips CRLF line ends', () => {
    assert.deepEqual(parseCsv('a,"b,c","d ""e"""\r\n1,2,3\n'), [['a', 'b,c', 'd "e"'], ['1', '2', '3']]);
    assert.deepEqual(splitLines('x\r\ny\r\n'), ['x', 'y']);
  });
});

describe('failure-reason rules', () => {
  const wholeLine = renderMarker(foldId('b: second\n'), { unit: 'lines', count: 1 });
  const midLine = renderMarker(foldId('with a long'), { unit: 'chars', count: 11 });
  const rendered = `a: first\n${wholeLine}\nc: third ${midLine} middle\n`;
  const folded: FoldView = {
    visible: rendered,
    folds: new Map([
      [foldId('b: second\n'), 'b: second\n'],
      [foldId('with a long'), 'with a long'],
    ]),
    dangling: [],
    folded: 'b: second\n\n\u0000\nwith a long',
    rendered,
    markers: findMarkers(rendered),
  };

  it('checks CR-stripped, trimmed lines of four or more characters', () => {
    assert.deepEqual(reasonLines('  npm ERR! code E404\r\n\r\n}\n...\nfail'), ['npm ERR! code E404', 'fail']);
    assert.deepEqual(reasonLines(['x', '  BUILD FAILURE  ']), ['BUILD FAILURE']);
  });

  it('counts a line visible, folded or missing, and a line split by a marker as not visible', () => {
    const score = scoreFailure(['a: first', 'b: second', 'c: third with a long middle', 'd: nowhere'], folded);
    assert.deepEqual(score.reason, { total: 4, visible: 1, folded: 2, missing: 1 });
    assert.equal(score.whole, false);
    assert.deepEqual(score.hidden.map((entry) => entry.where), ['folded', 'folded', 'missing']);
    assert.ok(scoreFailure(['a: first', 'c: third'], folded).whole);
  });

  it('counts the tokens of each marker', () => {
    const count = (text: string) => o200kCounter.count(text);
    const { markers, tokens } = markerTokens(folded.visible, count);
    assert.equal(markers, 2);
    assert.equal(tokens, count(wholeLine) + count(midLine));
    assert.deepEqual(markerTokens('no markers here', count), { markers: 0, tokens: 0 });
  });

  it('reports the logs where tokenfold keeps fewer reason lines than truncation', () => {
    const row = (id: string, mine: FoldView, theirs: FoldView): FailureFileResult => ({
      id,
      source: 'test',
      bytes: 0,
      tokensBefore: 100,
      tokenfold: { tokens: 20, score: scoreFailure(['a: first', 'b: second'], mine), kind: 'build', folds: 1, markerTokens: 5 },
      truncation: { tokens: 20, score: scoreFailure(['a: first', 'b: second'], theirs) },
    });
    const summary = summarizeFailures([
      row('worse.log', folded, plainView('a: first\nb: second')),
      row('same.log', folded, plainView('a: first')),
    ]);
    assert.deepEqual(summary.worseThanTruncation, ['worse.log']);
    assert.deepEqual(summary.reason.tokenfold, { total: 4, visible: 2, folded: 2, missing: 0 });
    assert.equal(summary.whole.truncation, 1);
    assert.equal(summary.medianReduction, 0.8);
    assert.deepEqual(summary.kinds, { build: 2 });
  });
});
