/*
 * One suite per corpus: compress every document with tokenfold, build the baselines at the same
 * token count, score everything with the same rules, and collect what the speed runs need.
 * Token counts are the bench's own exact o200k counts, never compress()'s estimates.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Keyv from 'keyv';
import { compress, o200kCounter } from 'tokenfold';
import type { CompressOptions, CompressResult } from 'tokenfold';
import { headTailTruncate, minifyJson, toToon } from './baselines.ts';
import type { AgentTrajectory, FailureDocument, JsonDocument, LogDocument, SquadParagraph } from './corpora.ts';
import type { FoldView, Reference, Tally } from './fidelity.ts';
import { addTo, answerKept, emptyTally, extractReferences, locate, plainView, viewOf } from './fidelity.ts';
import type { FailureScore } from './fidelity-ci.ts';
import { markerTokens, reasonLines, scoreFailure } from './fidelity-ci.ts';
import type { LogScore } from './fidelity-logs.ts';
import { scoreLog } from './fidelity-logs.ts';
import type { JsonScore } from './fidelity-json.ts';
import { analyzeJson, scoreJson } from './fidelity-json.ts';
import type { SpeedItem } from './speed.ts';
import { median } from './speed.ts';

/** What every suite shares: one fold store for compress() and unfold, progress, where to save outputs. */
export interface SuiteContext {
  store: Keyv;
  progress: (line: string) => void;
  /** Folder for compressed outputs (`--save`), else undefined. */
  saveDir?: string;
}

/** Exact o200k tokens: every reported count comes from here. */
export const count = (text: string): number => o200kCounter.count(text);
const countUpTo = (text: string, limit: number): number | false => o200kCounter.countUpTo!(text, limit);

/** `1 - after / before`, 0 for an empty input. */
export function reduction(before: number, after: number): number {
  return before > 0 ? 1 - after / before : 0;
}

/** One document's outcome for one method. */
export interface Measured<Score> {
  tokens: number;
  score: Score;
}

/** What compress() said about a document besides its text. */
export interface TokenfoldRun {
  kind: string;
  passThrough?: string;
  folds: number;
  /** Tokens of the `[[fold …]]` markers in the output (see fidelity-ci.ts `markerTokens`). */
  markerTokens: number;
}

/** One log file: tokenfold and head+tail truncation, scored by fidelity-logs.ts. */
export interface LogFileResult {
  id: string;
  bytes: number;
  tokensBefore: number;
  tokenfold: Measured<LogScore> & TokenfoldRun;
  truncation: Measured<LogScore>;
}

/** Compresses and scores every loghub log; returns the rows and the speed items. */
export async function runLogs(documents: LogDocument[], context: SuiteContext) {
  const files: LogFileResult[] = [];
  const speed: SpeedItem[] = [];
  for (const document of documents) {
    context.progress(`logs: ${document.id}`);
    const { tokensBefore, result, tokens, view, markers, truncated } = await compressAndTruncate(document.text, context, `logs/${document.id}`);
    files.push({
      id: document.id,
      bytes: Buffer.byteLength(document.text),
      tokensBefore,
      tokenfold: { tokens, score: scoreLog(document, view), ...runInfo(result, markers) },
      truncation: { tokens: count(truncated), score: scoreLog(document, plainView(truncated)) },
    });
    speed.push({ text: document.text, options: { store: context.store }, tokens: tokensBefore });
  }
  return { files, speed };
}

/** One failed build log (LogChunks or a fixture): tokenfold and head+tail truncation, scored by fidelity-ci.ts. */
export interface FailureFileResult {
  id: string;
  /** LogChunks' language or the fixture's tool. */
  source: string;
  bytes: number;
  tokensBefore: number;
  tokenfold: Measured<FailureScore> & TokenfoldRun;
  truncation: Measured<FailureScore>;
}

/**
 * Compresses every failed build log of one corpus with the defaults (no query: an agent that
 * reads a CI log rarely says which line it needs) and scores the reason lines against
 * head+tail truncation at the same token count.
 */
export async function runFailures(documents: FailureDocument[], corpus: 'ci' | 'fixtures', context: SuiteContext) {
  const files: FailureFileResult[] = [];
  const speed: SpeedItem[] = [];
  for (const document of documents) {
    context.progress(`${corpus}: ${document.id}`);
    const lines = reasonLines(document.reason);
    const { tokensBefore, result, tokens, view, markers, truncated } = await compressAndTruncate(document.text, context, `${corpus}/${document.id}`);
    files.push({
      id: document.id,
      source: document.source,
      bytes: Buffer.byteLength(document.text),
      tokensBefore,
      tokenfold: { tokens, score: scoreFailure(lines, view), ...runInfo(result, markers) },
      truncation: { tokens: count(truncated), score: scoreFailure(lines, plainView(truncated)) },
    });
    speed.push({ text: document.text, options: { store: context.store }, tokens: tokensBefore });
  }
  return { files, speed };
}

