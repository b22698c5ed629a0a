import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import Keyv from 'keyv';
import { compress, detect, estimateTokens, findMarkers, unfold } from 'tokenfold';
import type { CompressorContext, FoldRequest, Piece } from 'tokenfold';
import { parseStructuredCsv } from '../../bench/corpora.ts';
import { compressLogs } from './logs.ts';

// Hostile inputs must end; how fast such inputs go is measured in bench/reliability.ts (hostile
// inputs, 100 MB inputs), never asserted here.
const HANG_GUARD = { timeout: 60_000 };

const LOGHUB = new URL('../../../shared/corpora/logs/loghub/', import.meta.url);
const SYSTEMS = [
  'Android', 'Apache', 'BGL', 'HDFS', 'HPC', 'Hadoop', 'HealthApp', 'Linux',
  'Mac', 'OpenSSH', 'OpenStack', 'Proxifier', 'Spark', 'Thunderbird', 'Windows', 'Zookeeper',
];
// The levels that the benchmark requires to stay visible, as the structured CSVs spell them.
const MUST_LEVELS = new Set(['WARN', 'WARNING', 'ERROR', 'FATAL', 'SEVERE', 'W', 'E', 'F', 'warn', 'error']);

function context(overrides: Partial<CompressorContext> = {}): CompressorContext {
  return { query: '', budget: 256, countTokens: estimateTokens, estimateTokens, ...overrides };
}

function isFold(piece: Piece): piece is FoldRequest {
  return typeof piece !== 'string';
}

