import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compress, findMarkers, unfold } from 'tokenfold';
import type { CompressorContext, FoldRequest, Piece } from '../types.ts';
import { estimateTokens, o200kCounter } from '../tokens.ts';
import { compressTable, detectTable, MUST_TOP } from './table.ts';
import { numberOf } from './table-columns.ts';

// Real outputs made on the project's machine (test-support/tables/README.md says how).
const fixture = (name: string) => readFileSync(new URL(`test-support/tables/${name}`, import.meta.url), 'utf8');
const corpora = new URL('../../../shared/corpora/', import.meta.url);

function context(budget: number, query = ''): CompressorContext {
  return { query, budget, countTokens: (text) => o200kCounter.count(text), estimateTokens };
}

function compressAt(text: string, share = 0.25, query = '') {
  const pieces = compressTable(text, context(Math.round(o200kCounter.count(text) * share), query));
  assert.ok(pieces, 'expected the table to compress');
  const visible = pieces.map((piece) => (typeof piece === 'string' ? piece : '[[fold]]')).join('');
  const folds = pieces.filter((piece): piece is FoldRequest => typeof piece !== 'string');
  // A row too long to read counts as shown when its head and tail are, around a fold of its middle.
  const rows = pieces.map((piece) => (typeof piece === 'string' ? piece : piece.unit === 'chars' ? piece.text : '[[fold]]')).join('');
  return { pieces, visible, visibleLines: new Set(rows.split('\n')), folds };
}

/** Puts the input back from the pieces: every fold must hold the input's lines at its line numbers. */
function assertRestores(input: string, pieces: Piece[]): void {
  const lines = input.split('\n');
  const placed = new Map<number, string>();
  for (const piece of pieces) {
    if (typeof piece === 'string' || piece.unit === 'chars') continue;
    const numbers = piece.lineNumbers ?? piece.text.split('\n').map((_, index) => piece.firstLine! + index);
    piece.text.split('\n').forEach((line, index) => placed.set(numbers[index]!, line));
    assert.equal(piece.count, numbers.length);
  }
  for (const [number, line] of placed) assert.equal(line, lines[number - 1], `line ${number} folds as it was`);
  const shown = pieces
    .map((piece) => (typeof piece === 'string' ? piece : piece.unit === 'chars' ? piece.text : '\u0000'))
    .join('')
    .split('\n')
    .filter((line) => line !== '…' && !line.includes('\u0000'));
  for (const line of shown) assert.ok(lines.includes(line), `visible line ${JSON.stringify(line.slice(0, 60))} is an input line`);
  assert.equal(placed.size + shown.length, lines.length, 'every line is visible or folded, once');
}

// The rows whose value of a whitespace-separated field is above the `count`-th largest value (so
// that ties at the boundary are not asked for), read without table.ts.
function topRows(rows: string[], field: number, count: number): string[] {
  const value = (row: string) => numberOf(row.trim().split(/\s+/)[field]!) ?? Number.NEGATIVE_INFINITY;
  const values = rows.map(value).sort((a, b) => b - a);
  const bar = values[count] ?? Number.NEGATIVE_INFINITY;
  const top = rows.filter((row) => value(row) > bar);
  assert.ok(top.length > 0, 'the column has a top');
  return top;
}

