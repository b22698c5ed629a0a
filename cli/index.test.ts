import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findMarkers } from 'tokenfold';

const cli = join(import.meta.dirname, 'index.ts');
const corpusLog = join(import.meta.dirname, '..', '..', 'shared', 'corpora', 'logs', 'loghub', 'Hadoop_2k.log');

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, ['--conditions=tokenfold-source', cli, ...args], { input, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('tokenfold CLI', () => {
  const folder = mkdtempSync(join(tmpdir(), 'tokenfold-cli-'));
  const store = join(folder, 'folds.sqlite');

  it('compresses a file, and a later process unfolds its folds from SQLite byte-exact', () => {
    const compressed = run(['compress', corpusLog, '--store', store, '--query', 'error']);
    assert.equal(compressed.code, 0, compressed.stderr);
    assert.match(compressed.stderr, /tokenfold: log, tokens ~?[\d,]+ → [\d,]+ \(-\d+%\), \d+ folds/);
    const markers = findMarkers(compressed.stdout);
    assert.ok(markers.length > 0, 'a 2,000-line log folds');
    const original = readFileSync(corpusLog, 'utf8');
    for (const { id } of markers.slice(0, 5)) {
      const unfolded = run(['unfold', id, '--store', store]);
      assert.equal(unfolded.code, 0, unfolded.stderr);
      // Every folded line is a line of the original log.
      for (const line of unfolded.stdout.trimEnd().split('\n')) assert.ok(original.includes(line));
    }
  });

  it('reads standard input and prints the whole result with --json', () => {
    const result = run(['compress', '-', '--json', '--store', store], 'short text\n');
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout);
    assert.equal(parsed.text, 'short text\n');
    assert.equal(parsed.passThrough, 'small');
  });

  it('prints selected lines of a fold with --grep and their line numbers', () => {
    const compressed = run(['compress', corpusLog, '--store', store]);
    const id = findMarkers(compressed.stdout)[0]!.id;
    const grepped = run(['unfold', id, '--grep', '.', '--store', store]);
    assert.equal(grepped.code, 0);
    assert.match(grepped.stdout, /^\d+: /);
  });

  it('exits 3 with a message for an unknown fold, and 2 for bad usage', () => {
    const missing = run(['unfold', '000000000000', '--store', store]);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /No fold 000000000000/);
    assert.equal(run(['compress', '--budget', 'lots', corpusLog, '--store', store]).code, 2);
    assert.equal(run(['compress', join(folder, 'missing.txt'), '--store', store]).code, 2);
    assert.equal(run(['frobnicate']).code, 2);
  });

  it('explains what a file is with detect', () => {
    const file = join(folder, 'a.json');
    writeFileSync(file, '[{"a": 1}, {"a": 2}]');
    const result = run(['detect', file]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^json\t/);
  });
});
