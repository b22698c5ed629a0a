/*
 * Turns the suites' raw results into bench/results.json (everything, per file) and
 * bench/results.md (summary per corpus against the baselines, the targets, a per-file appendix).
 * Reductions are `1 - after / before` in o200k tokens; "median" is over documents.
 */
import type { CorpusId } from './corpora.ts';
import { CORPUS_TITLES } from './corpora.ts';
import type { Tally } from './fidelity.ts';
import type { LogScore } from './fidelity-logs.ts';
import { mergeTallies } from './fidelity.ts';
import type { JsonScore } from './fidelity-json.ts';
import { int, kindCell, ms, pct, ratio, share, speedLine } from './format.ts';
import type { DocSpeed, SpeedSummary } from './speed.ts';
import { median, summarizeSpeed } from './speed.ts';
import type { AgentFileResult, JsonFileResult, LogFileResult, SquadConfigResult } from './suites.ts';
import type { TimedFailureFile } from './report-ci.ts';
import { failureAppendix, failureSection, failureTargets } from './report-ci.ts';
import { reduction } from './suites.ts';

/** Where the run happened, for the report's first line. */
export interface Machine {
  cpu: string;
  cores: number;
  os: string;
  node: string;
  /** 1-minute load average when the run started: other work on the machine skews the timings. */
  loadAverage: number;
}

/** Raw per-file results of the corpora that ran, with their timings. */
export interface CorpusResults {
  logs?: { files: Array<LogFileResult & { speed: DocSpeed }> };
  ci?: { files: TimedFailureFile[] };
  fixtures?: { files: TimedFailureFile[] };
  simdjson?: { files: Array<JsonFileResult & { speed: DocSpeed }> };
  octokit?: { files: Array<JsonFileResult & { speed: DocSpeed }> };
  squad?: { paragraphs: number; configs: SquadConfigResult[]; speed: DocSpeed[] };
  agent?: { files: Array<AgentFileResult & { speed: DocSpeed[] }> };
}

/** One line of the targets table. */
export interface Target {
  name: string;
  value: string;
  /** null when the corpus it needs was not run. */
  met: boolean | null;
}

/** Everything bench/results.json holds. */
export interface BenchReport {
  date: string;
  machine: Machine;
  tokenizer: 'o200k_base';
  options: { corpora: CorpusId[]; quick: boolean; reps: number };
  durationSeconds: number;
  speed: Partial<Record<CorpusId | 'overall', SpeedSummary>>;
  targets: Target[];
  corpora: CorpusResults;
}

/** Speed summaries per corpus and over all documents. */
export function speedByCorpus(corpora: CorpusResults): BenchReport['speed'] {
  const perCorpus: Partial<Record<CorpusId, DocSpeed[]>> = {
    ...(corpora.logs ? { logs: corpora.logs.files.map((file) => file.speed) } : {}),
    ...(corpora.ci ? { ci: corpora.ci.files.map((file) => file.speed) } : {}),
    ...(corpora.fixtures ? { fixtures: corpora.fixtures.files.map((file) => file.speed) } : {}),
    ...(corpora.simdjson ? { simdjson: corpora.simdjson.files.map((file) => file.speed) } : {}),
    ...(corpora.octokit ? { octokit: corpora.octokit.files.map((file) => file.speed) } : {}),
    ...(corpora.squad ? { squad: corpora.squad.speed } : {}),
    ...(corpora.agent ? { agent: corpora.agent.files.flatMap((file) => file.speed) } : {}),
  };
  const speed: BenchReport['speed'] = {};
  for (const [corpus, docs] of Object.entries(perCorpus)) speed[corpus as CorpusId] = summarizeSpeed(docs);
  speed.overall = summarizeSpeed(Object.values(perCorpus).flat());
  return speed;
}

const reductionOf = (file: { tokensBefore: number }, tokens: number) => reduction(file.tokensBefore, tokens);
const jsonFiles = (corpora: CorpusResults) => [...(corpora.simdjson?.files ?? []), ...(corpora.octokit?.files ?? [])];