describe('detectTable', () => {
  for (const [name, columns] of [
    ['ps-aux.txt', 11],
    ['top.txt', 12],
    ['ls-la-usr-lib.txt', 9],
    ['du-h.txt', 2],
    ['ss-tan.txt', 5],
    ['netstat-tan.txt', 6],
  ] as const) {
    it(`finds the ${columns} columns of ${name}`, () => {
      const detection = detectTable(fixture(name).split('\n'));
      assert.ok(detection, name);
      assert.match(detection.why, new RegExp(`^${columns} (aligned|tab-separated) columns`));
    });
  }

  it('refuses a tree, mount lines and package lists', () => {
    for (const name of ['npm-ls.txt', 'mount.txt', 'apt-list.txt']) assert.equal(detectTable(fixture(name).split('\n')), undefined, name);
  });

  it('refuses build logs that line up by chance: `CC file.o`, apt progress, `pkg > msg`, numbered file views', () => {
    const logs = ['C__git_git__564416725.log', 'C__vim_vim__557413766.log', 'Cpp__BVLC_caffe__214074807.log', 'Haskell__purescript_purescript__549447715.log', 'Go__avelino_awesome-go__552235410.log'];
    for (const log of logs) {
      const lines = readFileSync(new URL(`ci/logchunks/logs/${log}`, corpora), 'utf8').split('\n');
      for (let start = 0; start < lines.length; start += 60) assert.equal(detectTable(lines.slice(start, start + 60)), undefined, `${log} from line ${start + 1}`);
    }
    const view = ['[File: src/marshmallow/fields.py (1997 lines total)]', '(1456 more lines above)'];
    for (let line = 1457; line < 1510; line++) view.push(`${line}:${' '.repeat(4 + (line % 3) * 4)}value_${line} = compute(${line})`);
    assert.equal(detectTable(view), undefined);
  });

  it('refuses logs whose dates and times have fixed widths, and code', () => {
    for (const log of ['HDFS_2k.log', 'Apache_2k.log', 'Linux_2k.log', 'Zookeeper_2k.log', 'OpenSSH_2k.log', 'Hadoop_2k.log']) {
      const lines = readFileSync(new URL(`logs/loghub/${log}`, corpora), 'utf8').split('\n').slice(0, 200);
      assert.equal(detectTable(lines), undefined, log);
    }
    assert.equal(detectTable(readFileSync(new URL('table.ts', import.meta.url), 'utf8').split('\n')), undefined);
  });
});

describe('compressTable on ps aux', () => {
  const text = fixture('ps-aux.txt');
  const rows = text.trimEnd().split('\n').slice(1);

  it('keeps the header and the processes with the highest %CPU, %MEM, VSZ and RSS', () => {
    const { visibleLines } = compressAt(text);
    assert.ok(visibleLines.has(text.split('\n')[0]!));
    for (const [field, name] of [[2, '%CPU'], [3, '%MEM'], [4, 'VSZ'], [5, 'RSS']] as const) {
      for (const row of topRows(rows, field, MUST_TOP)) assert.ok(visibleLines.has(row), `a top ${name} row: ${row.slice(0, 80)}`);
    }
  });

  it('fits the budget and loses no line', () => {
    const budget = Math.round(o200kCounter.count(text) / 4);
    const { pieces, visible } = compressAt(text);
    assert.ok(o200kCounter.count(visible) < budget * 1.2, `${o200kCounter.count(visible)} tokens for a budget of ${budget}`);
    assertRestores(text, pieces);
  });

  it('keeps a row the query names', () => {
    const { visibleLines } = compressAt(text);
    const hidden = rows.filter((row) => !visibleLines.has(row));
    // A hidden row whose command has a word no other row has.
    const words = (row: string) => row.toLowerCase().split(/[^a-z0-9_]+/).filter((word) => word.length >= 4);
    const unique = hidden.map((row) => ({ row, word: words(row).find((word) => rows.filter((other) => other.toLowerCase().includes(word)).length === 1) })).find(({ word }) => word);
    assert.ok(unique?.word, 'some hidden row has a word of its own');
    const { visibleLines: withQuery } = compressAt(text, 0.25, `what is ${unique.word} doing?`);
    assert.ok(withQuery.has(unique.row));
  });

  it('says in each fold which users and states it holds', () => {
    const { folds } = compressAt(text);
    const lineFolds = folds.filter((fold) => fold.unit === 'lines');
    assert.ok(lineFolds.length > 0);
    for (const fold of lineFolds) assert.match(fold.summary ?? '', /"USER"|"STAT"/);
  });
});

