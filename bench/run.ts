/*
 * tokenfold benchmark: `npm run bench` (= node --conditions=tokenfold-source bench/run.ts).
 *
 *   npm run bench                          all corpora -> bench/results.md + bench/results.json
 *   npm run bench -- --corpus logs,json    a subset (json = simdjson + octokit; also ci, fixtures, squad, agent)
 *   npm run bench -- --quick               fewer repetitions, a SQuAD sample
 *   npm run bench -- --save                also write every compressed output to bench/out/outputs/
 *   npm run bench -- --out DIR             where results go (subsets and --quick default to bench/out/)
 *
 * Reads ../shared/corpora (or $TOKENFOLD_CORPORA). For every document of every corpus it measures
 * o200k tokens before and after `compress()` (counted here, exactly), the fidelity rules of
 * bench/fidelity.ts and bench/fidelity-json.ts (what stays visible, what is one `unfold` away,
 * what is lost), the same rules on head+tail truncation given the same token count, minified JSON
 * and TOON for JSON, and speed: compress() end to end and the structural pass alone, each against
 * counting the input's tokens once, as medians after a warm-up. Progress goes to stderr, a short
 * summary to stdout. Exit codes: 0 done, 2 corpora missing or bad arguments.
 *
 * Timings depend on what else the machine is doing (the report records the load average): compare
 * ratios within one run, and absolute MB/s only between runs on the same idle machine.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, type } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Keyv from 'keyv';
import type { CorpusId } from './corpora.ts';
import {
  CORPUS_ALIASES,
  CORPUS_IDS,
  CORPUS_TITLES,
  corporaExist,
  loadAgent,
  loadCiLogs,
  loadFixtures,
  loadJson,
  loadLogs,
  loadSquad,
  resolveCorporaDir,
} from './corpora.ts';
import type { BenchReport, CorpusResults } from './report.ts';
import { pct } from './format.ts';
import { evaluateTargets, renderMarkdown, speedByCorpus } from './report.ts';
import { measureSpeed } from './speed.ts';
import type { SuiteContext } from './suites.ts';
import { runAgent, runFailures, runJson, runLogs, runSquad } from './suites.ts';

const QUICK_SQUAD_PARAGRAPHS = 120;

async function main(): Promise<number> {
  const started = performance.now();
  const loadAverage = loadavg()[0] ?? 0;
  const repoRoot = resolve(import.meta.dirname, '..');
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        corpus: { type: 'string' },
        quick: { type: 'boolean', default: false },
        save: { type: 'boolean', default: false },
        reps: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`usage: npm run bench -- [--corpus ${[...CORPUS_IDS, ...Object.keys(CORPUS_ALIASES)].join('|')}[,...]] [--quick] [--save] [--reps N] [--out DIR]\n`);
    return 0;
  }
  const selected = selectCorpora(values.corpus);
  if (typeof selected === 'string') {
    process.stderr.write(`bench: ${selected}\n`);
    return 2;
  }
  const corporaDir = resolveCorporaDir(repoRoot);
  if (!corporaExist(corporaDir)) {
    process.stderr.write(
      `bench: no corpora at ${corporaDir}\n` +
        'Put the shared corpora at ../shared/corpora (next to the repository) or set TOKENFOLD_CORPORA to their folder.\n',
    );
    return 2;
  }
  const quick = values.quick;
  const reps = values.reps ? Math.max(1, Number.parseInt(values.reps, 10) || 1) : quick ? 2 : 5;
  const partial = quick || selected.length < CORPUS_IDS.length;
  const outDir = resolve(values.out ?? (partial ? join(repoRoot, 'bench', 'out') : join(repoRoot, 'bench')));
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const context: SuiteContext = {
    store: new Keyv(),
    progress,
    ...(values.save ? { saveDir: join(repoRoot, 'bench', 'out', 'outputs') } : {}),
  };
  progress(`bench: corpora ${corporaDir}; ${selected.join(', ')}; ${reps} repetitions${quick ? ' (quick)' : ''}`);

  const corpora: CorpusResults = {};
  for (const corpus of selected) {
    const corpusStarted = performance.now();
    if (corpus === 'logs') {
      const { files, speed } = await runLogs(loadLogs(corporaDir), context);
      progress('logs: timing');
      const timings = await measureSpeed(speed, reps);
      corpora.logs = { files: files.map((file, index) => ({ ...file, speed: timings[index]! })) };
    } else if (corpus === 'ci' || corpus === 'fixtures') {
      const documents = corpus === 'ci' ? loadCiLogs(corporaDir) : loadFixtures(repoRoot);
      const { files, speed } = await runFailures(documents, corpus, context);
      progress(`${corpus}: timing`);
      const timings = await measureSpeed(speed, reps);
      corpora[corpus] = { files: files.map((file, index) => ({ ...file, speed: timings[index]! })) };
    } else if (corpus === 'simdjson' || corpus === 'octokit') {
      const { files, speed } = await runJson(loadJson(corporaDir, corpus), corpus, context);
      progress(`${corpus}: timing`);
      const timings = await measureSpeed(speed, reps);
      corpora[corpus] = { files: files.map((file, index) => ({ ...file, speed: timings[index]! })) };
    } else if (corpus === 'squad') {
      const paragraphs = loadSquad(corporaDir);
      const sample = quick ? paragraphs.slice(0, QUICK_SQUAD_PARAGRAPHS) : paragraphs;
      const { configs, speed } = await runSquad(sample, context);
      progress('squad: timing');
      corpora.squad = { paragraphs: sample.length, configs, speed: await measureSpeed(speed, reps) };
    } else {
      const { files, speed } = await runAgent(loadAgent(corporaDir), context);
      progress('agent: timing');
      const timings = await measureSpeed(speed, reps);
      let next = 0;
      corpora.agent = { files: files.map((file) => ({ ...file, speed: timings.slice(next, (next += file.observations)) })) };
    }
    progress(`${corpus}: done in ${((performance.now() - corpusStarted) / 1000).toFixed(1)} s`);
  }

  const speed = speedByCorpus(corpora);
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, os: `${type()} ${release()}`, node: process.version, loadAverage },
    tokenizer: 'o200k_base',
    options: { corpora: selected, quick, reps },
    durationSeconds: (performance.now() - started) / 1000,
    speed,
    targets: evaluateTargets(corpora, speed),
    corpora,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, 'results.md'), `${renderMarkdown(report)}\n${reliabilitySection()}`);
  printSummary(report, relative(process.cwd(), outDir) || '.');
  return 0;
}

/**
 * The reliability results, which bench/reliability.ts writes on its own (it needs redis-server
 * and takes a minute and a half), as the last section of results.md.
 */
