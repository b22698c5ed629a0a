/*
 * The failed-build corpora in the report: LogChunks (`ci`) and the project's own fixtures
 * (`fixtures`). Per corpus: median reduction, reason lines visible (and one unfold away), logs
 * whose whole reason is visible, the same for head+tail truncation at tokenfold's token count,
 * the logs where tokenfold keeps fewer reason lines than truncation, the kinds the router chose
 * and the share of the output spent on fold markers. Rules: bench/fidelity-ci.ts.
 */
import type { CorpusId } from './corpora.ts';
import { CORPUS_TITLES } from './corpora.ts';
import type { Tally } from './fidelity.ts';
import { mergeTallies } from './fidelity.ts';
import { int, kindCell, pct, ratio, share, speedLine } from './format.ts';
import type { Target } from './report.ts';
import type { DocSpeed, SpeedSummary } from './speed.ts';
import { median } from './speed.ts';
import type { FailureFileResult } from './suites.ts';
import { reduction } from './suites.ts';

/** A failed-build corpus' rows as the report gets them. */
export type TimedFailureFile = FailureFileResult & { speed: DocSpeed };

/** What one failed-build corpus adds up to. */
export interface FailureSummary {
  docs: number;
  tokensBefore: number;
  tokens: { tokenfold: number; truncation: number };
  medianReduction: number;
  reason: { tokenfold: Tally; truncation: Tally };
  /** Logs whose every reason line is visible. */
  whole: { tokenfold: number; truncation: number };
  /** Logs where tokenfold shows fewer reason lines than truncation at the same token count. */
  worseThanTruncation: string[];
  /** Documents per routed kind. */
  kinds: Record<string, number>;
  passThrough: number;
  markerTokens: number;
}

/**
 * Adds up one failed-build corpus.
 *
 * @example
 * summarizeFailures(report.corpora.ci.files).reason.tokenfold.visible; // reason lines visible
 */
export function summarizeFailures(files: readonly FailureFileResult[]): FailureSummary {
  const kinds: Record<string, number> = {};
  for (const file of files) kinds[file.tokenfold.kind] = (kinds[file.tokenfold.kind] ?? 0) + 1;
  const sum = (pick: (file: FailureFileResult) => number) => files.reduce((total, file) => total + pick(file), 0);
  return {
    docs: files.length,
    tokensBefore: sum((file) => file.tokensBefore),
    tokens: { tokenfold: sum((file) => file.tokenfold.tokens), truncation: sum((file) => file.truncation.tokens) },
    medianReduction: median(files.map((file) => reduction(file.tokensBefore, file.tokenfold.tokens))),
    reason: {
      tokenfold: mergeTallies(files.map((file) => file.tokenfold.score.reason)),
      truncation: mergeTallies(files.map((file) => file.truncation.score.reason)),
    },
    whole: {
      tokenfold: files.filter((file) => file.tokenfold.score.whole).length,
      truncation: files.filter((file) => file.truncation.score.whole).length,
    },
    worseThanTruncation: files
      .filter((file) => file.tokenfold.score.reason.visible < file.truncation.score.reason.visible)
      .map((file) => file.id),
    kinds,
    passThrough: files.filter((file) => file.tokenfold.passThrough).length,
    markerTokens: sum((file) => file.tokenfold.markerTokens),
  };
}

/**
 * Issue 10's targets on the failed-build corpora; `null` where the corpus was not run.
 *
 * @example
 * failureTargets(corpora.ci?.files, corpora.fixtures?.files, speed.ci);
 */
export function failureTargets(
  ci: readonly FailureFileResult[] | undefined,
  fixtures: readonly FailureFileResult[] | undefined,
  ciSpeed: SpeedSummary | undefined,
): Target[] {
  const targets: Target[] = [];
  const logChunks = ci ? summarizeFailures(ci) : undefined;
  const lines = logChunks ? share(logChunks.reason.tokenfold.visible, logChunks.reason.tokenfold.total) : 0;
  const whole = logChunks ? logChunks.whole.tokenfold / logChunks.docs : 0;
  targets.push({
    name: 'LogChunks: >= 95% of failure-reason lines visible and the whole reason in >= 85% of logs, at >= 65% median reduction',
    value: logChunks
      ? `${pct(lines)} of lines, whole in ${logChunks.whole.tokenfold}/${logChunks.docs} logs (${pct(whole)}), ${pct(logChunks.medianReduction)} median reduction`
      : 'not run',
    met: logChunks ? lines >= 0.95 && whole >= 0.85 && logChunks.medianReduction >= 0.65 : null,
  });
  targets.push({
    name: 'LogChunks: no log keeps fewer reason lines than head+tail truncation at the same token count',
    value: logChunks ? `${logChunks.worseThanTruncation.length} of ${logChunks.docs} logs fewer` : 'not run',
    met: logChunks ? logChunks.worseThanTruncation.length === 0 : null,
  });
  targets.push({
    name: 'compress() <= 1x the time of counting the input tokens once, on LogChunks',
    value: ciSpeed?.docs ? `${ciSpeed.compressToCount.toFixed(2)}x` : 'not run',
    met: ciSpeed?.docs ? ciSpeed.compressToCount <= 1 : null,
  });
  const own = fixtures ? summarizeFailures(fixtures) : undefined;
  targets.push({
    name: 'Failing-build fixtures: 100% of labelled failure lines visible',
    value: own ? `${ratio(own.reason.tokenfold.visible, own.reason.tokenfold.total)}; whole in ${own.whole.tokenfold}/${own.docs} fixtures` : 'not run',
    met: own ? own.reason.tokenfold.visible === own.reason.tokenfold.total : null,
  });
  return targets;
}

