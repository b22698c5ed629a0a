/*
 * `tokenfold-run` (the sh front, bin/tokenfold-run) and `tokenfold run` (Node) against the raw
 * command, on real commands run here and on the project's own failing-build fixtures
 * (test/fixtures/failures, when they exist):
 *   - tokens before and after (o200k, exact) per command, and whether both wrappers print the same;
 *   - the wall and CPU time each wrapper adds on small outputs (the command itself not counted):
 *     each round runs the raw command and a wrapped one back to back, and the difference is kept;
 *   - the time each takes on a large output, which both hand to Node to compress;
 *   - failure lines visible in tokenfold's output against head+tail truncation at the same size.
 *
 *   node --conditions=tokenfold-source bench/run-wrapper.ts [--rounds 20]
 *
 * Writes bench/run-wrapper-results.md. Both wrappers run Node from dist/ when `npm run build` has
 * made it (as users run it), else from the sources (slower to start: type stripping). The sh
 * front finds Node on PATH: this Node goes first there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { o200kCounter } from '../core/index.ts';
import { writeOutput } from '../cli/run.ts';
import { headTailTruncate } from './baselines.ts';
import { fixturesDir, loadFixtures } from './corpora.ts';
import { reasonLines } from './fidelity-ci.ts';
import { percentile } from './speed.ts';

const root = join(import.meta.dirname, '..');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 20;
const folder = mkdtempSync(join(tmpdir(), 'tokenfold-run-bench-'));
const store = join(folder, 'folds.sqlite');
const built = join(root, 'dist', 'cli', 'index.js');
const node = [process.execPath, ...(existsSync(built) ? [built] : ['--conditions=tokenfold-source', join(root, 'cli', 'index.ts')])];
const front = join(root, 'bin', 'tokenfold-run');
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
const WRAPPERS = [
  { name: '`tokenfold-run`', words: (command: string[]) => [front, '--store', store, '--', ...command] },
  { name: '`tokenfold run`', words: (command: string[]) => [...node, 'run', '--store', store, '--', ...command] },
];

// Real commands with long output, run in this repository.
const LONG_COMMANDS: string[][] = [
  ['git', 'log', '--stat', '-n', '150'],
  ['git', 'log', '-p', '-n', '3', '--', 'core'],
  ['npm', 'ls', '--all'],
  ['find', 'node_modules/@langchain', '-name', '*.d.ts'],
  ['grep', '-rn', 'export function', 'core', 'adapters', 'cli'],
  ['ls', '-la', '/usr/lib/x86_64-linux-gnu'],
  ['dpkg', '-l'],
  [process.execPath, '--test', '--test-reporter=spec', 'cli/hook.test.ts'],
];
// Small outputs (under run's 2 KiB): the wrapper must add little to these.
const SMALL_COMMANDS: string[][] = [['true'], ['echo', 'hello'], ['git', 'rev-parse', 'HEAD'], ['ls', 'core']];

try {
  const sections = [
    '# `tokenfold-run` and `tokenfold run` against the raw command',
    '',
    `${new Date().toISOString().slice(0, 10)}, Node ${process.versions.node}, Node side from ${existsSync(built) ? 'dist/' : 'the sources'} (\`tokenfold-run\` finds it there too); ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(2)} at the start; times are medians of paired differences. Tokens are o200k, exact.`,
    '',
    ...(await tokensTable()),
    '',
    ...overheadTable(),
    '',
    ...largeTable(),
    '',
    ...(await failureTable()),
  ];
  writeFileSync(join(root, 'bench', 'run-wrapper-results.md'), `${sections.join('\n')}\n`);
  console.log(sections.join('\n'));
} finally {
  rmSync(folder, { recursive: true, force: true });
}

async function tokensTable(): Promise<string[]> {
  const rows = ['## Tokens, real commands run here', '', '| command | lines | tokens raw | tokens through `tokenfold-run` | saved | exit code kept | same output as `tokenfold run` |', '| --- | ---: | ---: | ---: | ---: | --- | --- |'];
  for (const words of LONG_COMMANDS) {
    const raw = spawnSync(words[0]!, words.slice(1), { cwd: root, maxBuffer: 256 << 20 });
    const [viaFront, viaNode] = WRAPPERS.map((wrapper) => {
      const [file, ...args] = wrapper.words(words);
      return spawnSync(file!, args, { cwd: root, env, maxBuffer: 256 << 20 });
    });
    const rawText = Buffer.concat([raw.stdout, raw.stderr]).toString('utf8');
    const before = o200kCounter.count(rawText);
    const after = o200kCounter.count(viaFront!.stdout.toString('utf8'));
    const name = words.map((word) => (word === process.execPath ? 'node' : word)).join(' ');
    const kept = viaFront!.status === raw.status ? 'yes' : `**no** (${raw.status} → ${viaFront!.status})`;
    let same = viaFront!.stdout.equals(viaNode!.stdout) && viaFront!.status === viaNode!.status ? 'yes' : '**no**';
    if (same !== 'yes') {
      // A command that prints something else each time (durations, dates) cannot match.
      const again = spawnSync(words[0]!, words.slice(1), { cwd: root, maxBuffer: 256 << 20 });
      if (!Buffer.concat([again.stdout, again.stderr]).equals(Buffer.concat([raw.stdout, raw.stderr]))) same = 'n/a: the raw output differs between runs';
    }
    rows.push(`| \`${name}\` | ${rawText.split('\n').length - 1} | ${before.toLocaleString('en-US')} | ${after.toLocaleString('en-US')} | ${percent(1 - after / before)} | ${kept} | ${same} |`);
  }
  return rows;
}

function overheadTable(): string[] {
  const rows = [
    '## Added time on small outputs (the command itself not counted)',
    '',
    `Each of ${rounds} rounds runs, per command, the raw command then \`tokenfold-run -- <command>\`, and the raw command then \`tokenfold run -- <command>\`; the table gives the median and the 95th percentile of each difference, in wall time and in CPU time (user + system, from \`/usr/bin/time\`, which a loaded machine disturbs less; it counts in steps of 10 ms). Target: under 30 ms of wall time at the median.`,
    '',
    '| command | wrapper | raw p50 | added wall p50 | added wall p95 | added CPU p50 | added CPU p95 |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  const all = WRAPPERS.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  const perCommand: string[][] = WRAPPERS.map(() => []);
  for (const words of SMALL_COMMANDS) {
    const raw: number[] = [];
    const added = WRAPPERS.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
    for (let round = 0; round < rounds; round++) {
      WRAPPERS.forEach((wrapper, index) => {
        const rawTime = measured(words);
        const wrappedTime = measured(wrapper.words(words));
        raw.push(rawTime.wall);
        added[index]!.wall.push(wrappedTime.wall - rawTime.wall);
        added[index]!.cpu.push(wrappedTime.cpu - rawTime.cpu);
      });
    }
    WRAPPERS.forEach((wrapper, index) => {
      all[index]!.wall.push(...added[index]!.wall);
      all[index]!.cpu.push(...added[index]!.cpu);
      const [wall, cpu] = [sorted(added[index]!.wall), sorted(added[index]!.cpu)];
      perCommand[index]!.push(`| \`${words.join(' ')}\` | ${wrapper.name} | ${ms(percentile(sorted(raw), 0.5))} | ${ms(percentile(wall, 0.5))} | ${ms(percentile(wall, 0.95))} | ${ms(percentile(cpu, 0.5))} | ${ms(percentile(cpu, 0.95))} |`);
    });
  }
  WRAPPERS.forEach((wrapper, index) => {
    const [wall, cpu] = [sorted(all[index]!.wall), sorted(all[index]!.cpu)];
    rows.push(...perCommand[index]!, `| all | ${wrapper.name} | | **${ms(percentile(wall, 0.5))}** | **${ms(percentile(wall, 0.95))}** | **${ms(percentile(cpu, 0.5))}** | **${ms(percentile(cpu, 0.95))}** |`);
  });
  const nodeStart = Array.from({ length: rounds }, () => measured([process.execPath, '-e', '']));
  rows.push('', `For scale: starting Node itself (\`node -e ''\`) takes ${ms(percentile(sorted(nodeStart.map((time) => time.wall)), 0.5))} of wall time and ${ms(percentile(sorted(nodeStart.map((time) => time.cpu)), 0.5))} of CPU time at the median here; \`uptime\` said: ${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}.`);
  return rows;
}

// On a large output both wrappers run Node to compress; the sh front adds its own few processes.
function largeTable(): string[] {
  const words = LONG_COMMANDS[0]!;
  const rows = [
    '## A large output',
    '',
    `\`${words.join(' ')}\` through each wrapper, ${Math.ceil(rounds / 2)} rounds in turn (wall time of the whole, command included):`,
    '',
    '| wrapper | wall p50 | wall p95 |',
    '| --- | ---: | ---: |',
  ];
  const times = WRAPPERS.map(() => [] as number[]);
  for (let round = 0; round < Math.ceil(rounds / 2); round++) WRAPPERS.forEach((wrapper, index) => times[index]!.push(measured(wrapper.words(words)).wall));
  WRAPPERS.forEach((wrapper, index) => rows.push(`| ${wrapper.name} | ${ms(percentile(sorted(times[index]!), 0.5))} | ${ms(percentile(sorted(times[index]!), 0.95))} |`));
  return rows;
}

async function failureTable(): Promise<string[]> {
  const header = ['## Failure lines kept, the project\'s failing-build fixtures', ''];
  if (!existsSync(join(fixturesDir(root), 'labels.json'))) return [...header, 'No fixtures yet (test/fixtures/failures/labels.json is missing).'];
  const labels = JSON.parse(readFileSync(join(fixturesDir(root), 'labels.json'), 'utf8')) as Array<{ file: string; command: string }>;
  const commands = new Map(labels.map((label) => [label.file, label.command]));
  const rows = [...header, 'Through `writeOutput`, the compression that both wrappers run.', '', '| fixture | tokens raw | tokenfold run | failure lines | visible, tokenfold | visible, head+tail at the same size |', '| --- | ---: | ---: | ---: | ---: | ---: |'];
  let lines = 0;
  let keptByTokenfold = 0;
  let keptByTruncation = 0;
  for (const fixture of loadFixtures(root)) {
    const words = (commands.get(fixture.id) ?? 'cat').split(/\s+/);
    const chunks: Buffer[] = [];
    const write = (chunk: Uint8Array | string) => void chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    await writeOutput(Buffer.from(fixture.text, 'utf8'), words, { minBytes: 2048, maxBytes: 32 << 20, store }, { write, stdin: 'ignore', interactive: false, unfoldHint: '' });
    const compressed = Buffer.concat(chunks).toString('utf8');
    const before = o200kCounter.count(fixture.text);
    const after = o200kCounter.count(compressed);
    const truncated = headTailTruncate(fixture.text, after, (text, limit) => o200kCounter.countUpTo!(text, limit));
    const wanted = reasonLines(fixture.reason);
    const visible = (text: string) => {
      const shown = new Set(text.split('\n').map((line) => line.replaceAll('\r', '').trim()));
      return wanted.filter((line) => shown.has(line) || text.includes(line)).length;
    };
    const byTokenfold = visible(compressed);
    const byTruncation = visible(truncated);
    lines += wanted.length;
    keptByTokenfold += byTokenfold;
    keptByTruncation += byTruncation;
    rows.push(`| ${fixture.id} | ${before.toLocaleString('en-US')} | ${after.toLocaleString('en-US')} | ${wanted.length} | ${byTokenfold} | ${byTruncation} |`);
  }
  rows.push(`| **all** | | | ${lines} | **${percent(keptByTokenfold / lines)}** | ${percent(keptByTruncation / lines)} |`);
  return rows;
}

// Wall time from here; CPU time (the process and its children) from /usr/bin/time.
function measured(words: readonly string[]): { wall: number; cpu: number } {
  const report = join(folder, 'time.txt');
  rmSync(report, { force: true });
  const start = process.hrtime.bigint();
  const { status } = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', report, ...words], { cwd: root, env, stdio: 'ignore' });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  // No report, no figure: a CPU time of 0 would read as measured.
  if (status === null || !existsSync(report)) throw new Error(`/usr/bin/time did not report on ${words.join(' ')} (is GNU time installed?)`);
  const [user = 0, system = 0] = readFileSync(report, 'utf8').trim().split(/\s+/).map(Number);
  return { wall, cpu: (user + system) * 1000 };
}

function sorted(values: number[]): number[] {
  return [...values].sort((left, right) => left - right);
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}