describe('compressTable on other tools', () => {
  it('keeps top\'s summary lines and its busiest processes', () => {
    const text = fixture('top.txt');
    const lines = text.trimEnd().split('\n');
    const { pieces, visibleLines } = compressAt(text);
    for (const line of lines.slice(0, 5)) assert.ok(visibleLines.has(line), line);
    const header = lines.findIndex((line) => /^\s*PID USER/.test(line));
    for (const row of topRows(lines.slice(header + 1), 8, MUST_TOP)) assert.ok(visibleLines.has(row), row);
    assertRestores(text, pieces);
  });

  it('keeps the largest directories of du -h (sizes with units)', () => {
    const text = fixture('du-h.txt');
    const { pieces, visibleLines } = compressAt(text);
    for (const row of topRows(text.trimEnd().split('\n'), 0, MUST_TOP)) assert.ok(visibleLines.has(row), row);
    assertRestores(text, pieces);
  });

  it('keeps the largest files of ls -la and counts the hidden ones by mode', () => {
    const text = fixture('ls-la-usr-lib.txt');
    const { pieces, visibleLines, folds } = compressAt(text);
    for (const row of topRows(text.trimEnd().split('\n').slice(1), 4, MUST_TOP)) assert.ok(visibleLines.has(row), row);
    assert.ok(folds.some((fold) => /"mode" "drwxr-xr-x" \d+/.test(fold.summary ?? '')));
    assertRestores(text, pieces);
  });

  it('keeps the sockets with data queued in ss -tan, and counts states', () => {
    const text = fixture('ss-tan.txt');
    const { pieces, visibleLines, folds } = compressAt(text);
    const queued = text.split('\n').filter((line) => /^\S+\s+[1-9]/.test(line) || /^\S+\s+\d+\s+[1-9]/.test(line));
    assert.ok(queued.length > 0);
    for (const row of queued) assert.ok(visibleLines.has(row), row);
    assert.ok(folds.some((fold) => /"State" "ESTAB" \d+/.test(fold.summary ?? '')));
    assertRestores(text, pieces);
  });

  it('keeps the pod that is not running, with counts of the others', () => {
    // The shape of `kubectl get pods` (no cluster here to run it against).
    const pods = Array.from({ length: 60 }, (_, i) => {
      const name = `api-7d9f8b6c5-${(i * 7919).toString(36).padStart(5, 'x')}`;
      const status = i === 41 ? 'CrashLoopBackOff' : 'Running';
      return `${name.padEnd(28)}${i === 41 ? '0/1' : '1/1'}     ${status.padEnd(18)}${String(i === 41 ? 17 : 0).padEnd(10)}${3 + (i % 5)}d`;
    });
    const text = `${'NAME'.padEnd(28)}READY   ${'STATUS'.padEnd(18)}${'RESTARTS'.padEnd(10)}AGE\n${pods.join('\n')}\n`;
    assert.ok(detectTable(text.split('\n')));
    const { pieces, visibleLines, folds } = compressAt(text, 0.2);
    assert.ok(visibleLines.has(pods[41]!));
    assert.ok(folds.some((fold) => /"STATUS" "Running" \d+/.test(fold.summary ?? '')));
    assertRestores(text, pieces);
  });

  it('shows the head and tail of a row too long to read, and folds its middle', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `root ${String(1000 + i).padStart(6)} ${String(i === 7 ? 99.5 : 0.1).padStart(5)} ${i === 7 ? `java -cp ${'lib/a.jar:'.repeat(400)} Main` : 'sleep 60'}`);
    const text = `USER      PID  %CPU COMMAND\n${rows.join('\n')}\n`;
    const { pieces, visible } = compressAt(text, 0.3);
    const middle = pieces.find((piece): piece is FoldRequest => typeof piece !== 'string' && piece.unit === 'chars');
    assert.ok(middle, 'a fold of the middle of the long row');
    assert.equal(middle.firstLine, 9);
    assert.ok(visible.includes('root   1007  99.5 java -cp lib/a.jar:'));
    assert.ok(visible.includes('lib/a.jar: Main'));
    assertRestores(text, pieces);
  });

  it('unfolds hidden rows by the input\'s line numbers, through compress and unfold', async () => {
    const text = fixture('ps-aux.txt');
    const lines = text.split('\n');
    const result = await compress(text, { kind: 'table', exactCounts: true });
    assert.equal(result.kind, 'table');
    assert.ok(result.tokensAfter < result.tokensBefore / 3, `${result.tokensAfter} of ${result.tokensBefore} tokens`);
    const folds = findMarkers(result.text);
    assert.ok(folds.length > 0);
    let hiddenLine = -1;
    for (let line = 1; line < lines.length && hiddenLine === -1; line++) if (!result.text.includes(lines[line]!)) hiddenLine = line + 1;
    const answers = await Promise.all(folds.map(({ id }) => unfold(id, { lines: `${hiddenLine}-${hiddenLine}` })));
    const hit = answers.find((answer) => answer.status === 'ok');
    assert.ok(hit && hit.status === 'ok', `line ${hiddenLine} unfolds from one of the folds`);
    assert.ok(hit.text.endsWith(lines[hiddenLine - 1]!), hit.text);
  });

  it('passes when lossless, and on text that is not a table', () => {
    assert.equal(compressTable(fixture('ps-aux.txt'), { ...context(100), lossless: true }), undefined);
    assert.equal(compressTable(fixture('npm-ls.txt'), context(50)), undefined);
  });

  it('is deterministic', () => {
    const text = fixture('netstat-tan.txt');
    assert.deepEqual(compressTable(text, context(300)), compressTable(text, context(300)));
  });
});