/** One JSON file: tokenfold and the three baselines, scored by fidelity-json.ts. */
export interface JsonFileResult {
  id: string;
  bytes: number;
  tokensBefore: number;
  arrayShaped: boolean;
  largestRows: number;
  tokenfold: Measured<JsonScore> & TokenfoldRun;
  truncation: Measured<JsonScore>;
  minified: Measured<JsonScore>;
  toon?: Measured<JsonScore>;
  toonError?: string;
}

/** Compresses and scores every file of one JSON collection. */
export async function runJson(documents: JsonDocument[], collection: 'simdjson' | 'octokit', context: SuiteContext) {
  const files: JsonFileResult[] = [];
  const speed: SpeedItem[] = [];
  for (const document of documents) {
    context.progress(`${collection}: ${document.id}`);
    const analysis = analyzeJson(document, collection);
    const { tokensBefore, result, tokens, view, markers, truncated } = await compressAndTruncate(document.text, context, `${collection}/${document.id}`);
    const minified = minifyJson(document.text, document.format);
    let toon: Measured<JsonScore> | undefined;
    let toonError: string | undefined;
    try {
      const encoded = toToon(document.text, document.format);
      toon = { tokens: count(encoded), score: scoreJson(analysis, plainView(encoded)) };
    } catch (error) {
      toonError = String(error);
    }
    files.push({
      id: document.id,
      bytes: Buffer.byteLength(document.text),
      tokensBefore,
      arrayShaped: analysis.arrayShaped,
      largestRows: analysis.largestRows,
      tokenfold: { tokens, score: scoreJson(analysis, view), ...runInfo(result, markers) },
      truncation: { tokens: count(truncated), score: scoreJson(analysis, plainView(truncated)) },
      minified: { tokens: count(minified), score: scoreJson(analysis, plainView(minified)) },
      ...(toon ? { toon } : {}),
      ...(toonError ? { toonError } : {}),
    });
    speed.push({ text: document.text, options: { store: context.store }, tokens: tokensBefore });
  }
  return { files, speed };
}

/** One SQuAD setting (query or not, target reduction) over all paragraphs. */
export interface SquadConfigResult {
  withQuery: boolean;
  targetReduction: number;
  /** Compressed documents: paragraphs without a query, (paragraph, question) pairs with one. */
  docs: number;
  questions: number;
  tokensBefore: number;
  tokensAfter: number;
  medianReduction: number;
  kept: { tokenfold: number; truncation: number; truncationAtTarget: number };
  passThrough: number;
}

/**
 * Compresses every paragraph at 50% and 75% target reduction, with each answerable question as
 * the query (one compression per question) and without (one per paragraph), and counts kept answers.
 */
export async function runSquad(paragraphs: SquadParagraph[], context: SuiteContext) {
  const configs: SquadConfigResult[] = [];
  const speed: SpeedItem[] = [];
  const tokens = paragraphs.map((paragraph) => count(paragraph.context));
  for (const withQuery of [true, false]) {
    for (const targetReduction of [0.5, 0.75]) {
      context.progress(`squad: ${withQuery ? 'with' : 'without'} query, ${targetReduction * 100}% target`);
      const config: SquadConfigResult = {
        withQuery,
        targetReduction,
        docs: 0,
        questions: 0,
        tokensBefore: 0,
        tokensAfter: 0,
        medianReduction: 0,
        kept: { tokenfold: 0, truncation: 0, truncationAtTarget: 0 },
        passThrough: 0,
      };
      const reductions: number[] = [];
      for (const [index, paragraph] of paragraphs.entries()) {
        if (paragraph.questions.length === 0) continue;
        const before = tokens[index]!;
        const budget = Math.round(before * (1 - targetReduction));
        const atTarget = headTailTruncate(paragraph.context, budget, countUpTo);
        const groups = withQuery ? paragraph.questions.map((question) => [question]) : [paragraph.questions];
        for (const questions of groups) {
          const options: CompressOptions = { kind: 'text', budget, minTokens: 0, store: context.store, query: withQuery ? questions[0]!.question : '' };
          const result = await compress(paragraph.context, options);
          const after = count(result.text);
          const truncated = headTailTruncate(paragraph.context, after, countUpTo);
          config.docs++;
          config.tokensBefore += before;
          config.tokensAfter += after;
          if (result.passThrough) config.passThrough++;
          reductions.push(reduction(before, after));
          for (const question of questions) {
            config.questions++;
            if (answerKept(result.text, question.answers)) config.kept.tokenfold++;
            if (answerKept(truncated, question.answers)) config.kept.truncation++;
            if (answerKept(atTarget, question.answers)) config.kept.truncationAtTarget++;
          }
        }
        if (!withQuery && targetReduction === 0.5) {
          speed.push({ text: paragraph.context, options: { kind: 'text', budget, minTokens: 0, store: context.store }, tokens: before });
        }
      }
      config.medianReduction = median(reductions);
      configs.push(config);
    }
  }
  return { configs, paragraphs: paragraphs.length, speed };
}

