import type { LedgerEntry } from '../ledger.ts';
import type { CacheChange, CacheReport } from './types.ts';

/*
 * What `tokenfold stats` says about the prompt cache: per namespace, how much of what was sent
 * repeated the previous call (what a provider cache can serve), and what broke the prefix when it
 * did not, by kind, with the tokens after the break and the latest example.
 */

/** One cause of cache misses in a namespace. */
export interface CacheMissCause {
  kind: CacheChange['kind'];
  /** Calls whose first change was of this kind. */
  calls: number;
  /** Tokens from the first change to the end of those calls: what could not be read from a cache. */
  tokens: number;
  /** The latest example (`system[0] chars 112–131: "…" → "…"`). */
  example: string;
}

/** The cache figures of one namespace. */
export interface NamespaceCacheSummary {
  /** `(none)` for calls without a namespace. */
  namespace: string;
  calls: number;
  /** Tokens sent, and those at the start of each call identical to the call before it. */
  tokens: number;
  stablePrefixTokens: number;
  /** Volatile spans moved into the context note by `cacheAlign`, over all calls. */
  moved: number;
  /** Most costly first. */
  causes: CacheMissCause[];
}

/**
 * Reads the `cache-report` entries of a ledger into per-namespace figures and miss causes.
 * Entries of other types, and malformed ones, are skipped.
 *
 * @example
 * const summary = summarizeCacheReports(await readLedger(store));
 * summary[0].causes[0]; // { kind: 'timestamp', calls: 41, tokens: 182_300, example: 'system[0] chars 112–131: …' }
 */
export function summarizeCacheReports(entries: readonly LedgerEntry[]): NamespaceCacheSummary[] {
  const namespaces = new Map<string, NamespaceCacheSummary>();
  for (const entry of entries) {
    const report = entry.type === 'cache-report' ? asReport(entry.detail) : undefined;
    if (!report) continue;
    const name = entry.namespace ?? report.namespace ?? '(none)';
    let summary = namespaces.get(name);
    if (!summary) namespaces.set(name, (summary = { namespace: name, calls: 0, tokens: 0, stablePrefixTokens: 0, moved: 0, causes: [] }));
    summary.calls += 1;
    summary.tokens += report.tokens;
    summary.stablePrefixTokens += report.stablePrefixTokens;
    summary.moved += report.moved;
    const change = report.firstChange;
    if (!change) continue;
    let cause = summary.causes.find((known) => known.kind === change.kind);
    if (!cause) summary.causes.push((cause = { kind: change.kind, calls: 0, tokens: 0, example: '' }));
    cause.calls += 1;
    cause.tokens += Math.max(0, report.tokens - report.stablePrefixTokens);
    cause.example = change.example;
  }
  const result = [...namespaces.values()];
  for (const summary of result) summary.causes.sort((left, right) => right.tokens - left.tokens);
  return result.sort((left, right) => right.tokens - left.tokens);
}

/**
 * The summaries as a plain-text section for `tokenfold stats`; empty when there are none.
 *
 * @example
 * process.stdout.write(formatCacheSummary(summarizeCacheReports(entries)));
 * // prompt cache, per namespace: …
 * //   support  1,204 calls  96.1% of input tokens repeated the call before
 * //     miss: timestamp  41 calls  182,300 tokens  system[0] chars 112–131: "…" → "…"
 */
export function formatCacheSummary(summaries: readonly NamespaceCacheSummary[]): string {
  if (summaries.length === 0) return '';
  const lines = ['prompt cache, per namespace (share of input tokens that repeated the call before; what broke the prefix otherwise):'];
  for (const summary of summaries) {
    const share = summary.tokens > 0 ? ((100 * summary.stablePrefixTokens) / summary.tokens).toFixed(1) : '0.0';
    const moved = summary.moved > 0 ? `, ${summary.moved.toLocaleString('en-US')} volatile values moved by cacheAlign` : '';
    lines.push(`  ${summary.namespace}  ${summary.calls.toLocaleString('en-US')} calls  ${share}% repeated${moved}`);
    for (const cause of summary.causes) {
      lines.push(`    miss: ${cause.kind}  ${cause.calls.toLocaleString('en-US')} calls  ${cause.tokens.toLocaleString('en-US')} tokens after it  e.g. ${cause.example}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// Ledger entries come from a store anyone may have written: keep only well-formed reports.
function asReport(detail: unknown): CacheReport | undefined {
  if (typeof detail !== 'object' || detail === null) return undefined;
  const report = detail as Partial<CacheReport>;
  const count = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
  if (!count(report.tokens) || !count(report.stablePrefixTokens)) return undefined;
  const change = report.firstChange;
  const validChange = change && typeof change.kind === 'string' && typeof change.example === 'string' ? change : undefined;
  return {
    ...(report as CacheReport),
    moved: count(report.moved) ? report.moved! : 0,
    firstChange: validChange,
  };
}
