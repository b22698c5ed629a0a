import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createSqliteStore, findMarkers, readLedger } from 'tokenfold';
import { syntheticLog } from './test-support/synthetic-log.ts';

/*
 * `tokenfold run` as a coding agent's shell would call it: exit codes kept, small outputs passed
 * through untouched without opening the store, large ones compressed into folds that a later
 * `tokenfold unfold` brings back, standard input and signals reaching the command.
 */

const cli = join(import.meta.dirname, 'index.ts');
const folder = mkdtempSync(join(tmpdir(), 'tokenfold-run-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const store = join(folder, 'folds.sqlite');
const logFile = join(folder, 'app.log');
writeFileSync(logFile, syntheticLog(2000));

function tokenfold(args: string[], input?: string) {
  const result = spawnSync(process.execPath, ['--conditions=tokenfold-source', cli, ...args], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('tokenfold run', () => {
  it('keeps the exit code: the command\'s own, 128 + signal, 127 when not found', () => {
    assert.equal(tokenfold(['run', '--store', store, '--', 'sh', '-c', 'exit 0']).code, 0);
    assert.equal(tokenfold(['run', '--store', store, '--', 'sh', '-c', 'exit 7']).code, 7);
    assert.equal(tokenfold(['run', '--store', store, '--', 'sh', '-c', 'kill -TERM $$']).code, 143);
    const missing = tokenfold(['run', '--store', store, '--', 'no-such-command-here']);
    assert.equal(missing.code, 127);
    assert.match(missing.stdout + missing.stderr, /no-such-command-here: .*not found/);
  });

  it('passes a small output through unchanged, standard error included, without opening the store', () => {
    const result = tokenfold(['run', '--store', store, '--', 'sh', '-c', 'echo one; echo two >&2; echo three']);
    assert.equal(result.stdout, 'one\ntwo\nthree\n');
    assert.equal(result.stderr, '');
    assert.ok(!existsSync(store), 'nothing was folded, so nothing was opened');
  });

  it('prints a large output unchanged, with its exit code, when the fold store cannot open', () => {
    const result = tokenfold(['run', '--store', '/dev/null/x.sqlite', '--', 'sh', '-c', `cat ${logFile}; exit 4`]);
    assert.equal(result.code, 4);
    assert.equal(result.stdout, readFileSync(logFile, 'utf8'));
    assert.match(result.stderr, /not compressed/);
  });

  it('passes standard input to the command', () => {
    assert.equal(tokenfold(['run', '--store', store, '--', 'cat'], 'from stdin\n').stdout, 'from stdin\n');
  });

  it('compresses a large output with the command line as the query, and unfold brings folds back', async () => {
    const result = tokenfold(['run', '--store', store, '--', 'cat', logFile]);
    assert.equal(result.code, 0, result.stderr);
    const original = readFileSync(logFile, 'utf8');
    assert.ok(result.stdout.length < original.length / 2);
    for (const line of original.split('\n').filter((line) => line.includes('ERROR'))) assert.ok(result.stdout.includes(line), line);
    assert.match(result.stdout, /\[tokenfold: \d+ folds? above; `tokenfold unfold ID` prints one/);
    const id = findMarkers(result.stdout)[0]!.id;
    const unfolded = tokenfold(['unfold', id, '--store', store]);
    assert.equal(unfolded.code, 0, unfolded.stderr);
    for (const line of unfolded.stdout.trimEnd().split('\n')) assert.ok(original.includes(line));
    const ledger = await createSqliteStore(store);
    try {
      const entries = await readLedger(ledger);
      const compressed = entries.find((entry) => entry.type === 'compress' && entry.source === 'run');
      assert.equal(compressed?.tool, `cat ${logFile}`);
      assert.ok(entries.some((entry) => entry.type === 'unfold' && entry.detail?.id === id));
    } finally {
      await ledger.disconnect();
    }
  });

  it('passes SIGTERM on to the command and leaves with the command\'s code', async () => {
    const ready = join(folder, 'ready');
    const script = `process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(3); }); require('fs').writeFileSync(${JSON.stringify(ready)}, ''); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--conditions=tokenfold-source', cli, 'run', '--store', store, '--', process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    while (!existsSync(ready)) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 3);
    assert.equal(stdout, 'got SIGTERM\n');
  });
});