/** The visible lines of compressed text, marker lines left out. */
function visibleLines(text: string): string[] {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return body.split('\n').filter((line) => !/^\[\[fold \d{15}: /.test(line));
}

function inputLines(text: string): string[] {
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

function sorted(lines: readonly string[]): string[] {
  return [...lines].sort();
}

/** True when `shown` appears in `all` in the same order (a subsequence). */
function inOrder(shown: readonly string[], all: readonly string[]): boolean {
  let next = 0;
  for (const line of all) if (next < shown.length && line === shown[next]) next++;
  return next === shown.length;
}

/** Compresses through the public entry and reads every fold back. */
async function roundTrip(text: string, options: { budget?: number; query?: string } = {}) {
  const store = new Keyv();
  const result = await compress(text, { kind: 'log', store, ...options });
  const folds: Array<{ marker: string; lines: string[] }> = [];
  for (const marker of findMarkers(result.text)) {
    const back = await unfold(marker.id, { store });
    assert.equal(back.status, 'ok');
    if (back.status !== 'ok') continue;
    folds.push({ marker: result.text.slice(marker.index, marker.index + marker.length), lines: back.text.split('\n') });
  }
  return { result, visible: visibleLines(result.text), folds };
}

describe('compressLogs on the loghub logs', { skip: !existsSync(LOGHUB) && 'corpora not found' }, () => {
  const reductions: number[] = [];

  for (const system of SYSTEMS) {
    it(`keeps every alert, error and warning of ${system} and an example of every event, and folds the rest exactly`, async () => {
      const log = readFileSync(new URL(`${system}_2k.log`, LOGHUB), 'utf8');
      const rows = parseStructuredCsv(readFileSync(new URL(`${system}_2k.log_structured.csv`, LOGHUB), 'utf8'));
      const lines = inputLines(log);
      assert.equal(detect(log).kind, 'log');

      const { result, visible, folds } = await roundTrip(log);
      assert.equal(result.passThrough, undefined);
      const shown = new Set(visible);

      // The CSV's row N is line N of the log (LineId).
      const examples = new Map<string, boolean>();
      for (const row of rows) {
        const line = lines[row.lineId - 1]!;
        const isVisible = shown.has(line);
        if (MUST_LEVELS.has(row.level ?? '') || (row.label !== undefined && row.label !== '-')) {
          assert.ok(isVisible, `line ${row.lineId} (${row.level ?? row.label}) is not visible: ${line}`);
        }
        examples.set(row.eventId, examples.get(row.eventId) === true || isVisible);
      }
      const missing = [...examples].filter(([, isVisible]) => !isVisible).map(([eventId]) => eventId);
      assert.deepEqual(missing, [], 'events without a visible example');

      for (const fold of folds) {
        assert.match(fold.marker, new RegExp(`: ${fold.lines.length} lines?; like the line above`));
      }
      const folded = folds.flatMap((fold) => fold.lines);
      assert.deepEqual(sorted([...visible, ...folded]), sorted(lines), 'visible and folded lines are the input lines');
      assert.ok(inOrder(visible, lines), 'visible lines keep their order');
      reductions.push(1 - result.tokensAfter / result.tokensBefore);
    });
  }

  it('reaches a median token reduction of at least 70% over the 16 logs', () => {
    assert.equal(reductions.length, SYSTEMS.length);
    const ordered = [...reductions].sort((a, b) => a - b);
    const median = (ordered[7]! + ordered[8]!) / 2;
    assert.ok(median >= 0.7, `median reduction ${median}`);
  });

  it('gives each fold of Hadoop the time of its first and last line', async () => {
    const log = readFileSync(new URL('Hadoop_2k.log', LOGHUB), 'utf8');
    const { folds } = await roundTrip(log);
    assert.ok(folds.length > 0);
    const time = (line: string) => /\d\d:\d\d:\d\d/.exec(line)![0];
    for (const fold of folds) {
      assert.ok(fold.marker.includes(time(fold.lines[0]!)), fold.marker);
      assert.ok(fold.marker.includes(time(fold.lines.at(-1)!)), fold.marker);
    }
  });
});

// A small log of our own: 60 heartbeats with an error, a stack trace and a warning in the middle.
const heartbeats = Array.from(
  { length: 60 },
  (_, k) => `2024-03-01 10:00:${String(k).padStart(2, '0')},123 INFO [main] com.acme.Poller: polled queue, ${k * 7} jobs in ${k + 3} ms`,
);
const trouble = [
  '2024-03-01 10:00:30,500 ERROR [main] com.acme.Handler: request failed',
  'java.lang.IllegalStateException: boom',
  '\tat com.acme.Handler.handle(Handler.java:42)',
  'Caused by: java.io.IOException: disk full',
  '\t... 2 more',
  'Traceback (most recent call last):',
  '  File "job.py", line 3, in <module>',
  '    run()',
  'ValueError: bad input',
  '2024-03-01 10:00:30,900 WARN [main] com.acme.Poller: slow poll',
];
const smallLog = [...heartbeats.slice(0, 30), ...trouble, ...heartbeats.slice(30)].join('\n') + '\n';

describe('compressLogs', () => {
  it('folds the repeats of a template under its example with their exact count and time span', async () => {
    const { visible, folds, result } = await roundTrip(smallLog, { budget: 50 });
    assert.equal(visible[0], heartbeats[0]);
    assert.equal(folds.length, 1);
    assert.equal(folds[0]!.lines.length, heartbeats.length - 1);
    assert.match(folds[0]!.marker, /: 59 lines; like the line above, 10:00:01 to 10:00:59\]\]$/);
    assert.ok(result.text.startsWith(`${heartbeats[0]}\n${folds[0]!.marker}\n`));
  });

  it('keeps every error, warning and stack-trace line verbatim, whatever the budget', async () => {
    const { visible } = await roundTrip(smallLog, { budget: 1 });
    for (const line of trouble) assert.ok(visible.includes(line), line);
  });

  it('shows a line of context around errors when the budget allows', async () => {
    const { visible } = await roundTrip(smallLog, { budget: 2000 });
    assert.ok(visible.includes(heartbeats[29]!));
    assert.ok(visible.includes(heartbeats[30]!));
    const tight = await roundTrip(smallLog, { budget: 1 });
    assert.ok(!tight.visible.includes(heartbeats[29]!));
  });

  it('shows lines that match the query when the budget allows', async () => {
    const wanted = heartbeats[44]!; // `308 jobs`
    assert.ok(!(await roundTrip(smallLog, { budget: 400 })).visible.includes(wanted));
    assert.ok((await roundTrip(smallLog, { budget: 400, query: 'why 308 jobs?' })).visible.includes(wanted));
  });

  it('reads Android, Apache and glog levels, and trusts the level field over the message', () => {
    const android = Array.from({ length: 30 }, (_, k) => `03-17 16:13:${String(k).padStart(2, '0')}.811  1702  2395 D Tag: tick ${k}`);
    android.push('03-17 16:14:00.001  1702  2395 W Tag: tick 99', '03-17 16:14:00.002  1702  2395 E Tag: tick 98');
    const apache = Array.from({ length: 30 }, (_, k) => `[Sun Dec 04 04:47:${String(k).padStart(2, '0')} 2005] [notice] child ${k} ok`);
    apache.push('[Sun Dec 04 04:48:00 2005] [error] child 7 ok');
    const glog = Array.from({ length: 30 }, (_, k) => `I0317 16:13:${String(k).padStart(2, '0')}.811 1702 server.go:12] tick ${k}`);
    glog.push('E0317 16:14:00.001 1702 server.go:99] tick 98');
    for (const lines of [android, apache, glog]) {
      const pieces = compressLogs(lines.join('\n'), context({ budget: 1 }))!;
      const text = pieces.filter((piece) => typeof piece === 'string').join('');
      for (const line of lines.slice(30)) assert.ok(text.includes(line), line);
    }

    const windows = Array.from({ length: 30 }, (_, k) => `2016-09-28 04:30:${String(k).padStart(2, '0')}, Info CBS Warning: Unrecognized packageExtended attribute.`);
    const pieces = compressLogs(windows.join('\n'), context({ budget: 1 }))!;
    assert.equal(pieces.filter(isFold)[0]!.count, 29);
  });

  it('keeps the lines of a BGL-style log whose alert label is not "-"', () => {
    const lines = Array.from({ length: 30 }, (_, k) => `- ${1117838570 + k} 2005.06.03 R02-M1-N0 RAS KERNEL INFO cache parity corrected`);
    lines.push('KERNDTLB 1118536327 2005.06.11 R30-M0-N9 RAS KERNEL INFO cache parity corrected');
    const pieces = compressLogs(lines.join('\n'), context({ budget: 1 }))!;
    assert.ok((pieces[0] as string).includes(lines[0]!));
    assert.ok(pieces.some((piece) => typeof piece === 'string' && piece.includes(lines[30]!)));
  });

  it('shows more lines that mention trouble as the budget grows', async () => {
    const lines = Array.from({ length: 40 }, (_, k) => `Dec 10 07:${String(k).padStart(2, '0')}:00 host sshd[${k}]: Failed password for root from 10.0.0.${k} port ${k} ssh2`);
    lines.push(...Array.from({ length: 40 }, (_, k) => `Dec 10 08:${String(k).padStart(2, '0')}:00 host sshd[${k}]: Accepted key for root`));
    const failed = (visible: string[]) => visible.filter((line) => line.includes('Failed')).length;
    const tight = await roundTrip(lines.join('\n'), { budget: 1 });
    const roomy = await roundTrip(lines.join('\n'), { budget: 100_000 });
    assert.equal(failed(tight.visible), 1);
    assert.equal(failed(roomy.visible), 40);
    assert.equal(roomy.visible.filter((line) => line.includes('Accepted')).length, 1);
  });

  it('sets firstLine on a fold of contiguous lines only', () => {
    const contiguous = compressLogs(heartbeats.join('\n'), context())!.filter(isFold);
    assert.deepEqual(contiguous.map((fold) => fold.firstLine), [2]);
    const scattered = compressLogs(smallLog, context({ budget: 1 }))!.filter(isFold);
    assert.equal(scattered[0]!.firstLine, undefined);
  });

  it('keeps carriage returns and a missing final newline', async () => {
    const crlf = heartbeats.join('\r\n');
    const { result, visible, folds } = await roundTrip(crlf);
    assert.ok(!result.text.endsWith('\n'));
    assert.deepEqual(sorted([...visible, ...folds.flatMap((fold) => fold.lines)]), sorted(crlf.split('\n')));
    assert.ok(visible[0]!.endsWith('\r'));
  });

  it('passes through when nothing repeats', () => {
    const distinct = ['2024-01-01 10:00:00 INFO alpha', '2024-01-01 10:00:01 INFO beta', '2024-01-01 10:00:02 INFO gamma'];
    assert.equal(compressLogs(distinct.join('\n'), context()), undefined);
  });

  it('gives the same pieces for the same input', () => {
    assert.deepEqual(compressLogs(smallLog, context()), compressLogs(smallLog, context()));
  });

  it('ends on adversarial lines', HANG_GUARD, () => {
    const inputs = [
      'x'.repeat(5e6) + '\nERROR a\nINFO b\nINFO b\n',
      Array.from({ length: 10 }, () => '7'.repeat(100_000)).join('\n'),
      ('a="'.repeat(300_000) + '\n').repeat(3),
      (' '.repeat(1e6) + '\n').repeat(3),
      ('\t'.repeat(1e6) + 'at\n').repeat(3),
      ('Jan 1 1:'.repeat(200_000) + '\n').repeat(3),
      ('a'.repeat(2e6) + 'Error\n').repeat(3),
      Array.from({ length: 50_000 }, (_, k) => `2024-01-01 10:00:00 INFO w${k.toString(36)}x e${k.toString(36).replace(/\d/g, 'q')}`).join('\n'),
    ];
    for (const input of inputs) {
      compressLogs(input, context());
    }
  });
});
