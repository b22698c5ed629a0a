import { runUnfoldTool, UNFOLD_TOOL_NAME, type UnfoldToolOptions } from '../../core/index.ts';
import type {
  AssistantPart,
  CallOptions,
  Content,
  FunctionTool,
  GenerateResult,
  Message,
  Model,
  StreamPart,
  StreamResult,
  ToolCallContent,
  Usage,
} from './sdk-types.ts';

/*
 * Automatic unfold: the middleware answers the model's unfold calls itself, inside one model call,
 * so the app's loop never sees them.
 *
 * A round: the model answers; if it called unfold, the middleware runs those calls, appends the
 * assistant message (its text, reasoning and unfold calls) and the unfold results to the prompt,
 * and asks the model again. After `maxRounds` answered rounds the model is asked once more
 * without the unfold tool (left out of `tools`, or `toolChoice: none` when it was the only tool);
 * unfold calls it makes anyway are dropped and reported through `onError`.
 *
 * Unfold calls together with the app's own tool calls in one response: the middleware answers the
 * unfold calls and asks again, and the app's calls of that response are withdrawn: they are left
 * out of the history the model is asked with (so no call is ever without its result) and never
 * reach the app (so nothing runs twice). Having read what it unfolded, the model calls the tools
 * it still needs in its next answer, which goes to the app as usual.
 *
 * What the app gets: the last round's answer, preceded by everything the earlier rounds produced
 * except their client tool calls (text, reasoning, files, sources, provider-executed tools), usage
 * summed over the rounds. Streaming sends text and reasoning as they come; only tool parts wait
 * until the round's `finish`, when it is known whether they go out or are withdrawn. The unfold
 * exchange itself is not part of the app's history: a later step that needs it unfolds again.
 */

/**
 * Unfold calls answered per model response, and per step (one call of the wrapped model, all its
 * rounds). A model told by a hostile tool output to unfold everything, or to grep the same fold a
 * hundred times, gets the first ones answered and a note for the rest, so one step costs at most
 * this many store reads and greps.
 */
export const MAX_UNFOLDS_PER_ROUND = 8;
export const MAX_UNFOLDS_PER_STEP = 24;

export interface UnfoldSettings extends UnfoldToolOptions {
  /** The tool definition the middleware offered; its presence in `tools` turns this mode on. */
  offered: FunctionTool;
  maxRounds: number;
  report: (error: unknown) => void;
  /** Told of each unfold answered here (for the savings totals); never awaited by the loop's answer. */
  answered?: (answer: string, call: { toolCallId: string; input: unknown }) => void;
}

/** Runs the generate rounds; returns `first` itself when the model did not call unfold. */
export async function generateWithUnfold(
  first: GenerateResult,
  params: CallOptions,
  model: Model,
  settings: UnfoldSettings,
): Promise<GenerateResult> {
  let result = first;
  let prompt = params.prompt;
  let usage = first.usage;
  const warnings = [...(first.warnings ?? [])];
  const earlier: Content[] = [];
  const allowance = { left: MAX_UNFOLDS_PER_STEP };
  for (let round = 1; ; round++) {
    const calls = result.content.filter(isClientToolCall);
    const unfolds = calls.filter(isUnfoldCall);
    if (unfolds.length === 0) break;
    if (round > settings.maxRounds) {
      reportDropped(settings);
      const content = result.content.filter((part) => !isUnfoldCall(part));
      result = { ...result, content, finishReason: finishWithout(result.finishReason, content) };
      break;
    }
    prompt = [...prompt, ...(await exchange(textAndReasoning(result.content), unfolds, settings, allowance))];
    earlier.push(...result.content.filter((part) => !isClientToolCall(part)));
    result = await model.doGenerate(nextCall(params, prompt, round, settings));
    usage = addUsage(usage, result.usage);
    warnings.push(...(result.warnings ?? []));
  }
  if (result === first) return first;
  return { ...result, content: [...earlier, ...result.content], usage, warnings };
}

/** Runs the stream rounds as one stream. */
export function streamWithUnfold(
  first: StreamResult,
  params: CallOptions,
  model: Model,
  settings: UnfoldSettings,
): StreamResult {
  const parts = streamRounds(first.stream, params, model, settings);
  const stream = new ReadableStream<StreamPart>({
    async pull(controller) {
      const next = await parts.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await parts.return(undefined);
    },
  });
  return { ...first, stream };
}

