import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findMarkers, o200kCounter } from 'tokenfold';
import { syntheticLog } from './test-support/synthetic-log.ts';

const cli = join(import.meta.dirname, 'index.ts');
const folder = mkdtempSync(join(tmpdir(), 'tokenfold-cli-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const store = join(folder, 'folds.sqlite');
const logFile = join(folder, 'app.log');
writeFileSync(logFile, syntheticLog(2000));

function run(args: string[], input?: string | Buffer) {
  const result = spawnSync(process.execPath, ['--conditions=tokenfold-source', cli, ...args], { input, maxBuffer: 64 << 20 });
  return { code: result.status, stdout: result.stdout, text: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
}

describe('tokenfold compress and unfold', () => {
  it('compresses a file, and a later process unfolds its folds from SQLite byte-exact', () => {
    const compressed = run(['compress', logFile, '--store', store, '--query', 'error']);
    assert.equal(compressed.code, 0, compressed.stderr);
    assert.match(compressed.stderr, /tokenfold: log, tokens ~?[\d,]+ → [\d,]+ \(-\d+%\), \d+ folds/);
    const markers = findMarkers(compressed.text);
    assert.ok(markers.length > 0, 'a 2,000-line log folds');
    const original = readFileSync(logFile, 'utf8');
    for (const { id } of markers.slice(0, 3)) {
      const unfolded = run(['unfold', id, '--store', store]);
      assert.equal(unfolded.code, 0, unfolded.stderr);
      for (const line of unfolded.text.trimEnd().split('\n')) assert.ok(original.includes(line));
    }
  });

  it('reads standard input and prints the whole result with --json', () => {
    const result = run(['compress', '-', '--json', '--store', store], 'short text\n');
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.text);
    assert.equal(parsed.text, 'short text\n');
    assert.equal(parsed.passThrough, 'small');
  });

  it('counts the tokens of a large pass-through exactly', () => {
    const text = readFileSync(logFile, 'utf8');
    const result = run(['compress', logFile, '--json', '--min-tokens', '1000000', '--store', store]);
    const parsed = JSON.parse(result.text);
    assert.equal(parsed.passThrough, 'small');
    assert.equal(parsed.tokensAfter, o200kCounter.count(text));
    assert.equal(parsed.tokensBefore, parsed.tokensAfter);
    assert.equal(parsed.tokensBeforeExact, true);
  });

  it('passes bytes through untouched: invalid UTF-8, a byte-order mark, input over --max-bytes', () => {
    const latin1 = Buffer.from(`caf\u00e9 cr\u00e8me, na\u00efve r\u00e9sum\u00e9\n`.repeat(300), 'latin1');
    const notUtf8 = run(['compress', '-', '--store', store], latin1);
    assert.equal(notUtf8.code, 0);
    assert.ok(notUtf8.stdout.equals(latin1), 'latin1 comes back byte for byte');
    assert.match(notUtf8.stderr, /not UTF-8: passed through unchanged/);
    const withBom = Buffer.from('\ufeffhello\n', 'utf8');
    assert.ok(run(['compress', '-', '--store', store], withBom).stdout.equals(withBom));
    const big = readFileSync(logFile);
    const over = run(['compress', logFile, '--max-bytes', '10000', '--store', store]);
    assert.equal(over.code, 0);
    assert.ok(over.stdout.equals(big), 'an input over --max-bytes streams through unchanged');
    assert.match(over.stderr, /over 10,000 bytes/);
  });

  it('refuses binary input with what it is and writes nothing, unless --passthrough', () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(3000, 0)]);
    const file = join(folder, 'program');
    writeFileSync(file, elf);
    const refused = run(['compress', file, '--store', store]);
    assert.equal(refused.code, 5);
    assert.equal(refused.stdout.length, 0);
    assert.match(refused.stderr, /ELF executable/);
    const copied = run(['compress', file, '--passthrough', '--store', store]);
    assert.equal(copied.code, 0);
    assert.ok(copied.stdout.equals(elf));
    // Bounded even on an endless input: the first megabyte says it is binary.
    const zero = run(['compress', '/dev/zero', '--max-bytes', '1000000', '--store', store]);
    assert.equal(zero.code, 5);
    assert.match(zero.stderr, /binary data/);
    // Text that starts like a signature of printable bytes (a PE's `MZ`, bzip2's `BZh`) is text.
    for (const text of ['MZ-1234 shipped to Berlin\n', 'BZh is the prefix we use\n']) {
      const read = run(['compress', '-', '--store', store], Buffer.from(text));
      assert.equal(read.code, 0, text);
      assert.equal(read.stdout.toString(), text);
    }
    const pe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62, 0), Buffer.from('PE')]);
    assert.match(run(['compress', '-', '--store', store], pe).stderr, /Windows executable/);
  });

  it('prints selected lines of a fold with --grep, and says so when none matches', () => {
    const compressed = run(['compress', logFile, '--store', store]);
    const id = findMarkers(compressed.text)[0]!.id;
    const grepped = run(['unfold', id, '--grep', 'job', '--store', store]);
    assert.equal(grepped.code, 0);
    assert.match(grepped.text, /^\d+: /);
    const none = run(['unfold', id, '--grep', 'no such words here', '--store', store]);
    assert.equal(none.code, 4);
    assert.equal(none.text, '');
    assert.match(none.stderr, /no line of fold \d+ matches "no such words here"/);
  });

  it('exits 2 with a message for bad usage, 3 for an unknown fold', () => {
    const unknown = '0'.repeat(findMarkers(run(['compress', logFile, '--store', store]).text)[0]!.id.length);
    const missing = run(['unfold', unknown, '--store', store]);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, new RegExp(`No fold ${unknown}`));
    const reversed = run(['unfold', unknown, '--lines', '20-10', '--store', store]);
    assert.equal(reversed.code, 2);
    assert.match(reversed.stderr, /line range 20-10 is reversed: did you mean 10-20\?/);
    const badGrep = run(['unfold', unknown, '--grep', '(unclosed', '--store', store]);
    assert.equal(badGrep.code, 2);
    assert.match(badGrep.stderr, /not a valid regular expression/);
    const directory = run(['compress', folder, '--store', store]);
    assert.equal(directory.code, 2);
    assert.match(directory.stderr, /is a folder/);
    assert.equal(run(['compress', '--budget', 'lots', logFile, '--store', store]).code, 2);
    assert.equal(run(['compress', join(folder, 'missing.txt'), '--store', store]).code, 2);
    assert.equal(run(['frobnicate']).code, 2);
  });

  it('explains what a file is with detect', () => {
    const file = join(folder, 'a.json');
    writeFileSync(file, '[{"a": 1}, {"a": 2}]');
    const result = run(['detect', file]);
    assert.equal(result.code, 0);
    assert.match(result.text, /^json\t/);
  });

  it('runs the demo from an installed package, with only what the package ships', () => {
    const installed = join(folder, 'installed');
    mkdirSync(join(installed, 'cli'), { recursive: true });
    copyFileSync(join(import.meta.dirname, 'demo-dpkg.log'), join(installed, 'cli', 'demo-dpkg.log'));
    const script = `import { runDemo } from ${JSON.stringify(join(import.meta.dirname, 'demo.ts'))};
await runDemo({ storePath: ${JSON.stringify(join(folder, 'demo.sqlite'))}, root: ${JSON.stringify(installed)} });`;
    const result = spawnSync(process.execPath, ['--conditions=tokenfold-source', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /a real dpkg log/);
    assert.match(result.stdout, /--- unfold \d+/);
    assert.match(result.stdout, /npx tokenfold unfold/);
    assert.ok(!existsSync(join(installed, 'package-lock.json')));
  });
});