/** The issue's targets, each marked met / not met / not run. */
export function evaluateTargets(corpora: CorpusResults, speed: BenchReport['speed']): Target[] {
  const targets: Target[] = [];
  const logs = corpora.logs?.files;
  const logReduction = logs ? median(logs.map((file) => reductionOf(file, file.tokenfold.tokens))) : 0;
  targets.push({ name: 'Median token reduction on logs >= 70%', value: logs ? pct(logReduction) : 'not run', met: logs ? logReduction >= 0.7 : null });
  const arrays = jsonFiles(corpora).filter((file) => file.arrayShaped);
  const arrayReduction = median(arrays.map((file) => reductionOf(file, file.tokenfold.tokens)));
  targets.push({
    name: 'Median token reduction on JSON arrays >= 70%',
    value: arrays.length ? `${pct(arrayReduction)} (${arrays.length} array-shaped files)` : 'not run',
    met: arrays.length ? arrayReduction >= 0.7 : null,
  });
  const alerts = logs?.reduce((sum, file) => [sum[0]! + file.tokenfold.score.alertVisible, sum[1]! + file.tokenfold.score.alertLines], [0, 0]);
  targets.push({
    name: '100% of log error/warn (and BGL alert) lines visible',
    value: alerts ? `${alerts[0]}/${alerts[1]} (${pct(alerts[0]! / alerts[1]!)})` : 'not run',
    met: alerts ? alerts[0] === alerts[1] : null,
  });
  const rare = jsonFiles(corpora).length ? mergeTallies(jsonFiles(corpora).map((file) => file.tokenfold.score.rare)) : undefined;
  targets.push({
    name: '100% of rare JSON records visible',
    value: rare ? `${rare.visible}/${rare.total} (${pct(rare.visible / rare.total)})` : 'not run',
    met: rare ? rare.visible === rare.total : null,
  });
  const squad = corpora.squad?.configs.find((config) => config.withQuery && config.targetReduction === 0.5);
  targets.push({
    name: 'SQuAD answers kept >= 95% at 50% reduction with the question as query (achieved median reduction >= 45%)',
    value: squad ? `${pct(squad.kept.tokenfold / squad.questions)} kept at ${pct(squad.medianReduction)} achieved reduction` : 'not run',
    met: squad ? squad.kept.tokenfold / squad.questions >= 0.95 && squad.medianReduction >= 0.45 : null,
  });
  targets.push(...failureTargets(corpora.ci?.files, corpora.fixtures?.files, speed.ci));
  targets.push(...agentTargets(corpora.agent?.files));
  const overall = speed.overall;
  targets.push({
    name: 'compress() end to end <= 1x the time of counting the input tokens once',
    value: overall?.docs ? `${overall.compressToCount.toFixed(2)}x` : 'not run',
    met: overall?.docs ? overall.compressToCount <= 1 : null,
  });
  targets.push({
    name: 'Structural pass (detect + compressor) >= 50 MB/s on one core',
    value: overall?.docs ? `${overall.structuralMBps.toFixed(1)} MB/s` : 'not run',
    met: overall?.docs ? overall.structuralMBps >= 50 : null,
  });
  return targets;
}

