import { readFileSync } from 'node:fs';
import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { MockLanguageModelV3 } from 'ai-v6/test';
import { z } from 'zod';

const log = readFileSync('../shared/corpora/logs/loghub/Hadoop_2k.log', 'utf8');
const prompts: any[] = [];
let step = 0;
const usage = { inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 5, text: 5, reasoning: 0 } };
const model = new MockLanguageModelV3({
  doGenerate: async (options: any) => {
    prompts.push(options.prompt);
    step++;
    if (step === 1) return { content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'readLog', input: '{}' }], finishReason: { unified: 'tool-calls', raw: undefined }, usage, warnings: [] } as any;
    return { content: [{ type: 'text', text: 'done' }], finishReason: { unified: 'stop', raw: undefined }, usage, warnings: [] } as any;
  },
});
const readLog = createTool({ id: 'readLog', description: 'reads', inputSchema: z.object({}), execute: async () => log });
const proc = {
  id: 'probe',
  async processToolResult(args: any) {
    console.log('processToolResult', args.toolName, args.toolCallId, typeof args.result, args.stepNumber);
    const parts = args.messageList.get.all.db().flatMap((m: any) => m.content.parts ?? []);
    console.log(JSON.stringify(parts.map((p: any) => [p.type, p.toolInvocation?.state])));
    args.messageList.updateToolInvocation({ type: 'tool-invocation', toolInvocation: { state: 'result', toolCallId: args.toolCallId, toolName: args.toolName, args: args.args, result: 'COMPRESSED' } });
    return args.messageList;
  },
  async processInputStep(args: any) {
    console.log('processInputStep', args.stepNumber, Object.keys(args.tools ?? {}));
  },
};
const agent = new Agent({ id: 'a', name: 'a', instructions: 'sys', model, tools: { readLog }, outputProcessors: [proc as any], inputProcessors: [proc as any] });
const t0 = Date.now();
const result = await agent.generate('find errors', { maxSteps: 5 });
console.log(Date.now() - t0, 'ms', result.text);
console.log(JSON.stringify(prompts[1], null, 1).slice(0, 3000));
console.log(JSON.stringify(result.response.messages, null, 1).slice(0, 2000));
