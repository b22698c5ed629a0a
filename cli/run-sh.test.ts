import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { findMarkers } from 'tokenfold';
import { syntheticLog } from './test-support/synthetic-log.ts';

/*
 * bin/tokenfold-run, the POSIX sh front of `tokenfold run`, installed the way npm installs it: a
 * package folder without dist/ (so it runs the TypeScript sources) and a relative link to the
 * script in node_modules/.bin. A `node` first on PATH notes each start, so the tests can tell
 * when Node ran; TMPDIR is a folder of the test's own, so they can see the temporary file.
 */

if (process.platform === 'win32') process.exit(0); // a POSIX sh script

const repo = join(import.meta.dirname, '..');
const folder = mkdtempSync(join(tmpdir(), 'tokenfold-run-sh-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const store = join(folder, 'folds.sqlite');
const logFile = join(folder, 'app.log');
writeFileSync(logFile, syntheticLog(2000));
const temporary = join(folder, 'tmp');
const nodeStarts = join(folder, 'node-starts');

mkdirSync(join(folder, 'package', 'bin'), { recursive: true });
copyFileSync(join(repo, 'bin', 'tokenfold-run'), join(folder, 'package', 'bin', 'tokenfold-run'));
chmodSync(join(folder, 'package', 'bin', 'tokenfold-run'), 0o755);
symlinkSync(join(repo, 'cli'), join(folder, 'package', 'cli'));
mkdirSync(join(folder, 'node_modules', '.bin'), { recursive: true });
symlinkSync('../../package/bin/tokenfold-run', join(folder, 'node_modules', '.bin', 'tokenfold-run'));
const wrapper = join(folder, 'node_modules', '.bin', 'tokenfold-run');
mkdirSync(join(folder, 'shim'));
writeFileSync(join(folder, 'shim', 'node'), `#!/bin/sh\necho start >> '${nodeStarts}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
const env = { ...process.env, PATH: `${join(folder, 'shim')}:${dirname(process.execPath)}:${process.env.PATH}`, TMPDIR: temporary };

beforeEach(() => {
  rmSync(nodeStarts, { force: true });
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary);
});

function tokenfoldRun(args: string[], input?: string) {
  const result = spawnSync(wrapper, args, { input, env, cwd: folder, maxBuffer: 64 << 20 });
  return { code: result.status, stdout: result.stdout, text: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
}

function tokenfold(args: string[]) {
  const result = spawnSync(process.execPath, ['--conditions=tokenfold-source', join(repo, 'cli', 'index.ts'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const nodeStarted = () => existsSync(nodeStarts);
// Node keeps its compile cache in TMPDIR too.
const leftInTmp = () => readdirSync(temporary).filter((name) => name.startsWith('tokenfold-run'));

// Whether the command can get SIGINT back (see the script): bash as sh, or GNU env 8.31+.
const sigintRestored = spawnSync('/bin/sh', ['-c', '[ -n "${BASH_VERSION-}" ] || env --default-signal=INT --version'], { stdio: 'ignore' }).status === 0;

describe('tokenfold-run (the sh front end)', () => {
  it('keeps the exit code: the command\'s own, 127 when not found, 128 + signal', () => {
    assert.equal(tokenfoldRun(['--', 'true']).code, 0);
    assert.equal(tokenfoldRun(['--', 'sh', '-c', 'exit 3']).code, 3);
    const missing = tokenfoldRun(['--', 'no-such-command-here', 'x']);
    assert.equal(missing.code, 127);
    assert.equal(missing.text, '');
    assert.equal(missing.stderr, 'tokenfold: no-such-command-here: command not found\n');
    assert.equal(tokenfoldRun(['--', './no/such/path']).code, 127);
    assert.equal(tokenfoldRun(['--', 'sh', '-c', 'kill -TERM $$']).code, 143);
    assert.equal(tokenfoldRun(['--', 'sh', '-c', 'kill -HUP $$']).code, 129);
    assert.deepEqual(leftInTmp(), []);
  });

  it('lets the command die of its own SIGINT (a background job would ignore it)', { skip: !sigintRestored && 'dash without GNU env 8.31+' }, () => {
    assert.equal(tokenfoldRun(['--', 'sh', '-c', 'kill -INT $$']).code, 130);
  });

  it('passes standard input to the command', () => {
    assert.equal(tokenfoldRun(['--', 'cat'], 'from stdin\n').text, 'from stdin\n');
    assert.equal(tokenfoldRun(['--', 'sh', '-c', 'read line; echo "got $line"'], 'one\ntwo\n').text, 'got one\n');
  });

  it('prints a small output byte for byte, both streams in the order written, without starting Node', () => {
    const interleaved = tokenfoldRun(['--', 'sh', '-c', 'echo one; echo two >&2; echo three; echo four >&2; printf five']);
    assert.equal(interleaved.code, 0);
    assert.equal(interleaved.text, 'one\ntwo\nthree\nfour\nfive');
    assert.equal(interleaved.stderr, '');
    const binary = tokenfoldRun(['--', 'printf', 'a\\000b\\377\\r\\n\\n']);
    assert.deepEqual([...binary.stdout], [0x61, 0, 0x62, 0xff, 0x0d, 0x0a, 0x0a]);
    assert.equal(tokenfoldRun(['--', 'true']).text, '');
    assert.ok(!nodeStarted(), 'no Node process for small outputs');
    assert.ok(!existsSync(store));
    assert.deepEqual(leftInTmp(), []);
  });

  it('keeps its temporary file private while the command runs, and removes it after', () => {
    const listing = tokenfoldRun(['--', 'ls', '-ln', temporary]).text;
    assert.match(listing, /^-rw-------[.+@]? .* tokenfold-run\.\w+$/m);
    assert.deepEqual(leftInTmp(), []);
  });

  it('hands a large output to Node, which compresses it as `tokenfold run` does; unfold brings folds back', () => {
    const result = tokenfoldRun(['--store', store, '--', 'sh', '-c', `cat '${logFile}'; exit 4`]);
    assert.equal(result.code, 4, result.stderr);
    assert.ok(nodeStarted());
    const original = readFileSync(logFile, 'utf8');
    assert.ok(result.text.length < original.length / 2);
    for (const line of original.split('\n').filter((line) => line.includes('ERROR'))) assert.ok(result.text.includes(line), line);
    assert.match(result.text, /\[tokenfold: \d+ folds? above; `tokenfold unfold ID` prints one/);
    const id = findMarkers(result.text)[0]!.id;
    const unfolded = tokenfold(['unfold', id, '--store', store]);
    assert.equal(unfolded.code, 0, unfolded.stderr);
    for (const line of unfolded.stdout.trimEnd().split('\n')) assert.ok(original.includes(line));
    const direct = tokenfold(['run', '--store', store, '--', 'sh', '-c', `cat '${logFile}'; exit 4`]);
    assert.equal(result.text, direct.stdout, 'the same output as tokenfold run');
    assert.deepEqual(leftInTmp(), []);
  });

  it('honours the options of tokenfold run, and leaves unknown ones to it', () => {
    const own = join(folder, 'namespaced.sqlite');
    const namespaced = tokenfoldRun(['-n', 'team-a', `--store=${own}`, '--query', 'connection refused', '--', 'cat', logFile]);
    const id = findMarkers(namespaced.text)[0]!.id;
    assert.equal(tokenfold(['unfold', id, '--store', own]).code, 3, 'not found outside its namespace');
    assert.equal(tokenfold(['unfold', id, '--store', own, '-n', 'team-a']).code, 0);

    const line = '2026-12-02 10:00:00 INFO a line of about sixty bytes, for min-bytes\n';
    const small = tokenfoldRun(['--min-bytes', '10', '--store', store, '--', 'printf', '%s', line]);
    assert.equal(small.text, line, 'compress passes a short text through');
    assert.ok(nodeStarted(), 'under --min-bytes 10, Node reads it');

    const streamed = tokenfoldRun(['--max-bytes', '4096', '--store', store, '--', 'cat', logFile]);
    assert.equal(streamed.text, readFileSync(logFile, 'utf8'), 'over --max-bytes, unchanged');

    const unknown = tokenfoldRun(['--no-such-option', '--', 'true']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown option '--no-such-option'/);
    assert.equal(tokenfoldRun(['--min-bytes', 'many', '--', 'true']).code, 2);
    assert.deepEqual(leftInTmp(), []);
  });

  for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129], ['SIGINT', 130]] as const) {
    it(`passes ${signal} on to the command and leaves with its code`, { skip: signal === 'SIGINT' && !sigintRestored && 'dash without GNU env 8.31+' }, async () => {
      const ready = join(folder, `ready-${signal}`);
      const child = spawn(wrapper, ['--', 'sh', '-c', `echo started; : > '${ready}'; exec sleep 30`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      while (!existsSync(ready)) await new Promise((resolve) => setTimeout(resolve, 20));
      child.kill(signal);
      const status = await new Promise((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
      assert.equal(status, code);
      assert.equal(stdout, 'started\n', 'what the command printed still comes out');
      assert.deepEqual(leftInTmp(), []);
    });
  }

  it('lets a command that handles SIGTERM finish its work', async () => {
    const ready = join(folder, 'ready-handler');
    const script = `process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(3); }); require('fs').writeFileSync(${JSON.stringify(ready)}, ''); setInterval(() => {}, 1000);`;
    const child = spawn(wrapper, ['--', process.execPath, '-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    while (!existsSync(ready)) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGTERM');
    assert.equal(await new Promise((resolve) => child.once('exit', resolve)), 3);
    assert.equal(stdout, 'got SIGTERM\n');
  });
});