async function* streamRounds(
  firstStream: ReadableStream<StreamPart>,
  params: CallOptions,
  model: Model,
  settings: UnfoldSettings,
): AsyncGenerator<StreamPart> {
  let stream = firstStream;
  let prompt = params.prompt;
  let usage: Usage | undefined;
  const allowance = { left: MAX_UNFOLDS_PER_STEP };
  for (let round = 1; ; round++) {
    const said = new SaidSoFar();
    const held: StreamPart[] = [];
    const calls: ToolCallContent[] = [];
    let finish: Extract<StreamPart, { type: 'finish' }> | undefined;
    const reader = stream.getReader();
    let drained = false;
    try {
      for (;;) {
        const { done, value: part } = await reader.read();
        if (done) break;
        if (part.type === 'finish') finish = part;
        else if (isToolPart(part)) {
          held.push(part);
          if (part.type === 'tool-call' && isClientToolCall(part)) calls.push(part);
        } else if (part.type !== 'stream-start' || round === 1) {
          said.add(part);
          yield part;
        }
      }
      drained = true;
    } finally {
      if (!drained) await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
    usage = finish ? (usage ? addUsage(usage, finish.usage) : finish.usage) : usage;
    const unfolds = calls.filter(isUnfoldCall);
    if (unfolds.length === 0 || !finish) {
      yield* held;
      if (finish) yield { ...finish, usage: usage ?? finish.usage };
      return;
    }
    if (round > settings.maxRounds) {
      reportDropped(settings);
      const dropped = new Set(unfolds.map((call) => call.toolCallId));
      yield* held.filter((part) => !dropped.has(toolCallIdOf(part) ?? ''));
      const left = calls.filter((call) => !dropped.has(call.toolCallId));
      yield { ...finish, usage: usage ?? finish.usage, finishReason: finishWithout(finish.finishReason, left) };
      return;
    }
    // Withdraw the round's client tool calls (unfold and, when mixed, the app's); keep the rest.
    const withdrawn = new Set(calls.map((call) => call.toolCallId));
    yield* held.filter((part) => !withdrawn.has(toolCallIdOf(part) ?? ''));
    prompt = [...prompt, ...(await exchange(said.parts(), unfolds, settings, allowance))];
    stream = (await model.doStream(nextCall(params, prompt, round, settings))).stream;
  }
}

/** The assistant message with the unfold calls, and the tool message answering them. */
async function exchange(
  said: AssistantPart[],
  unfolds: ToolCallContent[],
  settings: UnfoldSettings,
  allowance: { left: number },
): Promise<Message[]> {
  const inputs = unfolds.map((call) => parseInput(call.input));
  const answered = Math.min(inputs.length, MAX_UNFOLDS_PER_ROUND, allowance.left);
  allowance.left -= answered;
  const refusal = `Not run: at most ${MAX_UNFOLDS_PER_ROUND} unfold calls are answered per response and ${MAX_UNFOLDS_PER_STEP} per step. Ask for the folds you need most, or use lines or grep to read less of each.`;
  const answers = await Promise.all(inputs.map((input, at) => (at < answered ? runUnfoldTool(input, settings) : refusal)));
  for (let at = 0; at < answered; at++) settings.answered?.(answers[at]!, { toolCallId: unfolds[at]!.toolCallId, input: inputs[at] });
  const calls: AssistantPart[] = unfolds.map((call, at) => ({
    type: 'tool-call',
    toolCallId: call.toolCallId,
    toolName: call.toolName,
    input: inputs[at],
    ...(call.providerMetadata ? { providerOptions: call.providerMetadata } : {}),
  }));
  return [
    { role: 'assistant', content: [...said, ...calls] },
    {
      role: 'tool',
      content: unfolds.map((call, at) => ({
        type: 'tool-result',
        toolCallId: call.toolCallId,
        toolName: call.toolName,
        output: { type: 'text', value: answers[at]! },
      })),
    },
  ];
}

// After the last answered round the model is asked without the unfold tool.
function nextCall(
  params: CallOptions,
  prompt: CallOptions['prompt'],
  round: number,
  settings: UnfoldSettings,
): CallOptions {
  if (round < settings.maxRounds) return { ...params, prompt };
  const tools = (params.tools ?? []).filter((tool) => tool !== settings.offered);
  // With no other tool left, the tool stays listed (history mentions it) and is switched off instead.
  return tools.length > 0 ? { ...params, prompt, tools } : { ...params, prompt, toolChoice: { type: 'none' } };
}

function reportDropped(settings: UnfoldSettings): void {
  const rounds = settings.maxRounds;
  settings.report(new Error(`The model called unfold after ${rounds} answered rounds; the calls were dropped.`));
}

function isClientToolCall(part: Content | StreamPart): part is ToolCallContent {
  return part.type === 'tool-call' && !part.providerExecuted;
}

function isUnfoldCall(part: Content): boolean {
  return isClientToolCall(part) && part.toolName === UNFOLD_TOOL_NAME;
}

const TOOL_PARTS = new Set([
  'tool-input-start',
  'tool-input-delta',
  'tool-input-end',
  'tool-call',
  'tool-result',
  'tool-approval-request',
]);

function isToolPart(part: StreamPart): boolean {
  return TOOL_PARTS.has(part.type);
}

function toolCallIdOf(part: StreamPart): string | undefined {
  if ('toolCallId' in part && typeof part.toolCallId === 'string') return part.toolCallId;
  return part.type.startsWith('tool-input-') && 'id' in part ? part.id : undefined;
}

function finishWithout<Reason extends { unified: string; raw: string | undefined }>(
  reason: Reason,
  content: ReadonlyArray<Content | StreamPart>,
): Reason {
  return reason.unified === 'tool-calls' && !content.some(isClientToolCall) ? { ...reason, unified: 'other' } : reason;
}

// The model's tool input is a JSON string; an unparsable one is passed on as the raw text, from
// which `runUnfoldTool` still reads a 15-digit id if there is one.
function parseInput(input: string): unknown {
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

function textAndReasoning(content: ReadonlyArray<Content>): AssistantPart[] {
  const parts: AssistantPart[] = [];
  for (const part of content) {
    if ((part.type !== 'text' && part.type !== 'reasoning') || (part.text === '' && !part.providerMetadata)) continue;
    const providerOptions = part.providerMetadata ? { providerOptions: part.providerMetadata } : {};
    parts.push({ type: part.type, text: part.text, ...providerOptions });
  }
  return parts;
}

type Segment = { type: 'text' | 'reasoning'; text: string; providerMetadata?: unknown };

/** Collects a streamed round's text and reasoning, for the assistant message of the next round. */
class SaidSoFar {
  private readonly segments: Segment[] = [];
  private readonly open = new Map<string, Segment>();

  add(part: StreamPart): void {
    switch (part.type) {
      case 'text-start':
      case 'reasoning-start': {
        const type = part.type === 'text-start' ? 'text' : 'reasoning';
        const segment: Segment = { type, text: '', providerMetadata: part.providerMetadata };
        this.segments.push(segment);
        this.open.set(`${segment.type}:${part.id}`, segment);
        return;
      }
      case 'text-delta':
      case 'reasoning-delta': {
        const segment = this.open.get(`${part.type === 'text-delta' ? 'text' : 'reasoning'}:${part.id}`);
        if (!segment) return;
        segment.text += part.delta;
        if (part.providerMetadata) segment.providerMetadata = part.providerMetadata;
        return;
      }
      case 'text-end':
      case 'reasoning-end': {
        const key = `${part.type === 'text-end' ? 'text' : 'reasoning'}:${part.id}`;
        const segment = this.open.get(key);
        if (segment && part.providerMetadata) segment.providerMetadata = part.providerMetadata;
        this.open.delete(key);
        return;
      }
    }
  }

  parts(): AssistantPart[] {
    return textAndReasoning(this.segments as Content[]);
  }
}

function addUsage(total: Usage, more: Usage | undefined): Usage {
  if (!more) return total;
  const sum = (a: number | undefined, b: number | undefined) =>
    a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
  return {
    inputTokens: {
      total: sum(total.inputTokens?.total, more.inputTokens?.total),
      noCache: sum(total.inputTokens?.noCache, more.inputTokens?.noCache),
      cacheRead: sum(total.inputTokens?.cacheRead, more.inputTokens?.cacheRead),
      cacheWrite: sum(total.inputTokens?.cacheWrite, more.inputTokens?.cacheWrite),
    },
    outputTokens: {
      total: sum(total.outputTokens?.total, more.outputTokens?.total),
      text: sum(total.outputTokens?.text, more.outputTokens?.text),
      reasoning: sum(total.outputTokens?.reasoning, more.outputTokens?.reasoning),
    },
  };
}
