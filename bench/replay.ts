/*
 * Session replay: a real SWE-agent trajectory (../shared/corpora/agent/swe-agent/*.traj) played
 * step by step through an adapter's real code path, with a scripted model that issues the
 * recorded actions as tool calls, so that benchmarks can count what the model would be sent.
 *
 * API (used by bench/session.ts and bench/cache.ts):
 *
 *   import { loadReplays, replayTrajectory } from './replay.ts';
 *   const [trajectory] = loadReplays({ only: 'marshmallow' });
 *   const run = await replayTrajectory(trajectory, { middleware: { session: { history: 'batch' } } });
 *   for (const call of run.calls) call.prompt;   // SentMessage[]: what the model got, in order
 *   run.facts;                                   // { visible, unfolded, missing } over the run
 *
 * - `loadReplays(options)` reads every trajectory with its real system prompt and first user
 *   message (the task, instructions and any demonstration, as SWE-agent sent them).
 * - `replayTrajectory(trajectory, options)` runs one AI SDK 7 `generateText` loop with a
 *   MockLanguageModelV4 through `wrapLanguageModel` and, unless `middleware` is `false`,
 *   `tokenfoldMiddleware(middleware)` from tokenfold/ai. Each recorded step is one model call that
 *   answers with the step's thought as text and its action as one tool call; the tool returns the
 *   recorded observation. Tool names: SWE-agent's own commands (`open`, `edit`, `goto`, ...) are
 *   tools of that name, anything else is `bash`; the input is `{ command: action }`.
 * - Before issuing an action, the scripted model checks the facts that action uses (the paths,
 *   line numbers and error lines of bench/fidelity.ts `extractReferences`, taken from earlier
 *   observations). A fact that is neither visible in the prompt nor missing from every fold whose
 *   marker is visible is unfolded first: one extra model call with one `unfold` call per fold
 *   (`grep` for the fact, or the whole fold when the fact runs through a marker). Each fact is
 *   then counted visible (before any unfold), unfolded (visible after the one unfold round) or
 *   missing. A run ends with one call that answers text.
 * - `calls[i].prompt` is the prompt as the middleware passed it to the model (after compression),
 *   as neutral messages: `{ role, text }`, tool calls as `name {json input}`, tool results as the
 *   text the provider would send. `calls[i].raw` is the AI SDK prompt itself, and `usage` what the
 *   mock reported (zeros: count tokens from `prompt`). `stepMilliseconds` is the time each model
 *   call spent in the middleware (transformParams to the model), for overhead medians.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateText, jsonSchema, stepCountIs, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import Keyv from 'keyv';
import { tokenfoldMiddleware, unfoldTool, type TokenfoldMiddlewareOptions } from 'tokenfold/ai';
import { loadAgent, type AgentTrajectory } from './corpora.ts';
import { extractReferences, locate, viewOf, type Reference } from './fidelity.ts';

const corporaDir = new URL('../../shared/corpora/', import.meta.url).pathname;

/** SWE-agent's own commands: each is replayed as a tool of its name. */
const SWE_COMMANDS = new Set([
  'open', 'goto', 'scroll_up', 'scroll_down', 'create', 'edit', 'insert', 'append', 'search_file', 'search_dir',
  'find_file', 'submit', 'str_replace_editor', 'filemap', 'python_lint', 'set_cursors', 'decompile', 'disassemble',
  'debug_start', 'debug_add_breakpoint', 'debug_continue', 'debug_step', 'debug_exec', 'debug_stop', 'connect_start',
  'connect_sendline', 'connect_exec', 'connect_stop', 'exit_forfeit',
]);

/** A trajectory ready to replay. */
export interface Replay extends AgentTrajectory {
  system: string;
  /** The first user message as SWE-agent sent it. */
  user: string;
}

/** One message as the model received it. */
export interface SentMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  text: string;
}

/** One model call of a replay. */
export interface ReplayCall {
  /** `action`: issues step `step`'s action; `unfold`: unfolds facts step `step` needs; `final`: answers. */
  purpose: 'action' | 'unfold' | 'final';
  step: number;
  prompt: SentMessage[];
  raw: unknown[];
  /** The tools as the middleware passed them to the model (bench/cache.ts reads their order). */
  tools?: unknown[];
  usage?: unknown;
}