/**
 * The report section of one failed-build corpus.
 *
 * @example
 * failureSection('ci', corpora.ci.files, report.speed.ci);
 */
export function failureSection(corpus: 'ci' | 'fixtures', files: readonly FailureFileResult[], speed: SpeedSummary): string[] {
  const summary = summarizeFailures(files);
  const row = (label: string, method: 'tokenfold' | 'truncation') => {
    const reason = summary.reason[method];
    const reductionOf = (file: FailureFileResult) => reduction(file.tokensBefore, file[method].tokens);
    const unfold = method === 'tokenfold' ? pct(share(reason.visible + reason.folded, reason.total)) : '—';
    return `| ${label} | ${int(summary.tokens[method])} | ${pct(median(files.map(reductionOf)))} | ${ratio(reason.visible, reason.total)} | ${unfold} | ${ratio(summary.whole[method], summary.docs)} |`;
  };
  const kinds = Object.entries(summary.kinds).sort((a, b) => b[1] - a[1]);
  const lines = summary.reason.tokenfold.total;
  return [
    `## ${CORPUS_TITLES[corpus]} (${files.length} logs, ${int(lines)} failure-reason lines)`,
    '',
    corpus === 'ci'
      ? 'Real failed Travis CI logs (LogChunks, MSR 2020), each labelled with the chunk that says why the build failed.'
      : 'Real failing builds and test runs made on the team\'s machine (`test/fixtures/failures/`, see its README), each with the lines that explain the failure labelled.',
    'Compressed with the defaults and no query. A reason line (CR stripped, trimmed, 4+ characters) counts when it is visible verbatim.',
    '',
    '| method | tokens | median reduction | reason lines visible | visible +unfold | logs with the whole reason visible |',
    '|---|---|---|---|---|---|',
    `| input | ${int(summary.tokensBefore)} | — | | | |`,
    row('tokenfold', 'tokenfold'),
    row('head+tail truncation, same tokens', 'truncation'),
    '',
    `Logs where tokenfold keeps fewer reason lines visible than truncation: ${summary.worseThanTruncation.length} of ${summary.docs}. ` +
      `Kinds routed: ${kinds.map(([kind, n]) => `${kind} ${n}`).join(', ')} (${pct(share(summary.kinds.text ?? 0, summary.docs))} \`text\`); ${summary.passThrough} passed through. ` +
      `Fold markers: ${pct(summary.tokens.tokenfold ? summary.markerTokens / summary.tokens.tokenfold : 0)} of output tokens.`,
    '',
    speedLine(speed, 'log'),
    '',
  ];
}

/**
 * Per-log rows: every fixture; for LogChunks only the logs where tokenfold keeps fewer reason
 * lines than truncation (the target is none, so the list is what to look at).
 *
 * @example
 * failureAppendix('fixtures', corpora.fixtures.files);
 */
export function failureAppendix(corpus: CorpusId, files: readonly FailureFileResult[]): string[] {
  const rows = corpus === 'ci' ? files.filter((file) => file.tokenfold.score.reason.visible < file.truncation.score.reason.visible) : files;
  const heading = corpus === 'ci' ? `### ${CORPUS_TITLES[corpus]}: logs where tokenfold keeps fewer reason lines than truncation` : `### ${CORPUS_TITLES[corpus]}`;
  if (rows.length === 0) return [heading, '', 'None.', ''];
  const out = [
    heading,
    '',
    `| log | ${corpus === 'ci' ? 'language' : 'tool'} | tokens | tokenfold | reduction | kind | reason visible / +unfold / total | truncation visible | marker share |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const file of rows) {
    const reason = file.tokenfold.score.reason;
    out.push(
      `| ${file.id} | ${file.source} | ${int(file.tokensBefore)} | ${int(file.tokenfold.tokens)} | ${pct(reduction(file.tokensBefore, file.tokenfold.tokens))} | ${kindCell(file.tokenfold)} | ${reason.visible} / ${reason.visible + reason.folded} / ${reason.total} | ${file.truncation.score.reason.visible} | ${pct(file.tokenfold.tokens ? file.tokenfold.markerTokens / file.tokenfold.tokens : 0)} |`,
    );
  }
  return [...out, ''];
}
