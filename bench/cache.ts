/*
 * Prompt-cache alignment (`cacheAlign`), measured on agent runs through the AI SDK middleware.
 *
 *   node --conditions=tokenfold-source bench/cache.ts [--only NAME] [--write]
 *
 * Three workloads, each run without and with `cacheAlign` (tool outputs are compressed in both):
 * - swe-agent: the SWE-agent trajectories of ../shared/corpora/agent (bench/replay.ts), as
 *   recorded; their system prompts are stable, so alignment has nothing to move;
 * - swe-agent + time: the same, with the current time on the first line of the system prompt, as
 *   many apps do ("Current time: 2026-12-02T10:14:03Z"); it advances 20 s per model call;
 * - support app (synthetic): 12 conversations of 4 user turns, 1 to 3 tool calls each, on real
 *   outputs (octokit and simdjson JSON, an OpenSSH log); its system prompt carries the time and a
 *   request id, and it builds its tool list in a different order on every request. Tool steps
 *   are 5 to 20 s apart, users answer after 1 to 15 minutes.
 * Time is simulated (Date.now is the replay's clock), so the cache lifetimes and the TTL choice
 * see realistic gaps.
 *
 * Per model call it prices the request as sent (tools, system prompt, messages; o200k tokens)
 * under each provider's published rules (core/cache/pricing.ts states them):
 * - Anthropic: reads 0.1x, 5-minute writes 1.25x, 1-hour writes 2x, minimum cacheable prefix
 *   1,024 tokens, at most 4 breakpoints, 20-block lookback. Without alignment the app sets the
 *   common breakpoints itself (end of the system prompt, last message); with it, tokenfold's.
 * - OpenAI: automatic prefix caching from 1,024 tokens in 128-token steps, reads at 0.25x
 *   (GPT-4.1's cached-input price), cache kept 5 minutes after its last use.
 * "Cache-eligible" is provider-neutral: the tokens at the start of a call identical to the call
 * before it in the same conversation. Overhead: the cache step alone (view, plan, rewrite) per
 * model call, replayed on the recorded requests, p50 and p95; and the report it makes after the
 * call (token counting, off the agent's path). The machine is shared: read ratios and medians.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import Keyv from 'keyv';
import { o200kCounter } from 'tokenfold';
import { tokenfoldMiddleware, type TokenfoldMiddlewareOptions } from 'tokenfold/ai';
import { createPromptCacheStep, promptView, type PromptMessage, type PromptTool } from '../adapters/ai/cache.ts';
import { frameworks } from '../adapters/ai/test-support/frameworks.ts';
import { createCacheTracker, NOTE_HEADING, summarizeCacheReports, type CacheReport } from '../core/cache/index.ts';
import { anthropicCosts, openAiCosts, sharedTokens, type CallCost, type PricedCall } from '../core/cache/pricing.ts';
import { percentile } from './adapter-loop.ts';
import { pricedCall } from './prompt-cost.ts';
import { loadReplays, replayTrajectory } from './replay.ts';

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const START = Date.UTC(2026, 11, 2, 10, 14, 3);

// The simulated clock: the middleware's tracker and the prices read it.
let clock = START;
const realNow = Date.now;
Date.now = () => clock;

/** One model call as sent: the AI SDK prompt and tools after the middleware, and when. */
interface SentCall {
  raw: PromptMessage[];
  tools: PromptTool[];
  at: number;
}
type Conversation = SentCall[];

// ---------------------------------------------------------------------------------------------
// Workloads

async function sweAgent(options: TokenfoldMiddlewareOptions, withTime: boolean): Promise<Conversation[]> {
  const conversations: Conversation[] = [];
  for (const replay of loadReplays({ only })) {
    const start = clock;
    const times: number[] = [];
    const run = await replayTrajectory(replay, {
      middleware: { ...options, store: new Keyv() },
      systemAt: (call) => {
        clock = start + call * 20_000;
        times.push(clock);
        return withTime ? `Current time: ${new Date(clock).toISOString().slice(0, 19)}Z\n\n${replay.system}` : replay.system;
      },
    });
    conversations.push(run.calls.map((call, index) => ({ raw: call.raw as PromptMessage[], tools: (call.tools ?? []) as PromptTool[], at: times[index] ?? clock })));
    clock += 3_600_000; // the next trajectory an hour later: no cache carries over
  }
  return conversations;
}

