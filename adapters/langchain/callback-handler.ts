import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { dispatchCustomEvent } from '@langchain/core/callbacks/dispatch';
import type { Callbacks } from '@langchain/core/callbacks/manager';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { PassThroughReason } from '../../core/index.ts';

/*
 * Callbacks cannot rewrite what flows through a chain, so the work happens in the middleware and
 * the compressors; they announce each result as a LangChain custom event, which any callback
 * handler, `streamEvents` consumer or tracer can read. `TokenfoldCallbackHandler` is the ready-made
 * listener: it adds the events up per top-level run.
 */

/** Custom event sent once per tool output or document that went through `compress`. */
export const COMPRESS_EVENT = 'tokenfold_compress';
/** Custom event sent once per call of the unfold tool. */
export const UNFOLD_EVENT = 'tokenfold_unfold';

export interface TokenfoldCompressEvent {
  source: 'tool' | 'document';
  /** The tool's name, or the document's id when it has one. */
  name?: string;
  toolCallId?: string;
  kind: string;
  tokensBefore: number;
  tokensAfter: number;
  /** Ids of the folds written, each one `unfold` call away. */
  folds: string[];
  /** Set when the text went to the model unchanged, with the core's reason. */
  passThrough?: PassThroughReason;
  /** True when the memo answered: the same text was compressed earlier, not again now. */
  cached: boolean;
}

export interface TokenfoldUnfoldEvent {
  id: string;
  lines?: string;
  grep?: string;
  /** Length of the answer the model got. */
  chars: number;
  /** Its o200k tokens: what this fold did not save after all. */
  tokensReturned?: number;
}

export type TokenfoldRecord =
  | ({ event: 'compress'; runId: string; rootRunId: string } & TokenfoldCompressEvent)
  | ({ event: 'unfold'; runId: string; rootRunId: string } & TokenfoldUnfoldEvent);

export interface TokenfoldTotals {
  /** Tool outputs and documents that went through tokenfold. */
  outputs: number;
  /** Of those, the ones that came out smaller (the others passed through unchanged). */
  compressed: number;
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  folds: number;
  unfolds: number;
  /** Tokens the unfold answers gave back, and `tokensSaved` minus them. */
  tokensReturned: number;
  netSaved: number;
}

/**
 * Sends a tokenfold event to the callbacks of the current run. Without a config it finds the run
 * through Node's async context; with no run or no handlers it does nothing. Never throws.
 */
export async function emitTokenfoldEvent(
  name: typeof COMPRESS_EVENT | typeof UNFOLD_EVENT,
  payload: TokenfoldCompressEvent | TokenfoldUnfoldEvent,
  target?: RunnableConfig | { callbacks?: Callbacks },
): Promise<void> {
  try {
    await dispatchCustomEvent(name, payload, target);
  } catch {
    // A failing handler must not break the chain; LangChain already logged it.
  }
}

/**
 * Reports what tokenfold saved: every compression and unfold seen in the runs it is attached to,
 * with totals overall and per top-level run (one `agent.invoke`, one `retriever.invoke`).
 *
 * @example
 * const report = new TokenfoldCallbackHandler();
 * await agent.invoke({ messages }, { callbacks: [report] });
 * console.log(report.totals); // { outputs: 3, compressed: 2, tokensBefore: 41210, tokensAfter: 3904, ..., netSaved: 36102 }
 */
export class TokenfoldCallbackHandler extends BaseCallbackHandler {
  name = 'TokenfoldCallbackHandler';
  /** Every event seen, in order. */
  readonly records: TokenfoldRecord[] = [];
  // Parent of each live run, to find the top-level run of an event; dropped when the run ends.
  readonly #parents = new Map<string, string | undefined>();

  constructor() {
    // Awaited, so the totals are complete when `invoke` returns.
    super({ _awaitHandler: true });
  }

  /** Totals over everything seen. */
  get totals(): TokenfoldTotals {
    return addUp(this.records);
  }

  /** Totals per top-level run id, in the order the runs first reported. */
  get runs(): Map<string, TokenfoldTotals> {
    const byRun = new Map<string, TokenfoldRecord[]>();
    for (const record of this.records) {
      const list = byRun.get(record.rootRunId);
      if (list) list.push(record);
      else byRun.set(record.rootRunId, [record]);
    }
    return new Map([...byRun].map(([runId, records]) => [runId, addUp(records)]));
  }

  override handleCustomEvent(eventName: string, data: unknown, runId: string): void {
    if (!data || typeof data !== 'object') return;
    const rootRunId = this.#root(runId);
    if (eventName === COMPRESS_EVENT) {
      this.records.push({ ...(data as TokenfoldCompressEvent), event: 'compress', runId, rootRunId });
    } else if (eventName === UNFOLD_EVENT) {
      this.records.push({ ...(data as TokenfoldUnfoldEvent), event: 'unfold', runId, rootRunId });
    }
  }

  // LangChain calls the start hooks with (…, runId, parentRunId, …), as its own BaseTracer reads them.
  override handleChainStart(_chain: unknown, _inputs: unknown, runId: string, parentRunId?: string): void {
    this.#parents.set(runId, parentRunId);
  }
  override handleToolStart(_tool: unknown, _input: string, runId: string, parentRunId?: string): void {
    this.#parents.set(runId, parentRunId);
  }
  override handleRetrieverStart(_retriever: unknown, _query: string, runId: string, parentRunId?: string): void {
    this.#parents.set(runId, parentRunId);
  }
  override handleChainEnd(_outputs: unknown, runId: string): void {
    this.#parents.delete(runId);
  }
  override handleChainError(_error: unknown, runId: string): void {
    this.#parents.delete(runId);
  }
  override handleToolEnd(_output: unknown, runId: string): void {
    this.#parents.delete(runId);
  }
  override handleToolError(_error: unknown, runId: string): void {
    this.#parents.delete(runId);
  }
  override handleRetrieverEnd(_documents: unknown, runId: string): void {
    this.#parents.delete(runId);
  }
  override handleRetrieverError(_error: unknown, runId: string): void {
    this.#parents.delete(runId);
  }

  #root(runId: string): string {
    let current = runId;
    // Bounded walk: a cycle in bad data must not hang the agent.
    for (let depth = 0; depth < 1000; depth++) {
      const parent = this.#parents.get(current);
      if (parent === undefined) return current;
      current = parent;
    }
    return current;
  }
}

function addUp(records: readonly TokenfoldRecord[]): TokenfoldTotals {
  const totals: TokenfoldTotals = {
    outputs: 0,
    compressed: 0,
    tokensBefore: 0,
    tokensAfter: 0,
    tokensSaved: 0,
    folds: 0,
    unfolds: 0,
    tokensReturned: 0,
    netSaved: 0,
  };
  for (const record of records) {
    if (record.event === 'unfold') {
      totals.unfolds++;
      totals.tokensReturned += record.tokensReturned ?? 0;
      continue;
    }
    totals.outputs++;
    if (!record.passThrough) totals.compressed++;
    totals.tokensBefore += record.tokensBefore;
    totals.tokensAfter += record.tokensAfter;
    totals.folds += record.folds.length;
  }
  totals.tokensSaved = totals.tokensBefore - totals.tokensAfter;
  totals.netSaved = totals.tokensSaved - totals.tokensReturned;
  return totals;
}