export interface FactTally {
  visible: number;
  unfolded: number;
  missing: number;
}

export interface ReplayRun {
  id: string;
  calls: ReplayCall[];
  /** Unfold tool calls made. */
  unfolds: number;
  facts: FactTally;
  /** Time in the middleware per model call, in ms (absent without middleware). */
  stepMilliseconds: number[];
}

export interface ReplayOptions {
  /** Options of `tokenfoldMiddleware`, or `false` for no middleware. `store` defaults to a fresh Keyv. */
  middleware?: TokenfoldMiddlewareOptions | false;
  /**
   * The system prompt of each model call (0-based), instead of the trajectory's own: bench/cache.ts
   * replays an app whose system prompt carries the current time.
   */
  systemAt?: (call: number) => string;
}

/** Every SWE-agent trajectory of the corpora with its system prompt and first user message. */
export function loadReplays(options: { only?: string } = {}): Replay[] {
  const directory = join(corporaDir, 'agent', 'swe-agent');
  return loadAgent(corporaDir)
    .filter((trajectory) => !options.only || trajectory.id.includes(options.only))
    .map((trajectory) => {
      const history = (JSON.parse(readFileSync(join(directory, trajectory.id), 'utf8')).history ?? []) as Array<{ role?: string; content?: unknown }>;
      const system = history.find((message) => message.role === 'system');
      const user = history.find((message) => message.role === 'user');
      return { ...trajectory, system: textOf(system?.content), user: textOf(user?.content) };
    });
}

/** The facts (paths, line numbers, error lines of earlier observations) each step's action uses. */
export function factsPerStep(trajectory: AgentTrajectory): Reference[][] {
  const seen = new Set<string>();
  return trajectory.steps.map((_, step) => {
    const references = extractReferences(trajectory.steps.slice(0, step + 1)).flat();
    const fresh = references.filter((reference) => !seen.has(`${reference.kind}\u0000${reference.needle}`));
    for (const reference of references) seen.add(`${reference.kind}\u0000${reference.needle}`);
    return fresh;
  });
}

