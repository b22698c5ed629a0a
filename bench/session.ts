/*
 * The session features measured on real agent sessions.
 *
 *   node --conditions=tokenfold-source bench/session.ts [--only NAME] [--write]
 *
 * Replays every SWE-agent trajectory of ../shared/corpora/agent/swe-agent through the AI SDK
 * middleware (bench/replay.ts: real system prompt and first message, the recorded thoughts and
 * actions as model turns, the recorded observations as tool results, unfolds when an action needs
 * a folded fact) in four setups:
 * - none: no middleware;
 * - per-output: `tokenfoldMiddleware()`, each output compressed on its own (what the adapters do
 *   without `session`);
 * - session keep: `session: { history: 'keep' }` (references, diffs, learned budgets; sent bytes
 *   never change);
 * - session batch: `session: { history: 'batch' }` (and superseded, stale and old outputs folded
 *   when the arithmetic says the cache write pays).
 * The session setups run the trajectories in order on one store and namespace, as a team's agent
 * would: what they learn from unfolds carries over to later sessions.
 *
 * Per model call it prices the request as sent (tool definitions, system prompt, messages; o200k
 * tokens) under the providers' published prompt-caching rules, core/cache/pricing.ts, through
 * bench/prompt-cost.ts:
 * - Anthropic: the app marks the end of its system prompt and its last message (the usual
 *   setup); reads 0.1x, five-minute writes 1.25x, prefixes under 1,024 tokens not cached, a cached
 *   prefix found within 20 blocks before a breakpoint. Calls are 20 s apart, so nothing expires.
 * - OpenAI: automatic prefix caching from 1,024 tokens in 128-token steps, reads 0.25x (GPT-4.1).
 * The Anthropic cost is split by part of the prompt (tool definitions, system prompt, the task,
 * the model's own turns, tool outputs): tokenfold only touches tool outputs, so the split says how
 * far any setup could go. Also reported: unfolds, and the facts later actions use (paths, line
 * numbers, error lines: bench/fidelity.ts) visible, one unfold away, or missing. Overhead: time
 * from entering the middleware chain to the model call, per model call (p50), on a shared machine.
 */
import { writeFileSync } from 'node:fs';
import Keyv from 'keyv';
import { o200kCounter, readLedger, settleLedger } from 'tokenfold';
import type { TokenfoldMiddlewareOptions } from 'tokenfold/ai';
import type { PromptMessage, PromptTool } from '../adapters/ai/cache.ts';
import { anthropicCosts, openAiCosts } from '../core/cache/pricing.ts';
import { percentile } from './adapter-loop.ts';
import { costByPart, pricedCall, type PromptPart } from './prompt-cost.ts';
import { loadReplays, replayTrajectory, type FactTally, type ReplayRun } from './replay.ts';

interface Setup {
  name: string;
  middleware: () => TokenfoldMiddlewareOptions | false;
  /** Priced with tokenfold's cache breakpoints (`cacheBreakpoints`) instead of the app's own. */
  tokenfoldBreakpoints?: boolean;
}

interface Totals {
  tokens: number;
  anthropic: number;
  openai: number;
  parts: Record<PromptPart, number>;
  calls: number;
  unfolds: number;
  facts: FactTally;
  milliseconds: number[];
}

const PARTS: PromptPart[] = ['tools', 'system', 'task', 'assistant', 'tool output', 'user'];

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const replays = loadReplays({ only });

// The store of each session setup: its ledger says what the session did (references, rewrites).
const sessionStores = new Map<string, Keyv>();

function sessionSetup(name: string, history: 'keep' | 'batch', extra: TokenfoldMiddlewareOptions = {}): Setup {
  // One store and namespace across the trajectories of a setup: learning carries over.
  const store = new Keyv();
  sessionStores.set(name, store);
  return { name, middleware: () => ({ store, namespace: `bench-${history}`, session: { history }, ...extra }), tokenfoldBreakpoints: extra.cacheBreakpoints === true };
}

const setups: Setup[] = [
  { name: 'none', middleware: () => false },
  { name: 'per-output', middleware: () => ({ store: new Keyv() }) },
  sessionSetup('session keep', 'keep'),
  sessionSetup('session batch', 'batch'),
  sessionSetup('session batch + breakpoints', 'batch', { cacheBreakpoints: true }),
];

/** Tokens, Anthropic and OpenAI cost, and the Anthropic cost per part of the prompt, over one run. */
function costOf(run: ReplayRun, tokenfoldBreakpoints = false) {
  // One call every 20 s: well within both providers' cache lifetimes.
  const calls = run.calls.map((call, index) =>
    pricedCall(call.raw as PromptMessage[], (call.tools ?? []) as PromptTool[], index * 20_000, { appBreakpoints: !tokenfoldBreakpoints }),
  );
  const anthropic = anthropicCosts(calls);
  const openai = openAiCosts(calls, (text) => o200kCounter.count(text));
  const sum = (costs: ReadonlyArray<{ cost: number }>) => costs.reduce((total, call) => total + call.cost, 0);
  return {
    tokens: anthropic.reduce((total, call) => total + call.tokens, 0),
    anthropic: sum(anthropic),
    openai: sum(openai),
    parts: costByPart(calls, anthropic),
  };
}