function reliabilitySection(): string {
  const file = join(import.meta.dirname, 'reliability-results.md');
  if (!existsSync(file)) return '';
  const body = readFileSync(file, 'utf8')
    .replace(/^# .*\n/, '')
    .replace(/^## /gm, '### ');
  return `\n## Reliability (\`node --conditions=tokenfold-source bench/reliability.ts\`, run separately)\n${body}`;
}

function selectCorpora(option: string | undefined): CorpusId[] | string {
  if (!option) return [...CORPUS_IDS];
  const chosen = new Set<CorpusId>();
  for (const name of option.split(',').map((part) => part.trim().toLowerCase()).filter(Boolean)) {
    const ids = (CORPUS_IDS as readonly string[]).includes(name) ? [name as CorpusId] : CORPUS_ALIASES[name];
    if (!ids) return `unknown corpus "${name}"; choose from ${[...CORPUS_IDS, ...Object.keys(CORPUS_ALIASES)].join(', ')}`;
    for (const id of ids) chosen.add(id);
  }
  return CORPUS_IDS.filter((id) => chosen.has(id));
}

function printSummary(report: BenchReport, outDir: string): void {
  const lines = [`tokenfold bench (${report.durationSeconds.toFixed(0)} s, ${report.machine.cpu}, Node ${report.machine.node})`];
  for (const [corpus, summary] of Object.entries(report.speed)) {
    if (!summary || corpus === 'overall') continue;
    lines.push(
      `  ${CORPUS_TITLES[corpus as CorpusId].padEnd(24)} ${String(summary.docs).padStart(4)} docs  compress ${summary.compressMBps.toFixed(1)} MB/s (${summary.compressToCount.toFixed(2)}x count)  structural ${summary.structuralMBps.toFixed(1)} MB/s`,
    );
  }
  lines.push('targets:');
  for (const target of report.targets) {
    lines.push(`  [${target.met === null ? ' - ' : target.met ? 'met' : ' x '}] ${target.name}: ${target.value}`);
  }
  const logs = report.corpora.logs?.files;
  if (logs) {
    const before = logs.reduce((total, file) => total + file.tokensBefore, 0);
    const after = logs.reduce((total, file) => total + file.tokenfold.tokens, 0);
    lines.push(`logs: ${before} -> ${after} tokens (${pct(1 - after / before)} aggregate)`);
  }
  lines.push(`wrote ${join(outDir, 'results.md')} and ${join(outDir, 'results.json')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

process.exitCode = await main();