/** Replays one trajectory through the AI SDK middleware (see the header). */
export async function replayTrajectory(trajectory: Replay, options: ReplayOptions = {}): Promise<ReplayRun> {
  const store = (options.middleware && options.middleware.store) || new Keyv();
  const namespace = options.middleware ? options.middleware.namespace : undefined;
  const facts = factsPerStep(trajectory);
  const tally: FactTally = { visible: 0, unfolded: 0, missing: 0 };
  const calls: ReplayCall[] = [];
  let unfolds = 0;
  let step = 0;
  let unfoldedFor = -1;
  const needsUnfold = new Set<string>();
  const timing = { entered: [] as number[], reached: [] as number[] };

  const decide = async (prompt: unknown[]) => {
    const sent = sentMessages(prompt);
    const view = await viewOf(sent.map((message) => message.text).join('\n'), store, namespace);
    if (step >= trajectory.steps.length) return { purpose: 'final' as const, reply: { content: [{ type: 'text', text: 'done' }] } };
    const needs = facts[step]!.map((fact) => ({ fact, where: locate(view, fact.needle) }));
    const toUnfold = needs.filter((need) => need.where === 'folded');
    if (toUnfold.length > 0 && unfoldedFor !== step) {
      unfoldedFor = step;
      for (const { fact } of toUnfold) needsUnfold.add(fact.needle);
      const requests = new Map<string, { id: string; grep?: string }>();
      for (const { fact } of toUnfold) {
        const id = [...view.folds].find(([, original]) => original.includes(fact.needle))?.[0];
        const request = id ? { id, grep: escapeRegex(fact.needle.slice(0, 200)) } : { id: [...view.folds.keys()][0]! };
        requests.set(`${request.id}\u0000${request.grep ?? ''}`, request);
      }
      const content = [...requests.values()].map((input, index) => ({
        type: 'tool-call', toolCallId: `unfold-${step}-${index}`, toolName: 'unfold', input: JSON.stringify(input),
      }));
      unfolds += content.length;
      return { purpose: 'unfold' as const, reply: { content } };
    }
    for (const need of needs) {
      if (need.where === 'visible') tally[needsUnfold.has(need.fact.needle) ? 'unfolded' : 'visible']++;
      else tally.missing++;
    }
    needsUnfold.clear();
    const { action, thought } = trajectory.steps[step]!;
    const content = [
      ...(thought.trim() ? [{ type: 'text', text: thought }] : []),
      { type: 'tool-call', toolCallId: `step-${step}`, toolName: toolNameOf(action), input: JSON.stringify({ command: action }) },
    ];
    step++;
    return { purpose: 'action' as const, reply: { content } };
  };

  const model = new MockLanguageModelV4({
    doGenerate: async (params: { prompt: unknown[]; tools?: unknown[] }) => {
      timing.reached.push(performance.now());
      const { purpose, reply } = await decide(params.prompt);
      calls.push({ purpose, step: purpose === 'final' ? step : purpose === 'action' ? step - 1 : step, prompt: sentMessages(params.prompt), raw: params.prompt, tools: params.tools });
      const called = reply.content.some((part) => part.type === 'tool-call');
      return {
        content: reply.content,
        finishReason: { unified: called ? 'tool-calls' : 'stop', raw: undefined },
        usage: { inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 0, text: 0, reasoning: 0 } },
        warnings: [],
      };
    },
  } as never);

  // Times the middleware: from entering transformParams to the model being called.
  const entry = {
    specificationVersion: 'v3',
    transformParams: async ({ params }: { params: unknown }) => {
      timing.entered.push(performance.now());
      return params;
    },
  };
  const middleware = options.middleware === false ? [entry] : [entry, tokenfoldMiddleware({ ...options.middleware, store })];
  const commandTool = tool({
    description: 'Runs a command.',
    inputSchema: jsonSchema<{ command: string }>({ type: 'object', properties: { command: { type: 'string' } }, required: ['command'] }),
    execute: async (_input: { command: string }, { toolCallId }: { toolCallId: string }) => trajectory.steps[Number(toolCallId.slice(5))]?.observation ?? '',
  });
  const tools: Record<string, unknown> = { unfold: unfoldTool({ store, namespace }) };
  for (const { action } of trajectory.steps) tools[toolNameOf(action)] = commandTool;

  await generateText({
    model: wrapLanguageModel({ model, middleware: middleware as never }),
    tools: tools as never,
    system: trajectory.system,
    ...(options.systemAt && { prepareStep: ({ stepNumber }: { stepNumber: number }) => ({ system: options.systemAt!(stepNumber) }) }),
    prompt: trajectory.user,
    stopWhen: stepCountIs(trajectory.steps.length * 2 + 2),
  } as never);
  const stepMilliseconds = timing.entered.map((start, index) => timing.reached[index]! - start);
  return { id: trajectory.id, calls, unfolds, facts: tally, stepMilliseconds };
}

/** The tool an action is replayed as. */
export function toolNameOf(action: string): string {
  const first = action.trim().split(/\s+/, 1)[0] ?? '';
  return SWE_COMMANDS.has(first) ? first : 'bash';
}

/** An AI SDK prompt as neutral messages (see the header). */
export function sentMessages(prompt: unknown[]): SentMessage[] {
  return (prompt as Array<{ role: SentMessage['role']; content: unknown }>).map((message) => {
    if (typeof message.content === 'string') return { role: message.role, text: message.content };
    const parts = (message.content as Array<Record<string, any>>).map((part) => {
      if (part.type === 'text' || part.type === 'reasoning') return String(part.text);
      if (part.type === 'tool-call') return `${part.toolName} ${JSON.stringify(part.input)}`;
      if (part.type === 'tool-result') return typeof part.output?.value === 'string' ? part.output.value : JSON.stringify(part.output?.value);
      return '';
    });
    return { role: message.role, text: parts.join('\n') };
  });
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (part && typeof part === 'object' && 'text' in part ? String(part.text) : '')).join('\n');
  return '';
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