const corpora = new URL('../../shared/corpora/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, corpora), 'utf8');

const SUPPORT_TOOLS: Array<[name: string, description: string, source: string]> = [
  ['search_issues', 'Searches the issues of a repository.', 'json/octokit/search-issues.json'],
  ['get_repository', 'Reads a repository and its settings.', 'json/octokit/get-repository.json'],
  ['list_labels', 'Lists the labels of a repository.', 'json/octokit/labels.json'],
  ['recent_events', 'Lists the latest events of the organisation.', 'json/simdjson/github_events.json'],
  ['read_log', 'Reads the SSH server log of the build host.', 'logs/loghub/OpenSSH_2k.log'],
  ['list_builds', 'Lists the Jenkins builds.', 'json/simdjson/apache_builds.json'],
];
const POLICY = [
  'You help maintainers of the Acme open-source projects with their repositories, builds and servers.',
  ...Array.from({ length: 60 }, (_, index) =>
    [
      `Rule ${index + 1}: before answering, use the tools to read the current state; never answer from memory.`,
      `Quote identifiers (issue numbers, build names, log lines) exactly as the tools return them.`,
      `If a tool fails, say which and why, and suggest the next step.`,
    ][index % 3]!,
  ),
].join('\n');

// A small deterministic generator, so that every run sends the same requests.
function random(seed: number) {
  let state = seed;
  return () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

async function supportApp(options: TokenfoldMiddlewareOptions): Promise<Conversation[]> {
  const framework = frameworks[0]!;
  const next = random(7);
  const outputs = new Map(SUPPORT_TOOLS.map(([name, , source]) => [name, read(source)]));
  const middleware = tokenfoldMiddleware({ ...options, store: new Keyv(), namespace: 'support' });
  const conversations: Conversation[] = [];
  for (let conversation = 0; conversation < 12; conversation++) {
    const sent: Conversation = [];
    const messages: unknown[] = [];
    for (let turn = 0; turn < 4; turn++) {
      messages.push({ role: 'user', content: `Question ${turn + 1} of customer ${conversation + 1}: what is going on with the builds and issues today?` });
      const calls = 1 + Math.floor(next() * 3);
      const requestId = `req_${Math.floor(next() * 2 ** 31).toString(36)}${Math.floor(next() * 2 ** 31).toString(36)}`;
      const { model } = framework.mockModel((call, index) => {
        sent.push({ raw: call.prompt, tools: call.tools ?? [], at: clock });
        if (index >= calls) return { text: 'Here is what I found.' };
        const [name] = SUPPORT_TOOLS[Math.floor(next() * SUPPORT_TOOLS.length)]!;
        return { toolCalls: [{ id: `c${conversation}-${turn}-${index}`, name, input: { query: 'today' } }] };
      });
      // The app assembles its tools in whatever order its registry yields them this time.
      const order = [...SUPPORT_TOOLS].sort(() => next() - 0.5);
      const tools = Object.fromEntries(
        order.map(([name, description]) => [
          name,
          framework.tool({ description, inputSchema: framework.jsonSchema({ type: 'object', properties: { query: { type: 'string' } } }), execute: async () => outputs.get(name) }),
        ]),
      );
      const result = await framework.generateText({
        model: framework.wrapLanguageModel({ model, middleware }),
        tools,
        messages,
        stopWhen: framework.stepCountIs(calls + 1),
        prepareStep: ({ stepNumber }: { stepNumber: number }) => {
          if (stepNumber > 0) clock += 5_000 + Math.floor(next() * 15_000);
          return { system: `${POLICY}\nCurrent time: ${new Date(clock).toISOString()}\nRequest id: ${requestId}` };
        },
      });
      // AI SDK 7 gives each step's own messages: the turn is all of them.
      messages.push(...result.steps.flatMap((step: { response: { messages: unknown[] } }) => step.response.messages));
      clock += 60_000 + Math.floor(next() * 14 * 60_000);
    }
    conversations.push(sent);
    clock += 30 * 60_000;
  }
  return conversations;
}

// ---------------------------------------------------------------------------------------------
// Pricing

/** A call as the price rules read it. `appBreakpoints`: the ones an app sets without tokenfold. */
function priced(call: SentCall, appBreakpoints: boolean): PricedCall {
  return pricedCall(call.raw, call.tools, call.at, { appBreakpoints });
}

interface ArmFigures {
  calls: number;
  /** Over every call but each conversation's first. */
  tokens: number;
  /** Tokens at the start identical to the previous call's, and the same counted only from 1,024 (what a cache can hold). */
  shared: number;
  eligible: number;
  /** The most that could be eligible: what the previous call sent, its context note aside. */
  ceiling: number;
  /** Calls whose breakpoints were sent with the 1-hour TTL. */
  hourTtl: number;
  anthropic: CallCost;
  openai: CallCost;
}

function figures(conversations: Conversation[], appBreakpoints: boolean): ArmFigures {
  const total = (): CallCost => ({ tokens: 0, read: 0, write: 0, uncached: 0, cost: 0 });
  const result: ArmFigures = { calls: 0, tokens: 0, shared: 0, eligible: 0, ceiling: 0, hourTtl: 0, anthropic: total(), openai: total() };
  const add = (into: CallCost, cost: CallCost) => {
    for (const key of ['tokens', 'read', 'write', 'uncached', 'cost'] as const) into[key] += cost[key];
  };
  for (const conversation of conversations) {
    const calls = conversation.map((call) => priced(call, appBreakpoints));
    const anthropic = anthropicCosts(calls);
    const openai = openAiCosts(calls, (text) => o200kCounter.count(text));
    calls.forEach((call, index) => {
      result.calls++;
      if (!appBreakpoints && call.breakpoints?.some((breakpoint) => breakpoint.ttl === '1h')) result.hourTtl++;
      add(result.anthropic, anthropic[index]!);
      add(result.openai, openai[index]!);
      if (index === 0) return;
      result.tokens += anthropic[index]!.tokens;
      const shared = sharedTokens(calls[index - 1]!.blocks, call.blocks, (text) => o200kCounter.count(text));
      result.shared += shared;
      // Both providers cache nothing shorter than 1,024 tokens.
      result.eligible += shared >= 1024 ? shared : 0;
      const previous = calls[index - 1]!.blocks;
      const note = previous.at(-1)!.text.startsWith(NOTE_HEADING) ? previous.at(-1)!.tokens : 0;
      result.ceiling += Math.min(anthropic[index - 1]!.tokens - note, anthropic[index]!.tokens);
    });
  }
  return result;
}

// The cache step alone, replayed on the requests the unaligned run sent (compressed, not yet
// aligned): the hot-path cost per model call, and the report's token counting after it.
async function overhead(conversations: Conversation[]): Promise<{ step: number[]; report: number[] }> {
  const step: number[] = [];
  const report: number[] = [];
  for (const conversation of conversations) {
    const cacheStep = createPromptCacheStep({ cacheAlign: true, source: 'bench', report: () => {} });
    const tracker = createCacheTracker({ align: true });
    for (const call of conversation) {
      const started = performance.now();
      cacheStep(call.raw, call.tools);
      step.push(performance.now() - started);
      const plan = tracker.plan(promptView(call.raw, call.tools));
      const reportStarted = performance.now();
      await plan.report();
      report.push(performance.now() - reportStarted);
    }
  }
  return { step, report };
}

// ---------------------------------------------------------------------------------------------
// Report

const number = (value: number) => Math.round(value).toLocaleString('en-US');
const share = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : 'n/a');

const workloads: Array<[name: string, run: (options: TokenfoldMiddlewareOptions) => Promise<Conversation[]>]> = [
  ['swe-agent', (options) => sweAgent(options, false)],
  ['swe-agent + time', (options) => sweAgent(options, true)],
  ['support app', supportApp],
];

const lines: string[] = [];
lines.push(`## Prompt-cache alignment (Node ${process.versions.node}, ${new Date(realNow()).toISOString().slice(0, 10)}, shared machine)`);
lines.push('');
lines.push('Written by `node --conditions=tokenfold-source bench/cache.ts --write`.');
lines.push('');
lines.push('Input tokens count every call but each conversation\'s first. "Same as the previous call": the tokens at the start of a call identical to the call before it; "cache-eligible": the same, counted only where it reaches 1,024 tokens (neither provider caches a shorter prefix); "most possible": what the previous call sent (its context note aside), since a call\'s new turn cannot be in a cache yet. Costs are in base input tokens over all calls. Anthropic: reads 0.1x, 5-minute writes 1.25x, 1-hour writes 2x, prefixes under 1,024 tokens not cached; without alignment the app marks the end of the system prompt and the last message, with it tokenfold places the breakpoints. OpenAI: automatic, from 1,024 tokens in 128-token steps, reads 0.25x (GPT-4.1).');
lines.push('');
lines.push('| workload | cacheAlign | calls | input tokens after the first call | same as the previous call | cache-eligible (most possible) | Anthropic read / write / uncached | Anthropic cost | OpenAI cached / uncached | OpenAI cost |');
lines.push('|---|---|---|---|---|---|---|---|---|---|');
const ratios: string[] = [];
const overheads: string[] = [];
const causes: string[] = [];
const ttls: string[] = [];
for (const [name, run] of workloads) {
  const armRuns = [];
  for (const cacheAlign of [false, true]) {
    const reports: CacheReport[] = [];
    const conversations = await run({ cacheAlign, onCacheReport: (report) => reports.push(report) });
    const calls = conversations.reduce((sum, conversation) => sum + conversation.length, 0);
    // Reports come right after each call; wait for the last ones.
    while (reports.length < calls) await new Promise((resolve) => setTimeout(resolve, 10));
    const entries = reports.map((report) => ({ type: 'cache-report' as const, at: 0, namespace: name, detail: { ...report } }));
    for (const cause of summarizeCacheReports(entries)[0]?.causes.slice(0, 3) ?? []) {
      causes.push(`| ${name} | ${cacheAlign ? 'on' : 'off'} | ${cause.kind} | ${cause.calls} | ${number(cause.tokens)} | \`${cause.example.replaceAll('|', '\\|').replaceAll('\n', '\\n')}\` |`);
    }
    armRuns.push(conversations);
  }
  const [without, aligned] = armRuns as [Conversation[], Conversation[]];
  const plain = figures(without, true);
  const tuned = figures(aligned, false);
  for (const [label, arm] of [['off', plain], ['on', tuned]] as const) {
    lines.push(
      `| ${name} | ${label} | ${arm.calls} | ${number(arm.tokens)} | ${share(arm.shared, arm.tokens)} | ${share(arm.eligible, arm.tokens)} (${share(arm.ceiling, arm.tokens)}) | ${number(arm.anthropic.read)} / ${number(arm.anthropic.write)} / ${number(arm.anthropic.uncached)} | ${number(arm.anthropic.cost)} | ${number(arm.openai.read)} / ${number(arm.openai.uncached)} | ${number(arm.openai.cost)} |`,
    );
  }
  ttls.push(`${name}: ${tuned.hourTtl} of ${tuned.calls} calls`);
  ratios.push(
    `| ${name} | ${(tuned.anthropic.cost / plain.anthropic.cost).toFixed(3)} | ${(tuned.anthropic.cost / plain.anthropic.tokens).toFixed(3)} | ${(tuned.openai.cost / plain.openai.cost).toFixed(3)} |`,
  );
  const { step, report: reportTimes } = await overhead(without);
  overheads.push(
    `| ${name} | ${step.length} | ${percentile(step, 0.5).toFixed(3)} ms / ${percentile(step, 0.95).toFixed(3)} ms | ${percentile(reportTimes, 0.5).toFixed(3)} ms |`,
  );
  process.stderr.write(`${name}: done\n`);
}
lines.push('');
lines.push('What broke the prefix (the first change of each call against the one before, from the `onCacheReport` events; top three kinds):');
lines.push('');
lines.push('| workload | cacheAlign | kind | calls | tokens after it | latest example |');
lines.push('|---|---|---|---|---|---|');
lines.push(...causes);
lines.push('');
lines.push('Cost with alignment / cost without:');
lines.push('');
lines.push('| workload | Anthropic | Anthropic, against sending everything uncached (no breakpoints) | OpenAI |');
lines.push('|---|---|---|---|');
lines.push(...ratios);
lines.push('');
lines.push(`Calls where tokenfold chose the 1-hour TTL from the measured gaps (the rest: 5 minutes): ${ttls.join('; ')}.`);
lines.push('');
lines.push('Overhead of the cache step per model call (view, plan, rewrite; on the agent\'s path), and of the report after it (token counting, while the model works):');
lines.push('');
lines.push('| workload | calls | cache step p50 / p95 | report p50 |');
lines.push('|---|---|---|---|');
lines.push(...overheads);
Date.now = realNow;
const text = lines.join('\n');
console.log(text);
if (argv.includes('--write')) writeFileSync(new URL('./cache-results.md', import.meta.url), `${text}\n`);
