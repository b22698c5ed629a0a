/*
 * Relevance-model benchmark: `node --conditions=tokenfold-source bench/models.ts [--quick]`.
 *
 * Side by side in one run, for the shipped model (models/relevance.onnx), the text compressor's
 * built-in extractive scorer (BM25 with answer-type and position priors) and head+tail truncation:
 * - SQuAD 2.0, held-out articles only (models/recipe/squad.ts: never seen in training): each
 *   answerable question's paragraph compressed at 50% and 75% target reduction with the question
 *   as query; an answer is kept when one of its gold variants is visible verbatim.
 * - SWE-agent trajectories: every observation that the router sends to the text compressor (200+
 *   tokens), with the task as query, at the same targets; the needles are bench/fidelity.ts's
 *   references (paths, line numbers, error lines a later step uses), counted when visible.
 * - Throughput: held-out articles repeated to at least 1M o200k tokens, each with one of its
 *   questions, scored by the model end to end (splitting, features, ONNX runs), against the
 *   built-in scorer on the same documents.
 * Model and baseline go through the same selection and fold layout (`selectSentences` and
 * `foldUnselected` of core/compressors/text.ts, markers rendered as the core renders them); only
 * the unit scores differ. Head+tail gets the target budget. Tokens are o200k, counted exactly.
 * Writes bench/models-results.md (or --out FILE).
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { detect, o200kCounter } from 'tokenfold';
import { foldId, renderMarker } from '../core/folds.ts';
import { splitClauses, splitSentences } from '../core/compressors/sentences.ts';
import { foldUnselected, scoreSentences, selectSentences, type UnitScorer } from '../core/compressors/text.ts';
import { loadRelevanceModel, shippedModelPath, type RelevanceModel } from '../models/relevance.ts';
import { MAX_QUERY_WORDS, scorerFor } from '../models/text-scorer.ts';
import { loadSquadSplit } from '../models/recipe/squad.ts';
import { headTailTruncate } from './baselines.ts';
import { loadAgent, resolveCorporaDir } from './corpora.ts';
import { extractReferences } from './fidelity.ts';

const TARGETS = [0.5, 0.75];
const METHODS = ['model', 'scorer', 'baseline', 'truncation'] as const;
type Method = (typeof METHODS)[number];
const METHOD_TITLES: Record<Method, string> = {
  model: 'relevance model',
  scorer: `relevance model, queries over ${MAX_QUERY_WORDS} words to BM25`,
  baseline: 'extractive baseline (BM25)',
  truncation: 'head+tail truncation',
};
const THROUGHPUT_TOKENS = 1_000_000;
const MIN_TOKENS = 200; // the core's default: smaller observations pass through

// Why the model does not reach +5 points, and what would: stated here so that every report that
// misses the target says it next to the numbers.
const SHORTFALL_NOTE = [
  'Why not more: the model sees lexical features only (BM25 at several spans, query coverage by stem, prefix and word pair, ' +
    'answer type against years, numbers and names, position), and its training side is 11 of the 16 SQuAD dev articles. ' +
    'On so little text, learned term embeddings memorise the training paragraphs and lose to the baseline in cross-validation ' +
    '(models/recipe/README.md), so the shipped model re-weights the baseline\'s own signals and adds answer-type and phrase ' +
    'features. Most answers it still misses are paraphrased or sit in the sentence after the one that matches the question: ' +
    'that takes word meaning, not word overlap.',
  '',
  'What would: (1) more questions under the same licence: the SQuAD 2.0 train half (CC BY-SA 4.0, 442 articles against the 11 used here) ' +
    'in ../shared/corpora/qa, so that term embeddings learn rather than memorise; (2) a small pretrained encoder ' +
    '(MiniLM class, int8 ONNX under 30 MB) fine-tuned as a (question, sentence) cross-encoder, which needs its pretrained ' +
    'weights brought into the project; models/llmlingua.ts already runs BERT and XLM-R ONNX exports with the TypeScript tokenizer.',
];

const count = (text: string): number => o200kCounter.count(text);
const countUpTo = (text: string, limit: number): number | false => o200kCounter.countUpTo!(text, limit);

interface Cell {
  kept: number;
  total: number;
  tokensBefore: number;
  tokensAfter: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, out: { type: 'string' } } });
  const started = performance.now();
  const repoRoot = resolve(import.meta.dirname, '..');
  const corporaDir = resolveCorporaDir(repoRoot);
  const loadStarted = performance.now();
  const model = await loadRelevanceModel();
  const loadMs = performance.now() - loadStarted;
  progress(`loaded ${model.name} in ${loadMs.toFixed(0)} ms`);

  const squad = await runSquad(model, join(corporaDir, 'qa', 'squad-dev-v2.0.json'), values.quick ? 40 : Infinity);
  const agent = await runAgent(model, corporaDir);
  const throughput = await measureThroughput(model, join(corporaDir, 'qa', 'squad-dev-v2.0.json'), values.quick ? 200_000 : THROUGHPUT_TOKENS);

  const lines: string[] = [];
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  lines.push('# Relevance model benchmark', '');
  lines.push(
    `Run ${new Date().toISOString().replace('T', ' ').slice(0, 19)} UTC on ${cpu} (${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(2)} at the end), ` +
      `Node ${process.version}, in ${((performance.now() - started) / 1000).toFixed(0)} s. Produced by \`node --conditions=tokenfold-source bench/models.ts\`${values.quick ? ' --quick' : ''}.`,
    '',
    `Model: ${model.name} (${shippedModelPath().split('/').slice(-2).join('/')}), loaded in ${loadMs.toFixed(0)} ms. ` +
      'Model and baseline share the selection and fold layout of the text compressor; only the unit scores differ. ' +
      'Head+tail truncation gets the target budget. Tokens: o200k_base. Retention counts what is visible in the output.',
    '',
  );
  lines.push(`## SQuAD 2.0, held-out articles (${squad.paragraphs} paragraphs of ${squad.articles.join(', ')})`, '');
  lines.push('Each answerable question with its paragraph, the question as query; a gold answer kept verbatim counts.', '');
  lines.push(...table(squad.cells, 'answers kept', ['model', 'baseline', 'truncation']));
  const delta = (squad.cells.get(key('model', 0.75))!.kept - squad.cells.get(key('baseline', 0.75))!.kept) / squad.cells.get(key('model', 0.75))!.total;
  lines.push('', `Model minus baseline at 75%: ${(delta * 100).toFixed(1)} points (target: +5, ${delta >= 0.05 ? 'met' : 'NOT met'}).`, '');
  if (delta < 0.05) lines.push(...SHORTFALL_NOTE, '');
  lines.push(`## SWE-agent trajectories (${agent.observations} observations routed to text, ${MIN_TOKENS}+ tokens)`, '');
  lines.push('The task as query; needles are the paths, line numbers and error lines that later steps use (bench/fidelity.ts).', '');
  lines.push(...table(agent.cells, 'needles visible', METHODS));
  lines.push(
    '',
    `The tasks used as queries run to ${agent.taskWords.join(', ')} words (median ${agent.taskWords[agent.taskWords.length >> 1]}). ` +
      `"Relevance model" is the model itself; the row below it is what \`createTextScorer\` (models/text-scorer.ts) does: a query of more than ${MAX_QUERY_WORDS} words ` +
      '(longer than any training question) goes to the built-in scorer.',
  );
  lines.push('', '## Throughput', '');
  lines.push(
    `${throughput.documents} documents, ${throughput.tokens.toLocaleString('en-US')} o200k tokens, ${throughput.units.toLocaleString('en-US')} units, scored end to end (splitting, features, ONNX runs in batches):`,
    '',
    '| scorer | time | tokens per second | time for 1M tokens |',
    '|---|---|---|---|',
    `| relevance model | ${throughput.modelMs.toFixed(0)} ms | ${perSecond(throughput.tokens, throughput.modelMs)} | ${(throughput.modelMs * (1_000_000 / throughput.tokens) / 1000).toFixed(2)} s |`,
    `| extractive baseline | ${throughput.baselineMs.toFixed(0)} ms | ${perSecond(throughput.tokens, throughput.baselineMs)} | ${(throughput.baselineMs * (1_000_000 / throughput.tokens) / 1000).toFixed(2)} s |`,
    '',
    `Target: 1M tokens in under 5 s on 2 cores: ${throughput.modelMs * (1_000_000 / throughput.tokens) < 5000 ? 'met' : 'NOT met'}.`,
    '',
  );
  const out = values.out ?? join(repoRoot, 'bench', 'models-results.md');
  writeFileSync(out, lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

function key(method: Method, target: number): string {
  return `${method}@${target}`;
}

function table(cells: Map<string, Cell>, what: string, methods: readonly Method[]): string[] {
  const rows = ['| method | target reduction | achieved reduction | ' + what + ' |', '|---|---|---|---|'];
  for (const target of TARGETS) {
    for (const method of methods) {
      const cell = cells.get(key(method, target))!;
      const achieved = cell.tokensBefore ? 1 - cell.tokensAfter / cell.tokensBefore : 0;
      rows.push(`| ${METHOD_TITLES[method]} | ${target * 100}% | ${(achieved * 100).toFixed(1)}% | ${cell.kept.toLocaleString('en-US')}/${cell.total.toLocaleString('en-US')} (${((cell.kept / Math.max(1, cell.total)) * 100).toFixed(1)}%) |`);
    }
  }
  return rows;
}

function emptyCells(): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  for (const method of METHODS) for (const target of TARGETS) cells.set(key(method, target), { kept: 0, total: 0, tokensBefore: 0, tokensAfter: 0 });
  return cells;
}

async function runSquad(model: RelevanceModel, path: string, limit: number) {
  const paragraphs = loadSquadSplit(path, 'evaluation').slice(0, limit);
  const cells = emptyCells();
  for (const [index, paragraph] of paragraphs.entries()) {
    if (index % 50 === 0) progress(`squad: paragraph ${index + 1}/${paragraphs.length}`);
    const text = paragraph.context;
    const before = count(text);
    const units = splitClauses(text, splitSentences(text));
    const scores = await model.scoreMany(paragraph.questions.map((item) => ({ text, units, query: item.question })));
    paragraph.questions.forEach((item, q) => {
      for (const target of TARGETS) {
        const budget = Math.round(before * (1 - target));
        const outputs: Partial<Record<Method, string>> = {
          model: compressWith(text, item.question, budget, scorerFor(units, scores[q]!)),
          baseline: compressWith(text, item.question, budget, undefined),
          truncation: headTailTruncate(text, budget, countUpTo),
        };
        for (const method of ['model', 'baseline', 'truncation'] as const) {
          const cell = cells.get(key(method, target))!;
          cell.total++;
          cell.tokensBefore += before;
          cell.tokensAfter += count(outputs[method]!);
          if (item.answers.some((answer) => outputs[method]!.includes(answer))) cell.kept++;
        }
      }
    });
  }
  return { cells, paragraphs: paragraphs.length, articles: [...new Set(paragraphs.map((paragraph) => paragraph.title))] };
}

async function runAgent(model: RelevanceModel, corporaDir: string) {
  const cells = emptyCells();
  let observations = 0;
  for (const trajectory of loadAgent(corporaDir)) {
    progress(`agent: ${trajectory.id}`);
    const references = extractReferences(trajectory.steps);
    for (const [index, step] of trajectory.steps.entries()) {
      const text = step.observation;
      const needles = references[index] ?? [];
      if (text.trim() === '' || detect(text).kind !== 'text') continue;
      const before = count(text);
      if (before < MIN_TOKENS) continue;
      observations++;
      const units = splitClauses(text, splitSentences(text));
      const scores = await model.scoreUnits(text, units, trajectory.task);
      const longQuery = trajectory.task.split(/\s+/).filter(Boolean).length > MAX_QUERY_WORDS;
      for (const target of TARGETS) {
        const budget = Math.round(before * (1 - target));
        const model = compressWith(text, trajectory.task, budget, scorerFor(units, scores));
        const baseline = compressWith(text, trajectory.task, budget, undefined);
        const outputs: Record<Method, string> = { model, scorer: longQuery ? baseline : model, baseline, truncation: headTailTruncate(text, budget, countUpTo) };
        for (const method of METHODS) {
          const cell = cells.get(key(method, target))!;
          cell.tokensBefore += before;
          cell.tokensAfter += count(outputs[method]);
          for (const reference of needles) {
            cell.total++;
            if (outputs[method].includes(reference.needle)) cell.kept++;
          }
        }
      }
    }
  }
  const taskWords = loadAgent(corporaDir).map((trajectory) => trajectory.task.split(/\s+/).filter(Boolean).length).sort((a, b) => a - b);
  return { cells, observations, taskWords };
}

async function measureThroughput(model: RelevanceModel, path: string, minimumTokens: number) {
  // One document per held-out article (its paragraphs joined), repeated until there are enough tokens.
  const byArticle = new Map<string, { text: string; query: string }>();
  for (const paragraph of loadSquadSplit(path, 'evaluation')) {
    const entry = byArticle.get(paragraph.title);
    if (entry) entry.text += `\n\n${paragraph.context}`;
    else byArticle.set(paragraph.title, { text: paragraph.context, query: paragraph.questions[0]?.question ?? '' });
  }
  const articles = [...byArticle.values()].map((article) => ({ ...article, tokens: count(article.text) }));
  const documents: typeof articles = [];
  let tokens = 0;
  for (let i = 0; tokens < minimumTokens; i++) {
    const article = articles[i % articles.length]!;
    documents.push(article);
    tokens += article.tokens;
  }
  progress(`throughput: ${documents.length} documents, ${tokens} tokens`);
  await model.scoreUnits(documents[0]!.text, splitClauses(documents[0]!.text, splitSentences(documents[0]!.text)), documents[0]!.query); // warm-up
  let units = 0;
  const modelStarted = performance.now();
  const requests = documents.map((document) => ({ text: document.text, units: splitClauses(document.text, splitSentences(document.text)), query: document.query }));
  await model.scoreMany(requests);
  const modelMs = performance.now() - modelStarted;
  for (const request of requests) units += request.units.length;
  const baselineStarted = performance.now();
  for (const document of documents) {
    scoreSentences({ text: document.text, units: splitClauses(document.text, splitSentences(document.text)), query: document.query });
  }
  const baselineMs = performance.now() - baselineStarted;
  return { documents: documents.length, tokens, units, modelMs, baselineMs };
}

// The text compressor's path with a given scorer: tokens per char measured on a sample, the
// selection, the fold layout, and markers as the core renders them. Returns what the model reads.
function compressWith(text: string, query: string, budget: number, score: UnitScorer | undefined): string {
  const tokensPerChar = measureTokensPerChar(text);
  const selection = selectSentences(text, { query, budget, tokensPerChar, ...(score ? { score } : {}) });
  if (!selection.kept.includes(0)) return text;
  const pieces = foldUnselected(text, selection, tokensPerChar);
  const output = pieces.map((piece) => (typeof piece === 'string' ? piece : renderMarker(foldId(piece.text), piece))).join('');
  return count(output) < count(text) ? output : text;
}

// As the text compressor does: exact tokens of up to four 256-char samples spread over the text.
function measureTokensPerChar(text: string): number {
  let sample = text;
  if (text.length > 1024) {
    const stride = Math.floor((text.length - 256) / 3);
    sample = '';
    for (let i = 0; i < 4; i++) sample += text.slice(i * stride, i * stride + 256);
  }
  const perChar = count(sample) / sample.length;
  return Number.isFinite(perChar) && perChar > 0 ? perChar : 0.25;
}

function perSecond(tokens: number, ms: number): string {
  return `${Math.round(tokens / (ms / 1000)).toLocaleString('en-US')}`;
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

await main();
