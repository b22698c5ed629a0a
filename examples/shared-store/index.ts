import { existsSync, readFileSync } from 'node:fs';
import { generateText, jsonSchema, stepCountIs, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import Keyv from 'keyv';
import { findMarkers, readLedger, settleLedger, summarizeLedger, usageByPolicy, type NetSavings } from 'tokenfold';
import { tokenfoldMiddleware, unfoldTool } from 'tokenfold/ai';

/*
 * A supervisor and its sub-agent on one store and namespace (AI SDK, the sub-agent called as a
 * tool). The sub-agent reads a 2,000-line OpenSSH log and reports what it saw, folds included;
 * the supervisor unfolds one of the sub-agent's folds by its id, then reads the same log itself and
 * gets the very same folds, stored once. At the end, the store's ledger: net savings and what
 * each model call cost, as the (scripted) provider reported it.
 *
 *   npm run example:shared-store
 *
 * Offline: both models are scripted mocks (they report usage as a provider with prompt caching
 * would). The store is an in-memory Keyv shared by both; across processes or machines use
 * `createRedisStore('redis://…')` instead (test/session-shared.test.ts runs this on Redis, with
 * the AI SDK and with two LangChain agents).
 */

const corpus = new URL('../../../shared/corpora/logs/loghub/OpenSSH_2k.log', import.meta.url);
const log = existsSync(corpus) ? readFileSync(corpus, 'utf8') : syntheticLog();
const store = new Keyv(); // in production: createRedisStore(url), one for the whole team of agents
const namespace = 'incident-4711'; // one namespace per task, shared by the supervisor and its sub-agents
const savings = new Map<string, NetSavings>();
const readLog = tool({
  description: 'Returns the SSH server log of the build host.',
  inputSchema: jsonSchema<Record<string, never>>({ type: 'object', properties: {} }),
  execute: async () => log,
});

/** The sub-agent: reads the log, answers with what it saw (its last tool result, as sent to it). */
async function researchAgent(): Promise<string> {
  const model = scriptedModel((prompt) => {
    const results = toolResultTexts(prompt);
    if (results.length === 0) return { toolCall: { id: 'sub-read', name: 'readLog', input: {} } };
    return { text: `The log, as I read it:\n${results[0]}` };
  });
  const { text } = await generateText({
    model: wrapLanguageModel({ model, middleware: tokenfoldMiddleware({ store, namespace, session: true, onCompress: (_result, total) => savings.set('sub-agent', total) }) }),
    tools: { readLog, unfold: unfoldTool({ store, namespace }) },
    prompt: 'Which hosts tried to log in as root?',
    stopWhen: stepCountIs(3),
  });
  return text;
}

let subAgentFolds: string[] = [];
let ownFolds: string[] = [];
let unfolded = '';
const supervisor = scriptedModel((prompt) => {
  const results = toolResultTexts(prompt);
  if (results.length === 0) return { toolCall: { id: 'sup-research', name: 'research', input: {} } };
  if (results.length === 1) {
    // Open one of the sub-agent's folds by its id: the repeats of a line about root, root lines only.
    const report = results[0]!;
    const markers = findMarkers(report);
    subAgentFolds = markers.map((marker) => marker.id);
    const lineAbove = (index: number) => report.slice(report.lastIndexOf('\n', index - 2) + 1, index);
    const aboutRoot = markers.find((marker) => lineAbove(marker.index).includes('root')) ?? markers[0]!;
    return { toolCall: { id: 'sup-unfold', name: 'unfold', input: { id: aboutRoot.id, grep: 'root' } } };
  }
  if (results.length === 2) {
    unfolded = results[1]!;
    return { toolCall: { id: 'sup-read', name: 'readLog', input: {} } };
  }
  ownFolds = findMarkers(results[2]!).map((marker) => marker.id);
  return { text: 'Root logins were tried from the hosts listed; see the unfolded lines.' };
});

await generateText({
  model: wrapLanguageModel({
    model: supervisor,
    // The sub-agent's answer is compressed already and its markers are real: list its tool in
    // skipTools, since compressing it again would escape them as look-alikes.
    middleware: tokenfoldMiddleware({ store, namespace, session: true, skipTools: ['research'], onCompress: (_result, total) => savings.set('supervisor', total), onUnfold: (event) => savings.set('supervisor', event.savings) }),
  }),
  tools: {
    research: tool({ description: 'Asks the log sub-agent.', inputSchema: jsonSchema<Record<string, never>>({ type: 'object', properties: {} }), execute: researchAgent }),
    readLog,
    unfold: unfoldTool({ store, namespace }),
  },
  prompt: 'Find out who tried to log in as root on the build host.',
  stopWhen: stepCountIs(6),
});

const lines = unfolded.split('\n').filter((line) => line.trim() !== '');
console.log(`The sub-agent sent back ${subAgentFolds.length} folds; the supervisor unfolded one of them by its id with grep "root": ${lines.length} lines, e.g.`);
console.log(lines.slice(0, 3).map((line) => `  ${line.slice(0, 140)}`).join('\n'));
const same = ownFolds.length === subAgentFolds.length && ownFolds.every((id, index) => id === subAgentFolds[index]);
console.log(`\nThe supervisor read the same log itself: ${ownFolds.length} folds, ${same ? 'the same ids as the sub-agent\'s (stored once)' : 'NOT the same ids'}.`);

await settleLedger();
const entries = await readLedger(store, { namespace });
// Savings are compressions, references, history folds and unfolds; usage and cache reports have sections of their own.
const { total } = summarizeLedger(entries.filter((entry) => entry.type !== 'usage' && entry.type !== 'cache-report'));
console.log(`\nLedger of namespace ${namespace}: ${total.calls} compressed outputs, ${total.tokensBefore.toLocaleString('en-US')} tokens before, ${total.tokensAfter.toLocaleString('en-US')} after, ${total.unfolds} unfold(s) reading back ${total.tokensReturned.toLocaleString('en-US')}: ${total.netSaved.toLocaleString('en-US')} tokens saved net.`);
for (const [agent, net] of savings) console.log(`  ${agent}, as its onCompress/onUnfold events last said: ${net.tokensSaved.toLocaleString('en-US')} saved, ${net.tokensReturned.toLocaleString('en-US')} read back, ${net.netSaved.toLocaleString('en-US')} net`);
const usage = usageByPolicy(entries).keep;
if (usage) {
  console.log(`Provider usage (session 'keep'): ${usage.calls} model calls, ${usage.inputTokens.toLocaleString('en-US')} input tokens, ${usage.cacheReadTokens.toLocaleString('en-US')} read from the cache, ${usage.cacheWriteTokens.toLocaleString('en-US')} written to it.`);
}

type Turn = { text: string } | { toolCall: { id: string; name: string; input: unknown } };

/**
 * A mock model that plays `decide`. Its usage counts the prompt's characters / 4 as input tokens,
 * all but the newest message read from a prompt cache, as a provider with prompt caching reports it.
 */
function scriptedModel(decide: (prompt: Array<{ role: string; content: unknown }>) => Turn) {
  return new MockLanguageModelV4({
    doGenerate: async ({ prompt }) => {
      const turn = decide(prompt as never);
      const size = (value: unknown) => Math.ceil(JSON.stringify(value).length / 4);
      const input = size(prompt);
      const newest = size(prompt.at(-1));
      const usage = {
        inputTokens: { total: input, noCache: 0, cacheRead: input - newest, cacheWrite: newest },
        outputTokens: { total: 20, text: 20, reasoning: 0 },
      };
      if ('text' in turn) return { content: [{ type: 'text' as const, text: turn.text }], finishReason: { unified: 'stop' as const, raw: undefined }, usage, warnings: [] };
      const { id, name, input: args } = turn.toolCall;
      return {
        content: [{ type: 'tool-call' as const, toolCallId: id, toolName: name, input: JSON.stringify(args) }],
        finishReason: { unified: 'tool-calls' as const, raw: undefined },
        usage,
        warnings: [],
      };
    },
  });
}

/** The text of each tool result in a prompt, in order. */
function toolResultTexts(prompt: Array<{ role: string; content: unknown }>): string[] {
  return prompt
    .filter((message) => message.role === 'tool')
    .flatMap((message) => message.content as Array<{ type: string; output?: { type: string; value: unknown } }>)
    .map((part) => (part.output?.type === 'text' ? String(part.output.value) : JSON.stringify(part.output?.value ?? '')));
}

/** A stand-in log for checkouts without ../shared/corpora. */
function syntheticLog(): string {
  return Array.from({ length: 2000 }, (_, index) => {
    const user = index % 53 === 0 ? 'root' : `user${index % 7}`;
    return `Dec 10 06:${String(Math.floor(index / 60) % 60).padStart(2, '0')}:${String(index % 60).padStart(2, '0')} LabSZ sshd[${24200 + index}]: Failed password for ${user} from 173.234.31.${index % 250} port ${38000 + index} ssh2`;
  }).join('\n');
}
