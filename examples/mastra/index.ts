import { existsSync, readFileSync } from 'node:fs';
import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { findMarkers, o200kCounter, unfold, type CompressResult } from 'tokenfold';
import { tokenfoldProcessor } from 'tokenfold/mastra';
import { z } from 'zod';
import { scriptedModel, toolResultsIn, type ModelTurn } from './scripted-model.ts';

/*
 * A Mastra agent reads a 2,000-line Hadoop log through a tool. The tokenfold processor compresses
 * the log before the model's next step and offers the `unfold` tool; the model unfolds a marker
 * and gets the original lines back, byte-exact.
 *
 *   npm run example:mastra
 *
 * Offline by default: a scripted model plays the agent. With OPENAI_API_KEY set (or MASTRA_MODEL
 * set to any Mastra model id, e.g. `anthropic/claude-sonnet-4-5` with ANTHROPIC_API_KEY), the same
 * agent runs on that model through Mastra's model router; no extra package is needed.
 */

const question = 'Which errors and warnings did the MapReduce job hit, and what happened before the first one?';
const corpus = new URL('../../../shared/corpora/logs/loghub/Hadoop_2k.log', import.meta.url);
const log = existsSync(corpus) ? readFileSync(corpus, 'utf8') : syntheticLog();

const compressions: CompressResult[] = [];
const tokenfold = tokenfoldProcessor({ namespace: 'example', onCompress: (result) => compressions.push(result) });

const readLog = createTool({
  id: 'readLog',
  description: 'Returns the whole application log of the last MapReduce job.',
  inputSchema: z.object({}),
  execute: async () => log,
});

const realModel = process.env.MASTRA_MODEL ?? (process.env.OPENAI_API_KEY ? 'openai/gpt-4o-mini' : undefined);
const scripted = scriptedModel(playAgent);
const agent = new Agent({
  id: 'log-reader',
  name: 'Log reader',
  instructions:
    'You read logs to answer questions. Tool results may hold [[fold ID: …]] markers; call unfold with the id to read what they hide.',
  model: realModel ?? scripted.model,
  tools: { readLog },
  inputProcessors: [tokenfold], // offers the unfold tool at every step
  outputProcessors: [tokenfold], // compresses each tool result once, as it arrives
});

console.log(realModel ? `Model: ${realModel} (Mastra model router)` : 'Model: scripted, offline (set OPENAI_API_KEY or MASTRA_MODEL for a real one)');
const result = await agent.generate(question, { maxSteps: 6 });

const count = (text: string) => o200kCounter.count(text);
const toolResults = result.steps.flatMap((step) => step.toolResults).map((chunk) => chunk.payload);
const seen = toolResults.find((payload) => payload.toolName === 'readLog')?.result;
if (typeof seen !== 'string') throw new Error('the agent did not read the log');

console.log(`\nTool output: ${count(log).toLocaleString()} tokens -> ${count(seen).toLocaleString()} tokens sent to the model`);
console.log(`Compressions: ${compressions.length} (the result is compressed once; later steps and memory reuse it)`);
console.log(`Model calls: ${result.steps.length}`);
const seenLines = seen.split('\n');
const firstFold = Math.max(0, seenLines.findIndex((line) => findMarkers(line).length > 0));
console.log('\nWhat the model read, around the first fold:');
console.log(indent(seenLines.slice(Math.max(0, firstFold - 2), firstFold + 4).join('\n')));

const unfoldCall = toolResults.find((payload) => payload.toolName === 'unfold');
if (unfoldCall) {
  const id = String((unfoldCall.args as { id?: unknown }).id);
  const stored = await unfold(id, { namespace: 'example' });
  const answer = String(unfoldCall.result);
  const verbatim = answer
    .replace(/\n$/, '')
    .split('\n')
    .every((line) => log.includes(line));
  console.log(`\nUnfold round trip: fold ${id} -> ${answer.length.toLocaleString()} characters`);
  console.log(`  byte-exact with the stored original: ${stored.status === 'ok' && stored.text === answer ? 'yes' : 'no'}`);
  console.log(`  every line verbatim from the log: ${verbatim ? 'yes' : 'no'}`);
}

console.log(`\nAnswer: ${result.text}`);

/** The scripted model: read the log, unfold the smallest fold (cheap to show), then answer. */
function playAgent(prompt: Parameters<Parameters<typeof scriptedModel>[0]>[0], step: number): ModelTurn {
  if (step === 0) return { toolCalls: [{ toolCallId: 'call-read', toolName: 'readLog', input: {} }] };
  const last = toolResultsIn(prompt).at(-1)!;
  if (last.toolName === 'readLog') {
    const markers = findMarkers(last.text).map((marker) => {
      const size = /^\[\[fold \d+: (\d+) /.exec(last.text.slice(marker.index, marker.index + marker.length));
      return { id: marker.id, size: size ? Number(size[1]) : Infinity };
    });
    const smallest = markers.sort((a, b) => a.size - b.size)[0];
    if (smallest) return { toolCalls: [{ toolCallId: 'call-unfold', toolName: 'unfold', input: { id: smallest.id } }] };
  }
  const read = toolResultsIn(prompt).map((result) => result.text).join('\n');
  const problems = read.split('\n').filter((line) => /\b(ERROR|WARN|FATAL)\b/.test(line));
  return { text: `${problems.length} error/warning lines; the first: ${problems[0]?.trim() ?? 'none'}` };
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