/** One trajectory: its observations compressed one by one, references scored by fidelity.ts. */
export interface AgentFileResult {
  id: string;
  observations: number;
  compressed: number;
  bytes: number;
  tokensBefore: number;
  tokenfold: {
    tokens: number;
    references: Record<Reference['kind'], Tally>;
    dangling: number;
    kinds: Record<string, number>;
    markerTokens: number;
  };
  truncation: { tokens: number; references: Record<Reference['kind'], Tally> };
  reductions: number[];
}

/** Compresses every observation of every trajectory with the task as the query. */
export async function runAgent(trajectories: AgentTrajectory[], context: SuiteContext) {
  const files: AgentFileResult[] = [];
  const speed: SpeedItem[] = [];
  for (const trajectory of trajectories) {
    context.progress(`agent: ${trajectory.id}`);
    const references = extractReferences(trajectory.steps);
    const file: AgentFileResult = {
      id: trajectory.id,
      observations: 0,
      compressed: 0,
      bytes: 0,
      tokensBefore: 0,
      tokenfold: { tokens: 0, references: referenceTallies(), dangling: 0, kinds: {}, markerTokens: 0 },
      truncation: { tokens: 0, references: referenceTallies() },
      reductions: [],
    };
    for (const [index, step] of trajectory.steps.entries()) {
      if (step.observation.trim() === '') continue;
      const options: CompressOptions = { store: context.store, query: trajectory.task };
      const before = count(step.observation);
      const { result, tokens, view, markers } = await runTokenfold(step.observation, options, context, `agent/${trajectory.id}.${index}`);
      const truncated = headTailTruncate(step.observation, tokens, countUpTo);
      file.observations++;
      if (!result.passThrough) file.compressed++;
      file.bytes += Buffer.byteLength(step.observation);
      file.tokensBefore += before;
      file.tokenfold.tokens += tokens;
      file.tokenfold.dangling += view.dangling.length;
      file.tokenfold.markerTokens += markers;
      file.tokenfold.kinds[result.kind] = (file.tokenfold.kinds[result.kind] ?? 0) + 1;
      file.truncation.tokens += count(truncated);
      file.reductions.push(reduction(before, tokens));
      const truncatedView = plainView(truncated);
      for (const reference of references[index] ?? []) {
        addTo(file.tokenfold.references[reference.kind], locate(view, reference.needle));
        addTo(file.truncation.references[reference.kind], locate(truncatedView, reference.needle));
      }
      speed.push({ text: step.observation, options, tokens: before });
    }
    files.push(file);
  }
  return { files, speed };
}

function referenceTallies(): Record<Reference['kind'], Tally> {
  return { path: emptyTally(), line: emptyTally(), error: emptyTally() };
}

// A whole document through compress() with the defaults, and head+tail truncation of it at the
// token count tokenfold produced.
async function compressAndTruncate(text: string, context: SuiteContext, name: string) {
  const tokensBefore = count(text);
  const run = await runTokenfold(text, { store: context.store }, context, name);
  return { tokensBefore, ...run, truncated: headTailTruncate(text, run.tokens, countUpTo) };
}

async function runTokenfold(
  text: string,
  options: CompressOptions,
  context: SuiteContext,
  name: string,
): Promise<{ result: CompressResult; tokens: number; view: FoldView; markers: number }> {
  const errors: string[] = [];
  const result = await compress(text, { ...options, onError: (error, where) => errors.push(`${where.stage}/${where.kind}: ${String(error)}`) });
  for (const error of errors) context.progress(`  ! ${name}: ${error}`);
  const view = await viewOf(result.text, context.store);
  if (view.dangling.length > 0) context.progress(`  ! ${name}: ${view.dangling.length} marker(s) without a stored fold`);
  if (context.saveDir) {
    const path = join(context.saveDir, `${name.replaceAll('/', '__')}.txt`);
    mkdirSync(context.saveDir, { recursive: true });
    writeFileSync(path, result.text);
  }
  return { result, tokens: count(result.text), view, markers: markerTokens(result.text, count).tokens };
}

function runInfo(result: CompressResult, markers: number): TokenfoldRun {
  return {
    kind: result.kind,
    folds: result.folds.length,
    markerTokens: markers,
    ...(result.passThrough ? { passThrough: result.passThrough } : {}),
  };
}