const totals = new Map<string, Totals>();
const perTrajectory: Array<{ id: string; costs: number[] }> = [];
for (const replay of replays) {
  const row = { id: replay.id, costs: [] as number[] };
  for (const setup of setups) {
    const run: ReplayRun = await replayTrajectory(replay, { middleware: setup.middleware() });
    const cost = costOf(run, setup.tokenfoldBreakpoints);
    const into = totals.get(setup.name) ?? {
      tokens: 0,
      anthropic: 0,
      openai: 0,
      parts: Object.fromEntries(PARTS.map((part) => [part, 0])) as Record<PromptPart, number>,
      calls: 0,
      unfolds: 0,
      facts: { visible: 0, unfolded: 0, missing: 0 },
      milliseconds: [],
    };
    into.tokens += cost.tokens;
    into.anthropic += cost.anthropic;
    into.openai += cost.openai;
    for (const part of PARTS) into.parts[part] += cost.parts[part];
    into.calls += run.calls.length;
    into.unfolds += run.unfolds;
    for (const key of ['visible', 'unfolded', 'missing'] as const) into.facts[key] += run.facts[key];
    into.milliseconds.push(...run.stepMilliseconds);
    totals.set(setup.name, into);
    row.costs.push(cost.anthropic);
  }
  perTrajectory.push(row);
  process.stderr.write(`${replay.id.slice(0, 60)}: ${row.costs.map((cost) => Math.round(cost)).join(' / ')}\n`);
}

const number = (value: number) => Math.round(value).toLocaleString('en-US');
const below = (value: number, base: number) => `${(100 * (1 - value / base)).toFixed(1)}%`;
const none = totals.get('none')!;
const perOutput = totals.get('per-output')!;
const steps = replays.reduce((sum, replay) => sum + replay.steps.length, 0);
const lines: string[] = [];
lines.push(`## Session replay: ${replays.length} SWE-agent trajectories, ${steps} steps (Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)})`);
lines.push('');
lines.push('Written by `node --conditions=tokenfold-source bench/session.ts --write` (2 shared cores: read the timings as medians of a noisy machine).');
lines.push('');
lines.push('Costs in base input tokens, each request priced as sent (tool definitions, system prompt, messages; o200k) under core/cache/pricing.ts. Anthropic: the app marks the end of its system prompt and its last message; reads 0.1x, five-minute writes 1.25x, nothing under 1,024 tokens cached, 20-block lookback; calls 20 s apart. OpenAI: automatic from 1,024 tokens in 128-token steps, reads 0.25x (GPT-4.1).');
lines.push('');
lines.push('| setup | input tokens (sum over calls) | Anthropic cost | vs none | vs per-output | OpenAI cost | vs none | vs per-output | tool-output cost (Anthropic) | vs none | vs per-output | model calls | unfolds | facts visible / one unfold away / missing | overhead per call p50 |');
lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const setup of setups) {
  const total = totals.get(setup.name)!;
  const facts = total.facts;
  const factTotal = facts.visible + facts.unfolded + facts.missing;
  const tool = total.parts['tool output'];
  lines.push(
    `| ${setup.name} | ${number(total.tokens)} | ${number(total.anthropic)} | ${below(total.anthropic, none.anthropic)} | ${below(total.anthropic, perOutput.anthropic)} | ${number(total.openai)} | ${below(total.openai, none.openai)} | ${below(total.openai, perOutput.openai)} | ${number(tool)} | ${below(tool, none.parts['tool output'])} | ${below(tool, perOutput.parts['tool output'])} | ${total.calls} | ${total.unfolds} | ${facts.visible} / ${facts.unfolded} / ${facts.missing} of ${factTotal} | ${percentile(total.milliseconds, 0.5).toFixed(2)} ms |`,
  );
}
lines.push('');
lines.push('Where the Anthropic cost goes, by part of the prompt (tokenfold touches tool outputs only):');
lines.push('');
lines.push(`| setup | ${PARTS.join(' | ')} |`);
lines.push(`|---|${PARTS.map(() => '---').join('|')}|`);
for (const setup of setups) {
  const total = totals.get(setup.name)!;
  lines.push(`| ${setup.name} | ${PARTS.map((part) => `${number(total.parts[part])} (${((100 * total.parts[part]) / total.anthropic).toFixed(1)}%)`).join(' | ')} |`);
}
const untouched = none.anthropic - none.parts['tool output'];
lines.push('');
lines.push(
  `Everything but tool outputs costs ${number(untouched)} without compression: with tool outputs free, the cost would be ${below(untouched, none.anthropic)} below none and ${below(untouched, perOutput.anthropic)} below per-output.`,
);
lines.push('');
lines.push('What the session did (from its ledger): outputs sent as a reference to an identical earlier one, as a diff against an earlier read, and folded by the history policy (tokens as they were sent, then as folded):');
lines.push('');
lines.push('| setup | references | diffs | history folds | tokens folded away by history folds |');
lines.push('|---|---|---|---|---|');
await settleLedger();
for (const [name, store] of sessionStores) {
  const entries = await readLedger(store);
  const references = entries.filter((entry) => entry.type === 'reference');
  const rewrites = entries.filter((entry) => entry.type === 'history-rewrite');
  const before = rewrites.reduce((sum, entry) => sum + (entry.tokensBefore ?? 0), 0);
  const after = rewrites.reduce((sum, entry) => sum + (entry.tokensAfter ?? 0), 0);
  lines.push(`| ${name} | ${references.filter((entry) => entry.kind === 'duplicate').length} | ${references.filter((entry) => entry.kind === 'diff').length} | ${rewrites.length} | ${number(before)} → ${number(after)} |`);
}
lines.push('');
lines.push('Per trajectory, Anthropic cost:');
lines.push('');
lines.push(`| trajectory | ${setups.map((setup) => setup.name).join(' | ')} |`);
lines.push(`|---|${setups.map(() => '---').join('|')}|`);
for (const row of perTrajectory) lines.push(`| ${row.id.slice(0, 70)} | ${row.costs.map(number).join(' | ')} |`);
const report = lines.join('\n');
console.log(report);
if (argv.includes('--write')) writeFileSync(new URL('./session-results.md', import.meta.url), `${report}\n`);