describe('compressTable on generated tables', () => {
  // Aligned tables of random widths and values (numbers, sizes, words, some empty cells), with a
  // header or not, a note above or not: whatever it folds, every line must come back.
  const cell = fc.oneof(fc.integer({ min: 0, max: 99_999 }).map(String), fc.constantFrom('4.0K', '1.2G', '0:17', '25%', 'root', 'www-data', 'S', 'R+', '-', ''), fc.stringMatching(/^[a-z][a-z0-9/._-]{0,12}$/));
  const table = fc.record({
    header: fc.boolean(),
    note: fc.boolean(),
    columns: fc.integer({ min: 2, max: 7 }),
    rows: fc.array(fc.array(cell, { minLength: 7, maxLength: 7 }), { minLength: 5, maxLength: 80 }),
  }).map(({ header, note, columns, rows }) => {
    const body = rows.map((row) => row.slice(0, columns));
    const names = Array.from({ length: columns }, (_, index) => `COL${index}`);
    const all = header ? [names, ...body] : body;
    const widths = names.map((_, column) => Math.max(...all.map((row) => row[column]!.length)));
    const lines = all.map((row) => row.map((value, column) => value.padEnd(widths[column]!)).join('  ').trimEnd());
    return `${note ? 'Listing of things (as of today)\n' : ''}${lines.join('\n')}\n`;
  });

  it('never throws, is deterministic, and loses no line', () => {
    fc.assert(
      fc.property(table, fc.integer({ min: 1, max: 400 }), fc.constantFrom('', 'root', 'what is 4.0K'), (text, budget, query) => {
        const pieces = compressTable(text, context(budget, query));
        assert.deepEqual(compressTable(text, context(budget, query)), pieces);
        if (pieces) assertRestores(text, pieces);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...' \t\n ab1.%:-'.split('')), maxLength: 400 }), (text) => {
        const pieces = compressTable(text, context(20));
        detectTable(text.split('\n'));
        if (pieces) assertRestores(text, pieces);
      }),
      { numRuns: 2000 },
    );
  });
});
