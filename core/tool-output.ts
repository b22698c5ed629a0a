import { compressEntry, recordLedger } from './ledger.ts';
import { createCompressorCache, type CompressorCacheOptions } from './memo.ts';
import { createSavingsTally, type SavingsEvents, type SavingsTally } from './savings.ts';
import type { CompressResult } from './types.ts';
import { UNFOLD_TOOL_NAME } from './unfold-tool.ts';

/*
 * What every framework adapter does with a tool's output, in one place: turn it into the text
 * the model would read, leave alone what must not be compressed, compress it once (memoized), and
 * never throw into the agent loop.
 */

export type AdapterErrorStage = 'store' | 'compressor' | 'adapter';

/** Options every adapter takes. */
export interface ToolOutputOptions extends Omit<CompressorCacheOptions, 'query' | 'kind' | 'strict' | 'onError' | 'onCompress'>, SavingsEvents {
  /** Compress only the outputs of these tools. Default: all tools. */
  tools?: readonly string[];
  /** Never compress the outputs of these tools. The unfold tool's own answers never are. */
  skipTools?: readonly string[];
  /**
   * Told about failures that were survived: the store, a compressor, or the adapter itself. The
   * original output is used in every case. A throwing reporter is ignored.
   */
  onError?: (error: unknown, context: { stage: AdapterErrorStage; kind: string }) => void;
  /**
   * Record each compression in the savings ledger of `store` (see `readLedger`), which
   * `tokenfold stats` reads. Default: true when a `store` is given, since the ledger lives there.
   */
  ledger?: boolean;
  /** Who compressed, for the ledger: 'ai', 'langchain', 'mastra', … */
  source?: string;
  /**
   * The running totals that `onCompress` and `onUnfold` report: an adapter shares one between
   * its compressor, its session and its unfold answers. Default: one per compressor.
   */
  savings?: SavingsTally;
}

export interface ToolOutputCompression {
  /** The text to put where the output was. */
  text: string;
  result: CompressResult;
  /**
   * Whether `text` differs from the output: compressed, or passed through with marker
   * look-alikes escaped. When false, send the output as it was.
   */
  changed: boolean;
  /** True when the memo already had this output (no new compression happened). */
  cached: boolean;
}

/**
 * Compresses one tool output. Resolves to `undefined` when the output is not text or JSON, or
 * when the adapter itself failed. Text shaped like a fold marker (a spoof, or a quote of an
 * earlier compressed output) comes back escaped, so only markers tokenfold rendered for this
 * output parse as markers. Never rejects.
 */
export type ToolOutputCompressor = (
  output: unknown,
  query: string,
  toolName?: string,
  /** A budget for this output (the session's learned one); default: compress's. */
  perCall?: { budget?: number },
) => Promise<ToolOutputCompression | undefined>;

/** Creates the compressor one adapter instance uses for its lifetime (one memo per instance). */
export function createToolOutputCompressor(options: ToolOutputOptions = {}): ToolOutputCompressor {
  const report = reporter(options.onError);
  const { tools: _tools, skipTools: _skipTools, onError: _onError, onCompress: _onCompress, onUnfold: _onUnfold, ledger, source, savings: _savings, ...cacheOptions } = options;
  const ledgerStore = ledger !== false ? options.store : undefined;
  const savings =
    options.savings ??
    createSavingsTally({ onCompress: options.onCompress, onUnfold: options.onUnfold, tokenizer: options.tokenizer, onError: (error) => report(error, { stage: 'adapter', kind: 'savings' }) });
  const compressCached = createCompressorCache({ ...cacheOptions, onError: report });
  // The memo hands back the same result object for a repeat, so identity tells cached from fresh.
  const seen = new WeakSet<CompressResult>();
  return async (output, query, toolName, perCall) => {
    const text = outputText(output, report);
    if (text === undefined) return undefined;
    try {
      const result = await compressCached(text, perCall?.budget === undefined ? { query } : { query, budget: perCall.budget });
      const cached = seen.has(result);
      seen.add(result);
      if (!cached) {
        savings.compressed(result);
        // Not awaited: the ledger must never add a store round trip to the agent's step.
        if (ledgerStore) void recordLedger(ledgerStore, compressEntry(result, { namespace: options.namespace, source, tool: toolName }));
      }
      return { text: result.text, result, changed: result.text !== text, cached };
    } catch (error) {
      report(error, { stage: 'adapter', kind: typeof output });
      return undefined;
    }
  };
}

/** Whether an adapter compresses the output of a tool, given its `tools` and `skipTools` options. */
export function compressesTool(toolName: unknown, options: Pick<ToolOutputOptions, 'tools' | 'skipTools'>): boolean {
  if (typeof toolName !== 'string' || toolName === UNFOLD_TOOL_NAME) return false;
  if (options.skipTools?.includes(toolName)) return false;
  return !options.tools || options.tools.includes(toolName);
}

/** `onError` wrapped so that a throwing reporter cannot break the loop. */
export function reporter(onError: ToolOutputOptions['onError']): NonNullable<ToolOutputOptions['onError']> {
  return (error, context) => {
    try {
      onError?.(error, context);
    } catch {
      // Reporting must never break the agent loop.
    }
  };
}

// Strings as they are; objects as their compact JSON, which is what the model would read.
// A value JSON cannot express (a cycle, a BigInt, nesting too deep) is left for the framework.
function outputText(output: unknown, report: NonNullable<ToolOutputOptions['onError']>): string | undefined {
  if (typeof output === 'string') return output;
  if (typeof output !== 'object' || output === null || output instanceof Uint8Array) return undefined;
  try {
    const text = JSON.stringify(output);
    return typeof text === 'string' ? text : undefined;
  } catch (error) {
    report(error, { stage: 'adapter', kind: 'json' });
    return undefined;
  }
}
