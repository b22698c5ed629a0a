import { existsSync, readFileSync } from 'node:fs';
import { gateway, generateText, jsonSchema, stepCountIs, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import Keyv from 'keyv';
import { findMarkers, o200kCounter, type CompressResult } from 'tokenfold';
import { tokenfoldMiddleware, unfoldTool } from 'tokenfold/ai';

/*
 * An AI SDK agent loop (`generateText` with tools and `stopWhen`) reads a 2,000-line Hadoop log
 * through a tool. `tokenfoldMiddleware` compresses the log before each model call; the model
 * unfolds one marker with the `unfold` tool and gets the original lines back, byte-exact.
 *
 *   npm run example:ai-sdk
 *
 * Offline by default: a scripted mock model plays the agent. With AI_GATEWAY_API_KEY set, the same
 * loop runs on a real model through the Vercel AI Gateway (AI_MODEL picks it, default
 * `openai/gpt-4.1-mini`). For a provider package instead, e.g. `npm install @ai-sdk/openai` and
 * pass `openai('gpt-4.1-mini')` as the model to wrapLanguageModel.
 *
 * With `autoUnfold: true` the middleware would offer and answer unfold itself, and the steps below
 * would not show the unfold call; here the app offers the tool, so the round trip is visible.
 */

const question = 'Why did the MapReduce job fail, and which errors came first?';
const corpus = new URL('../../../shared/corpora/logs/loghub/Hadoop_2k.log', import.meta.url);
const log = existsSync(corpus) ? readFileSync(corpus, 'utf8') : syntheticLog();

const store = new Keyv(); // in production: createSqliteStore(), or Keyv over Redis, with a TTL
const namespace = 'example-conversation';
const compressed: CompressResult[] = [];
const model = wrapLanguageModel({
  model: providerModel() ?? scriptedModel(),
  middleware: tokenfoldMiddleware({ store, namespace, onCompress: (result) => compressed.push(result) }),
});

const result = await generateText({
  model,
  system: 'You read logs to answer questions. Tool results may hold [[fold ID: …]] markers; call unfold with the id to read what they hide.',
  prompt: question,
  tools: {
    readLog: tool({
      description: 'Returns the whole log of the last MapReduce job.',
      inputSchema: jsonSchema<Record<string, never>>({ type: 'object', properties: {} }),
      execute: async () => log,
    }),
    unfold: unfoldTool({ store, namespace }),
  },
  stopWhen: stepCountIs(6),
});

console.log(`Question: ${question}\n`);
// compress() estimates tokensBefore on inputs over 4 KiB (counting every token of a huge input would
// cost more than compressing it); the example counts the log exactly, once, for every figure below.
const rawTokens = o200kCounter.count(log);
for (const compression of compressed) {
  const saved = 100 * (1 - compression.tokensAfter / rawTokens);
  console.log(
    `Tool output (${compression.kind}): ${rawTokens.toLocaleString('en-US')} -> ${compression.tokensAfter.toLocaleString('en-US')} tokens (o200k, exact), ${saved.toFixed(1)}% saved, ${compression.folds.length} folds`,
  );
}
result.steps.forEach((step, index) => {
  const calls = step.toolCalls.map((call) => `${call.toolName}(${JSON.stringify(call.input)})`).join(', ');
  console.log(`Step ${index + 1}: ${calls || `answer: ${step.text}`}`);
});

const logLines = new Set(log.split('\n'));
for (const step of result.steps) {
  for (const toolResult of step.toolResults) {
    if (toolResult.toolName !== 'unfold') continue;
    const lines = String(toolResult.output).split('\n');
    const exact = lines.every((line) => logLines.has(line.replace(/^\d+: /, '')));
    console.log(`\nunfold(${JSON.stringify(toolResult.input)}) returned ${lines.length} lines, ${exact ? 'each one byte-exact from the original log' : 'NOT matching the log'}:`);
    console.log(lines.slice(0, 4).map((line) => `  ${line.slice(0, 140)}`).join('\n'));
  }
}
const sentTokens = compressed.reduce((sum, compression) => sum + compression.tokensAfter, 0);
console.log(`\nThe log costs ${rawTokens.toLocaleString('en-US')} tokens raw and ${sentTokens.toLocaleString('en-US')} as sent, on every step that carries it.`);

/** A real model through the AI Gateway when its key is set. */
function providerModel(): ReturnType<typeof gateway> | undefined {
  if (!process.env.AI_GATEWAY_API_KEY) return undefined;
  return gateway(process.env.AI_MODEL ?? 'openai/gpt-4.1-mini');
}

/** Plays the agent offline: reads the log, unfolds the retries that hint at the failure, answers. */
function scriptedModel() {
  const usage = { inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 0, text: 0, reasoning: 0 } };
  const toolCall = (id: string, toolName: string, input: unknown) => ({
    content: [{ type: 'tool-call' as const, toolCallId: id, toolName, input: JSON.stringify(input) }],
    finishReason: { unified: 'tool-calls' as const, raw: undefined },
    usage,
    warnings: [],
  });
  return new MockLanguageModelV4({
    doGenerate: async ({ prompt }) => {
      const toolMessages = prompt.filter((message) => message.role === 'tool');
      if (toolMessages.length === 0) return toolCall('call-read', 'readLog', {});
      if (toolMessages.length === 1) {
        const [part] = toolMessages[0]!.content;
        const seen = part?.type === 'tool-result' && part.output.type === 'text' ? part.output.value : '';
        // The fold under "Retrying connect to server", asking for the retry lines only.
        const markers = findMarkers(seen);
        const retries = markers.find((marker) => seen.lastIndexOf('\n', marker.index - 2) < seen.lastIndexOf('Retrying connect', marker.index));
        const input = retries ? { id: retries.id, grep: 'Already tried' } : { id: markers[0]?.id, lines: '1-5' };
        return toolCall('call-unfold', 'unfold', input);
      }
      return {
        content: [{ type: 'text' as const, text: 'The job lost its connection to the resource manager; it retried msra-sa-41:8030 for minutes without getting through.' }],
        finishReason: { unified: 'stop' as const, raw: undefined },
        usage,
        warnings: [],
      };
    },
  });
}

/** A stand-in log for checkouts without ../shared/corpora. */
function syntheticLog(): string {
  return Array.from({ length: 2000 }, (_, index) => {
    const level = index % 97 === 0 ? 'ERROR' : index % 41 === 0 ? 'WARN' : 'INFO';
    return `2015-10-18 18:${String(10 + Math.floor(index / 60)).padStart(2, '0')}:${String(index % 60).padStart(2, '0')},000 ${level} [main] org.example.Job: step ${index} ${level === 'ERROR' ? 'failed: connection refused' : 'done'}`;
  }).join('\n');
}