// Issue 10's SWE-agent targets: few observations routed as prose, and what later steps use
// stays visible or one unfold away (both numbers reported).
function agentTargets(files: AgentFileResult[] | undefined): Target[] {
  const observations = files?.reduce((total, file) => total + file.observations, 0) ?? 0;
  const text = files?.reduce((total, file) => total + (file.tokenfold.kinds.text ?? 0), 0) ?? 0;
  const references = files ? mergeTallies(files.flatMap((file) => Object.values(file.tokenfold.references))) : undefined;
  return [
    {
      name: 'SWE-agent: fewer than 20% of observations routed as `text`',
      value: files ? ratio(text, observations) : 'not run',
      met: files ? text / observations < 0.2 : null,
    },
    {
      name: 'SWE-agent: paths, line numbers and error lines that later actions use stay visible or one unfold away',
      value: references
        ? `${pct(share(references.visible, references.total))} visible, ${pct(share(references.visible + references.folded, references.total))} +unfold (${references.missing} of ${references.total} missing)`
        : 'not run',
      met: references ? references.missing === 0 : null,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** bench/results.md: targets, a summary per corpus against the baselines, speed, per-file appendix. */
export function renderMarkdown(report: BenchReport): string {
  const { corpora, machine } = report;
  const out: string[] = [];
  out.push('# tokenfold benchmark', '');
  out.push(
    `Run ${report.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} on ${machine.cpu} (${machine.cores} cores, load average ${machine.loadAverage.toFixed(2)} at start), ${machine.os}, Node ${machine.node}, ` +
      `in ${report.durationSeconds.toFixed(0)} s${report.options.quick ? ' (--quick)' : ''}. ` +
      `Produced by \`npm run bench\` (bench/run.ts); rules in bench/fidelity.ts, bench/fidelity-logs.ts, bench/fidelity-ci.ts and bench/fidelity-json.ts.`,
    '',
    'Tokens are o200k_base, counted exactly by the bench (gpt-tokenizer). Reduction is 1 - after/before; medians are over documents. ' +
      '"Visible" means in the text the model reads; "+unfold" adds what one `unfold` of a marker in that text returns. ' +
      'Head+tail truncation gets the same number of tokens as tokenfold produced for each document.',
    '',
  );

  out.push('## Targets', '', '| target | value | met |', '|---|---|---|');
  for (const target of report.targets) out.push(`| ${target.name} | ${target.value} | ${target.met === null ? 'not run' : target.met ? 'met' : 'NOT met'} |`);
  out.push('');

  if (corpora.logs) out.push(...logsSection(corpora.logs.files, report.speed.logs!));
  if (corpora.ci) out.push(...failureSection('ci', corpora.ci.files, report.speed.ci!));
  if (corpora.fixtures) out.push(...failureSection('fixtures', corpora.fixtures.files, report.speed.fixtures!));
  for (const collection of ['simdjson', 'octokit'] as const) {
    const files = corpora[collection]?.files;
    if (files) out.push(...jsonSection(collection, files, report.speed[collection]!));
  }
  if (corpora.squad) out.push(...squadSection(corpora.squad, report.speed.squad!));
  if (corpora.agent) out.push(...agentSection(corpora.agent.files, report.speed.agent!));
  out.push(...markerSection(corpora));
  out.push(...speedSection(report.speed));
  out.push(...appendix(corpora));
  return out.join('\n');
}

function logsSection(files: LogFileResult[], speed: SpeedSummary): string[] {
  const sum = (pick: (score: LogScore) => number, method: 'tokenfold' | 'truncation') =>
    files.reduce((total, file) => total + pick(file[method].score), 0);
  const lines = files.reduce((total, file) => total + file.tokenfold.score.inputLines, 0);
  const row = (label: string, method: 'tokenfold' | 'truncation') => {
    const tokens = files.reduce((total, file) => total + file[method].tokens, 0);
    const claims = files.reduce((total, file) => [total[0]! + file[method].score.counts.consistent, total[1]! + file[method].score.counts.checked, total[2]! + file[method].score.counts.mismatched], [0, 0, 0]);
    return `| ${label} | ${int(tokens)} | ${pct(median(files.map((file) => reductionOf(file, file[method].tokens))))} | ${ratio(sum((s) => s.alertVisible, method), sum((s) => s.alertLines, method))} | ${ratio(sum((s) => s.eventsWithExample, method), sum((s) => s.events, method))} | ${ratio(sum((s) => s.coveredLines, method), lines)} | ${files.filter((file) => file[method].score.balanced).length}/${files.length} | ${claims[1] ? `${claims[0]}/${claims[1]} (${claims[2]} wrong)` : '—'} |`;
  };
  return [
    `## ${CORPUS_TITLES.logs} (${files.length} files, ${int(lines)} lines)`,
    '',
    '| method | tokens | median reduction | error/warn/alert lines visible | EventIds with a visible example | lines covered (visible + folded) | files balanced | count claims consistent |',
    '|---|---|---|---|---|---|---|---|',
    `| input | ${int(files.reduce((total, file) => total + file.tokensBefore, 0))} | — | | | | | |`,
    row('tokenfold', 'tokenfold'),
    row('head+tail truncation', 'truncation'),
    '',
    speedLine(speed),
    '',
  ];
}

function jsonSection(collection: 'simdjson' | 'octokit', files: JsonFileResult[], speed: SpeedSummary): string[] {
  const methods = [
    ['tokenfold', 'tokenfold'],
    ['head+tail truncation', 'truncation'],
    ['minified JSON (lossless)', 'minified'],
    ['TOON (lossless*)', 'toon'],
  ] as const;
  const arrays = files.filter((file) => file.arrayShaped);
  const out = [
    `## ${CORPUS_TITLES[collection]} (${files.length} files, ${arrays.length} array-shaped)`,
    '',
    '| method | tokens | median reduction | median reduction, array-shaped | rare records visible | minority records visible | key paths visible | values visible | values visible +unfold |',
    '|---|---|---|---|---|---|---|---|---|',
    `| input | ${int(files.reduce((total, file) => total + file.tokensBefore, 0))} | — | — | | | | | |`,
  ];
  for (const [label, method] of methods) {
    const measured = files.filter((file) => file[method] !== undefined);
    const tally = (pick: (score: JsonScore) => Tally) => mergeTallies(measured.map((file) => pick(file[method]!.score)));
    const rare = tally((score) => score.rare);
    const minority = tally((score) => score.minority);
    const keys = tally((score) => score.keyPaths);
    const values = tally((score) => score.values);
    const note = measured.length < files.length ? ` (${measured.length} files)` : '';
    out.push(
      `| ${label}${note} | ${int(measured.reduce((total, file) => total + file[method]!.tokens, 0))} | ${pct(median(measured.map((file) => reductionOf(file, file[method]!.tokens))))} | ${arrays.length ? pct(median(arrays.filter((file) => file[method]).map((file) => reductionOf(file, file[method]!.tokens)))) : '—'} | ${ratio(rare.visible, rare.total)} | ${ratio(minority.visible, minority.total)} | ${ratio(keys.visible, keys.total)} | ${ratio(values.visible, values.total)} | ${ratio(values.visible + values.folded, values.total)} |`,
    );
  }
  out.push(
    '',
    '\\* TOON is encoded from `JSON.parse` output, so integers above 2^53 come out rounded (twitter ids); the values column ' +
      'misses this where the same digits survive elsewhere, e.g. in an `id_str` twin.',
    '',
  );
  if (collection === 'octokit') {
    out.push('| needle (distinct) | count | tokenfold visible | tokenfold visible +unfold | truncation visible |', '|---|---|---|---|---|');
    const names = { status: 'status codes', errors: 'error messages', ids: 'ids', urls: 'URLs', pagination: 'pagination links' } as const;
    for (const [category, name] of Object.entries(names) as Array<[keyof typeof names, string]>) {
      const mine = mergeTallies(files.map((file) => file.tokenfold.score.octokit![category]));
      const theirs = mergeTallies(files.map((file) => file.truncation.score.octokit![category]));
      out.push(`| ${name} | ${int(mine.total)} | ${ratio(mine.visible, mine.total)} | ${ratio(mine.visible + mine.folded, mine.total)} | ${ratio(theirs.visible, theirs.total)} |`);
    }
    out.push('');
  }
  out.push(speedLine(speed), '');
  return out;
}

function squadSection(squad: NonNullable<CorpusResults['squad']>, speed: SpeedSummary): string[] {
  const out = [
    `## ${CORPUS_TITLES.squad} (${squad.paragraphs} paragraphs)`,
    '',
    'Each paragraph compressed with `{ kind: "text", budget: round(tokens × (1 - target)), minTokens: 0 }`, with each answerable question as the query or with none.',
    '',
    '| query | target reduction | achieved median reduction | aggregate reduction | passed through | answers kept: tokenfold | head+tail, same tokens | head+tail, target budget |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const config of squad.configs) {
    out.push(
      `| ${config.withQuery ? 'question' : 'none'} | ${pct(config.targetReduction)} | ${pct(config.medianReduction)} | ${pct(reduction(config.tokensBefore, config.tokensAfter))} | ${int(config.passThrough)}/${int(config.docs)} | ${ratio(config.kept.tokenfold, config.questions)} | ${ratio(config.kept.truncation, config.questions)} | ${ratio(config.kept.truncationAtTarget, config.questions)} |`,
    );
  }
  return [...out, '', speedLine(speed, 'paragraph (no query, 50% target)'), ''];
}

function agentSection(files: AgentFileResult[], speed: SpeedSummary): string[] {
  const observations = files.reduce((total, file) => total + file.observations, 0);
  const compressed = files.reduce((total, file) => total + file.compressed, 0);
  const kinds = new Map<string, number>();
  for (const file of files) for (const [kind, n] of Object.entries(file.tokenfold.kinds)) kinds.set(kind, (kinds.get(kind) ?? 0) + n);
  const references = (method: 'tokenfold' | 'truncation', kind: 'path' | 'line' | 'error') =>
    mergeTallies(files.map((file) => file[method].references[kind]));
  const before = files.reduce((total, file) => total + file.tokensBefore, 0);
  const row = (label: string, method: 'tokenfold' | 'truncation') => {
    const tokens = files.reduce((total, file) => total + file[method].tokens, 0);
    const cells = (['path', 'line', 'error'] as const).map((kind) => {
      const tally = references(method, kind);
      return method === 'tokenfold' ? `${ratio(tally.visible, tally.total)}; +unfold ${pct(tally.total ? (tally.visible + tally.folded) / tally.total : 1)}` : ratio(tally.visible, tally.total);
    });
    return `| ${label} | ${int(tokens)} | ${pct(reduction(before, tokens))} | ${cells.join(' | ')} |`;
  };
  return [
    `## ${CORPUS_TITLES.agent} (${files.length} trajectories, ${observations} observations)`,
    '',
    `Each observation compressed as a tool output with the task as the query (defaults otherwise: under 200 tokens passes through). ` +
      `${compressed} of ${observations} were compressed; median reduction per observation ${pct(median(files.flatMap((file) => file.reductions)))}, ` +
      `per compressed observation ${pct(median(files.flatMap((file) => file.reductions.filter((value) => value > 0))))}. ` +
      `Kinds detected: ${[...kinds.entries()].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${kind} ${n}`).join(', ')}.`,
    '',
    '| method | tokens | aggregate reduction | paths referred to later | line numbers referred to later | error lines referred to later |',
    '|---|---|---|---|---|---|',
    `| input | ${int(before)} | — | | | |`,
    row('tokenfold', 'tokenfold'),
    row('head+tail truncation', 'truncation'),
    '',
    speedLine(speed, 'observation'),
    '',
  ];
}

// What share of what the model reads is `[[fold …]]` bookkeeping, per corpus that records it.
function markerSection(corpora: CorpusResults): string[] {
  const rows: Array<[string, Array<{ tokenfold: { tokens: number; markerTokens: number; folds?: number } }>]> = [];
  for (const corpus of ['logs', 'ci', 'fixtures', 'simdjson', 'octokit', 'agent'] as const) {
    const files = corpora[corpus]?.files;
    if (files) rows.push([CORPUS_TITLES[corpus], files]);
  }
  if (rows.length === 0) return [];
  const out = [
    '## Folds: marker share of output tokens',
    '',
    'Tokens of the `[[fold …]]` markers (each counted on its own) over the o200k tokens of tokenfold\'s output.',
    '',
    '| corpus | output tokens | marker tokens | marker share |',
    '|---|---|---|---|',
  ];
  for (const [title, files] of rows) {
    const output = files.reduce((total, file) => total + file.tokenfold.tokens, 0);
    const markers = files.reduce((total, file) => total + file.tokenfold.markerTokens, 0);
    out.push(`| ${title} | ${int(output)} | ${int(markers)} | ${pct(output ? markers / output : 0)} |`);
  }
  return [...out, ''];
}

function speedSection(speed: BenchReport['speed']): string[] {
  const out = [
    '## Speed',
    '',
    'Medians of repeated runs after a warm-up, one core. "count" is o200k counting of the input once with gpt-tokenizer; ' +
      '"structural" is `detect` + `compressors[kind]` without compress()\'s own counting and store writes. MB = 10^6 bytes of UTF-8.',
    '',
    '| corpus | docs | MB | count MB/s | compress() MB/s | compress / count time | structural MB/s | compress p50 ms | compress p95 ms |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [corpus, summary] of Object.entries(speed)) {
    if (!summary) continue;
    const name = corpus === 'overall' ? '**all**' : CORPUS_TITLES[corpus as CorpusId];
    out.push(
      `| ${name} | ${summary.docs} | ${(summary.bytes / 1e6).toFixed(2)} | ${summary.countMBps.toFixed(1)} | ${summary.compressMBps.toFixed(1)} | ${summary.compressToCount.toFixed(2)}x | ${summary.structuralMBps.toFixed(1)} | ${ms(summary.p50Ms)} | ${ms(summary.p95Ms)} |`,
    );
  }
  return [...out, ''];
}

function appendix(corpora: CorpusResults): string[] {
  const out = ['## Appendix: per file', ''];
  if (corpora.logs) {
    out.push(
      '### Logs',
      '',
      '| file | tokens | tokenfold | reduction | kind | folds | alert lines tf / trunc | EventIds tf / trunc | covered | balanced | count claims ok / checked | compress ms |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const file of corpora.logs.files) {
      const [mine, theirs] = [file.tokenfold.score, file.truncation.score];
      out.push(
        `| ${file.id} | ${int(file.tokensBefore)} | ${int(file.tokenfold.tokens)} | ${pct(reductionOf(file, file.tokenfold.tokens))} | ${kindCell(file.tokenfold)} | ${file.tokenfold.folds} | ${mine.alertVisible}/${mine.alertLines} / ${theirs.alertVisible} | ${mine.eventsWithExample}/${mine.events} / ${theirs.eventsWithExample} | ${pct(mine.coveredLines / mine.inputLines)} | ${mine.balanced ? 'yes' : `no (${mine.visibleLines}+${mine.foldedLines})`} | ${mine.counts.consistent}/${mine.counts.checked} | ${ms(file.speed.compressMs)} |`,
      );
    }
    out.push('');
  }
  if (corpora.fixtures) out.push(...failureAppendix('fixtures', corpora.fixtures.files));
  if (corpora.ci) out.push(...failureAppendix('ci', corpora.ci.files));
  for (const collection of ['simdjson', 'octokit'] as const) {
    const files = corpora[collection]?.files;
    if (!files) continue;
    out.push(
      `### ${CORPUS_TITLES[collection]}`,
      '',
      '| file | tokens | tokenfold | reduction | kind | array rows | rare visible tf / trunc | minority tf / trunc | key paths tf | values visible / +unfold | minified | TOON | compress ms |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const file of files) {
      const mine = file.tokenfold.score;
      out.push(
        `| ${file.id} | ${int(file.tokensBefore)} | ${int(file.tokenfold.tokens)} | ${pct(reductionOf(file, file.tokenfold.tokens))} | ${kindCell(file.tokenfold)} | ${file.arrayShaped ? file.largestRows : '—'} | ${mine.rare.visible}/${mine.rare.total} / ${file.truncation.score.rare.visible} | ${mine.minority.visible}/${mine.minority.total} / ${file.truncation.score.minority.visible} | ${pct(share(mine.keyPaths.visible, mine.keyPaths.total))} | ${pct(share(mine.values.visible, mine.values.total))} / ${pct(share(mine.values.visible + mine.values.folded, mine.values.total))} | ${int(file.minified.tokens)} | ${file.toon ? int(file.toon.tokens) : 'error'} | ${ms(file.speed.compressMs)} |`,
      );
    }
    out.push('');
  }
  if (corpora.agent) {
    out.push(
      '### SWE-agent trajectories',
      '',
      '| trajectory | observations | compressed | tokens | tokenfold | references visible / +unfold / total | truncation visible |',
      '|---|---|---|---|---|---|---|',
    );
    for (const file of corpora.agent.files) {
      const mine = mergeTallies(Object.values(file.tokenfold.references));
      const theirs = mergeTallies(Object.values(file.truncation.references));
      out.push(
        `| ${file.id} | ${file.observations} | ${file.compressed} | ${int(file.tokensBefore)} | ${int(file.tokenfold.tokens)} | ${mine.visible} / ${mine.visible + mine.folded} / ${mine.total} | ${theirs.visible} |`,
      );
    }
    out.push('');
  }
  return out;
}
