import { existsSync, readFileSync } from 'node:fs';
import type { BaseMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { AIMessage, createAgent, HumanMessage, tool, ToolMessage } from 'langchain';
import { findMarkers, o200kCounter, unfold } from 'tokenfold';
import { TokenfoldCallbackHandler, tokenfoldMiddleware } from 'tokenfold/langchain';
import { z } from 'zod';

/*
 * A LangChain agent (`createAgent`) reads a 2,000-line HDFS log through a tool. The tokenfold
 * middleware compresses the log as it comes back from the tool, so the agent state and every
 * later model call hold the compressed text; the model unfolds a marker and gets the original
 * lines back, byte-exact. A TokenfoldCallbackHandler reports what was saved.
 *
 *   npm run example:langchain-agent
 *
 * Offline by default: LangChain's fake chat model plays the agent. With OPENAI_API_KEY set, the
 * same agent runs on `openai:gpt-4o-mini` (LANGCHAIN_MODEL picks another, e.g.
 * `anthropic:claude-sonnet-4-5` once `@langchain/anthropic` is installed).
 */

const question = 'Which DataNodes hit exceptions while serving blocks, and what happened to those blocks before?';
const systemPrompt =
  'You read logs to answer questions. Tool results may hold [[fold ID: …]] markers; call unfold with the id to read what they hide.';
const namespace = 'example';
const corpus = new URL('../../../shared/corpora/logs/loghub/HDFS_2k.log', import.meta.url);
const log = existsSync(corpus) ? readFileSync(corpus, 'utf8') : syntheticLog();

const readLog = tool(async () => log, {
  name: 'read_log',
  description: 'Returns the whole HDFS log of the last hour.',
  schema: z.object({}),
});

const realModel = await providerModel();
const scripted = scriptedModel();
const report = new TokenfoldCallbackHandler();
const agent = createAgent({
  model: realModel ?? scripted,
  tools: [readLog],
  systemPrompt,
  // Compresses tool results and adds the unfold tool; exact counts make the report match below.
  middleware: [tokenfoldMiddleware({ namespace, exactCounts: true })],
});

console.log(realModel ? `Model: ${realModel}` : 'Model: LangChain fakeModel, offline (set OPENAI_API_KEY for a real one)');
const state = await agent.invoke({ messages: [new HumanMessage(question)] }, { callbacks: [report] });

const count = (text: string) => o200kCounter.count(text);
const toolMessages = state.messages.filter((message) => ToolMessage.isInstance(message)) as ToolMessage[];
const seen = toolMessages.find((message) => message.name === 'read_log')?.text;
if (seen === undefined) throw new Error('the agent did not read the log');

console.log(`\nTool output: ${count(log).toLocaleString()} tokens -> ${count(seen).toLocaleString()} tokens in the agent state`);
console.log('What the model read (first lines):');
console.log(indent(seen.split('\n').slice(0, 8).join('\n')));

const unfoldCall = state.messages
  .flatMap((message) => (AIMessage.isInstance(message) ? (message.tool_calls ?? []) : []))
  .find((call) => call.name === 'unfold');
if (unfoldCall) {
  const answer = toolMessages.find((message) => message.tool_call_id === unfoldCall.id)!.text;
  const stored = await unfold(String(unfoldCall.args.id), { namespace });
  console.log(`\nUnfold round trip: fold ${unfoldCall.args.id} -> ${answer.length.toLocaleString()} characters`);
  console.log(`  byte-exact with the stored original: ${stored.status === 'ok' && stored.text === answer ? 'yes' : 'no'}`);
  console.log(`  a verbatim span of the log: ${log.includes(answer) ? 'yes' : 'no'}`);
}

const { totals } = report;
console.log(
  `\nTokenfoldCallbackHandler: ${totals.compressed}/${totals.outputs} tool outputs compressed, ` +
    `${totals.tokensBefore.toLocaleString()} -> ${totals.tokensAfter.toLocaleString()} tokens, ${totals.folds} folds, ${totals.unfolds} unfold(s)`,
);

if (!realModel) {
  // The same conversation without tokenfold, to compare what the model is sent over the loop.
  const baseline = scriptedModel();
  await createAgent({ model: baseline, tools: [readLog], systemPrompt }).invoke({ messages: [new HumanMessage(question)] });
  const sent = (calls: Array<{ messages: BaseMessage[] }>) =>
    calls.reduce((sum, call) => sum + call.messages.reduce((inner, message) => inner + count(message.text), 0), 0);
  console.log(`Input tokens over the loop: ${sent(baseline.calls).toLocaleString()} without tokenfold, ${sent(scripted.calls).toLocaleString()} with`);
  console.log(`  (${baseline.callCount} model calls without, ${scripted.callCount} with, the extra one being the unfold)`);
}
console.log(`\nAnswer: ${state.messages.at(-1)!.text}`);

/** The fake model's part: read the log, unfold the smallest fold (cheap to show), then answer. */
function scriptedModel() {
  return fakeModel()
    .respondWithTools([{ name: 'read_log', args: {}, id: 'call-read' }])
    .respond((messages) => {
      const read = messages.findLast((message) => ToolMessage.isInstance(message))!.text;
      const smallest = findMarkers(read)
        .map((marker) => ({ id: marker.id, size: Number(/^\[\[fold \d+: (\d+) /.exec(read.slice(marker.index))?.[1] ?? Infinity) }))
        .sort((a, b) => a.size - b.size)[0];
      if (!smallest) return answerFrom(messages);
      return new AIMessage({ content: '', tool_calls: [{ name: 'unfold', args: { id: smallest.id }, id: 'call-unfold', type: 'tool_call' }] });
    })
    .respond(answerFrom);
}

function answerFrom(messages: BaseMessage[]): AIMessage {
  const read = messages.filter((message) => ToolMessage.isInstance(message)).map((message) => message.text).join('\n');
  const problems = read.split('\n').filter((line) => /\b(ERROR|WARN|FATAL)\b/.test(line));
  return new AIMessage(`${problems.length} error/warning lines in view; the first: ${problems[0]?.trim() ?? 'none'}`);
}

/** `provider:model` when a key is set and the provider's package is installed, else undefined. */
async function providerModel(): Promise<string | undefined> {
  const wanted = process.env.LANGCHAIN_MODEL ?? (process.env.OPENAI_API_KEY ? 'openai:gpt-4o-mini' : undefined);
  if (!wanted) return undefined;
  const provider = wanted.split(':')[0];
  try {
    await import(`@langchain/${provider}`);
    return wanted;
  } catch {
    console.log(`${wanted} needs @langchain/${provider}: npm install @langchain/${provider}. Running offline instead.`);
    return undefined;
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line.length > 160 ? `${line.slice(0, 157)}...` : line}`)
    .join('\n');
}

// Used only when the shared corpora are not next to the repo.
function syntheticLog(): string {
  const lines: string[] = [];
  for (let index = 0; index < 2000; index++) {
    const time = `2015-10-18 18:${String(10 + Math.floor(index / 60)).padStart(2, '0')}:${String(index % 60).padStart(2, '0')},${String(index % 1000).padStart(3, '0')}`;
    if (index % 397 === 200) lines.push(`${time} ERROR [RMCommunicator] org.apache.hadoop.mapreduce.v2.app.rm.RMContainerAllocator: ERROR IN CONTACTING RM.`);
    else if (index % 251 === 100) lines.push(`${time} WARN [LeaseRenewer] org.apache.hadoop.hdfs.LeaseRenewer: Failed to renew lease for 30 seconds.`);
    else lines.push(`${time} INFO [AsyncDispatcher event handler] org.apache.hadoop.mapreduce.v2.app.job.impl.TaskAttemptImpl: attempt_${index} TaskAttempt Transitioned from NEW to UNASSIGNED`);
  }
  return `${lines.join('\n')}\n`;
}
