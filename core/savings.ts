import { parseFoldId } from './folds.ts';
import { resolveTokenCounter } from './tokens.ts';
import type { CompressResult, TokenCounter, TokenizerName } from './types.ts';

/*
 * Net savings as an adapter instance runs: what its outputs saved as they were sent (compressions,
 * and with the session, references and diffs) minus what the model read back through `unfold`.
 * A fold the model opens again was not saved, so the gross figure alone flatters: the events
 * carry the net, the same figure `tokenfold stats` prints from the ledger.
 *
 * One tally per adapter instance, shared by its compressor, its session and the place where it
 * sees unfold answers (the next prompt in the AI SDK, the tool call in LangChain and Mastra).
 */

/** Running totals of one adapter instance. */
export interface NetSavings {
  /** Outputs sent (compressed, passed through, or sent as a reference or diff). */
  outputs: number;
  tokensBefore: number;
  tokensAfter: number;
  /** tokensBefore − tokensAfter. */
  tokensSaved: number;
  /** Unfold answers the model got, and their tokens. */
  unfolds: number;
  tokensReturned: number;
  /** tokensSaved − tokensReturned: what the model really did not read. */
  netSaved: number;
}

/** What `onUnfold` receives: one unfold answer and the totals after it. */
export interface UnfoldEvent {
  /** The fold id asked for, when the call named one. */
  id?: string;
  /** The tool call id, when the framework gives one. */
  toolCallId?: string;
  /** Tokens of the answer the model read. */
  tokensReturned: number;
  savings: NetSavings;
}

/** The events every adapter takes. */
export interface SavingsEvents {
  /** Once per real compression (never for a memoized one), with the instance's totals after it. */
  onCompress?: (result: CompressResult, savings: NetSavings) => void;
  /** Once per unfold answer the model got, with the instance's totals after it. */
  onUnfold?: (event: UnfoldEvent) => void;
}

export interface SavingsTally {
  /**
   * Adds an output sent as `tokensAfter` tokens instead of `tokensBefore`; returns the totals.
   * `newOutput: false` corrects an output counted already: a diff sent in place of a compression
   * that was counted is `sent(0, diffTokens - compressedTokens, false)`.
   */
  sent(tokensBefore: number, tokensAfter: number, newOutput?: boolean): NetSavings;
  /** Adds a real compression and tells `onCompress`. */
  compressed(result: CompressResult): void;
  /**
   * Adds one unfold answer and tells `onUnfold`. Counted once per `toolCallId` (a prompt that
   * holds it again at the next step is not a second unfold). Never rejects.
   */
  unfolded(answer: string, call: { toolCallId?: string; input?: unknown }): Promise<void>;
  /** The totals so far (a copy). */
  current(): NetSavings;
}

// Tool call ids remembered to count each unfold once; the oldest are forgotten beyond this.
const MAX_SEEN_CALLS = 10_000;

/**
 * Creates the tally of one adapter instance.
 *
 * @example
 * const savings = createSavingsTally({ onUnfold: (event) => log(event.savings.netSaved) });
 * savings.compressed(result);                      // onCompress(result, totals)
 * await savings.unfolded(answer, { toolCallId });  // onUnfold({ tokensReturned, savings })
 */
export function createSavingsTally(
  options: SavingsEvents & { tokenizer?: TokenizerName | TokenCounter; onError?: (error: unknown) => void } = {},
): SavingsTally {
  const totals: NetSavings = { outputs: 0, tokensBefore: 0, tokensAfter: 0, tokensSaved: 0, unfolds: 0, tokensReturned: 0, netSaved: 0 };
  const seenCalls = new Set<string>();
  const tell = (call: () => void) => {
    try {
      call();
    } catch (error) {
      // A throwing listener must not break the agent loop.
      options.onError?.(error);
    }
  };
  const sent = (tokensBefore: number, tokensAfter: number, newOutput = true): NetSavings => {
    if (newOutput) totals.outputs++;
    totals.tokensBefore += tokensBefore;
    totals.tokensAfter += tokensAfter;
    totals.tokensSaved += tokensBefore - tokensAfter;
    totals.netSaved += tokensBefore - tokensAfter;
    return { ...totals };
  };

  return {
    sent,
    compressed(result) {
      const savings = sent(result.tokensBefore, result.tokensAfter);
      if (options.onCompress) tell(() => options.onCompress!(result, savings));
    },
    async unfolded(answer, call) {
      if (call.toolCallId !== undefined) {
        if (seenCalls.has(call.toolCallId)) return;
        seenCalls.add(call.toolCallId);
        if (seenCalls.size > MAX_SEEN_CALLS) seenCalls.delete(seenCalls.values().next().value!);
      }
      try {
        const counter = await resolveTokenCounter(options.tokenizer);
        const tokensReturned = counter.count(answer);
        totals.unfolds++;
        totals.tokensReturned += tokensReturned;
        totals.netSaved -= tokensReturned;
        const fields = typeof call.input === 'object' && call.input !== null ? (call.input as Record<string, unknown>) : {};
        const id = parseFoldId(fields.id ?? call.input);
        const event: UnfoldEvent = { ...(id ? { id } : {}), ...(call.toolCallId ? { toolCallId: call.toolCallId } : {}), tokensReturned, savings: { ...totals } };
        if (options.onUnfold) tell(() => options.onUnfold!(event));
      } catch (error) {
        options.onError?.(error);
      }
    },
    current: () => ({ ...totals }),
  };
}
