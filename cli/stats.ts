import { writeFileSync } from 'node:fs';
import { createSqliteStore, readLedger, summarizeLedger, usageByPolicy } from '../core/index.ts';
import type { LedgerSummary, LedgerTotals, PolicyUsage } from '../core/index.ts';
import { EXIT } from './errors.ts';
import { formatDay, formatNumber, formatPercent } from './format.ts';
import { renderStatsPage } from './stats-html.ts';
import { formatCacheSummary, summarizeCacheReports } from '../core/cache/index.ts';

/** The flags of `tokenfold stats`. */
export interface StatsFlags {
  namespace?: string;
  /** Only entries from this many milliseconds ago on. */
  since?: number;
  json?: boolean;
  /** Also write a self-contained HTML page here. */
  html?: string;
  /** SQLite file for folds; default `defaultSqlitePath()`. */
  store?: string;
}

/**
 * `tokenfold stats`: reads the savings ledger of the CLI's store (what `compress`, `run`, `mcp`
 * and `unfold` recorded, and adapters given the same store) and prints a table per kind.
 *
 * @example
 * process.exitCode = await statsCommand({ store: defaultSqlitePath(), html: 'savings.html' });
 */
export async function statsCommand(flags: StatsFlags): Promise<number> {
  const store = await createSqliteStore(flags.store);
  try {
    const since = flags.since === undefined ? undefined : Date.now() - flags.since;
    const entries = await readLedger(store, { namespace: flags.namespace, since });
    // Cache reports (core/cache) and provider usage are not savings: they get sections of their
    // own, miss causes per namespace and what each history policy cost.
    const summary = summarizeLedger(entries.filter((entry) => entry.type !== 'cache-report' && entry.type !== 'usage'));
    const usage = usageByPolicy(entries);
    const cache = summarizeCacheReports(entries);
    process.stdout.write(flags.json ? `${JSON.stringify({ ...summary, usage, cache }, null, 2)}\n` : statsTable(summary) + usageTable(usage) + formatCacheSummary(cache));
    if (flags.html) {
      writeFileSync(flags.html, renderStatsPage(summary, { title: `tokenfold savings${flags.namespace ? ` (${flags.namespace})` : ''}` }));
      process.stderr.write(`tokenfold: wrote ${flags.html}\n`);
    }
    return EXIT.done;
  } finally {
    await store.disconnect();
  }
}

const COLUMNS: ReadonlyArray<[title: string, value: (totals: LedgerTotals) => string]> = [
  ['calls', (totals) => formatNumber(totals.calls)],
  ['tokens before', (totals) => formatNumber(totals.tokensBefore)],
  ['tokens after', (totals) => formatNumber(totals.tokensAfter)],
  ['saved', (totals) => formatPercent(totals.saved, totals.tokensBefore)],
  ['folds', (totals) => formatNumber(totals.folds)],
  ['unfolds', (totals) => formatNumber(totals.unfolds)],
  ['read back', (totals) => formatNumber(totals.tokensReturned)],
  ['net saved', (totals) => formatNumber(totals.netSaved)],
];

/**
 * The summary as a plain-text table: one row per kind, sorted by net tokens saved, and a total.
 *
 * @example
 * process.stdout.write(statsTable(summarizeLedger(entries)));
 */
export function statsTable(summary: LedgerSummary): string {
  if (summary.total.calls === 0) return 'tokenfold: nothing recorded yet (compress, run or an adapter with a store records here)\n';
  const kinds = Object.entries(summary.byKind).sort(([, left], [, right]) => right.netSaved - left.netSaved);
  const rows = [['kind', ...COLUMNS.map(([title]) => title)]];
  for (const [kind, totals] of kinds) rows.push([kind, ...COLUMNS.map(([, value]) => value(totals))]);
  rows.push(['total', ...COLUMNS.map(([, value]) => value(summary.total))]);
  const lines = aligned(rows);
  lines.splice(lines.length - 1, 0, lines[1]!);
  const span = `${formatDay(summary.from)} to ${formatDay(summary.to)}`;
  return `tokenfold savings, ${span}\n\n${lines.join('\n')}\n`;
}

/**
 * What the provider billed per history policy (adapters record each model call's usage), as a
 * plain-text table; empty when no usage was recorded.
 *
 * @example
 * process.stdout.write(usageTable(usageByPolicy(entries)));
 */
export function usageTable(usage: Partial<Record<string, PolicyUsage>>): string {
  const policies = Object.entries(usage).filter((entry): entry is [string, PolicyUsage] => entry[1] !== undefined);
  if (policies.length === 0) return '';
  const rows = [['history policy', 'calls', 'input tokens', 'cache read', 'cache written', 'cost']];
  for (const [policy, totals] of policies) {
    rows.push([
      policy,
      formatNumber(totals.calls),
      formatNumber(totals.inputTokens),
      formatPercent(totals.cacheReadTokens, totals.inputTokens),
      formatPercent(totals.cacheWriteTokens, totals.inputTokens),
      formatNumber(Math.round(totals.cost)),
    ]);
  }
  const lines = aligned(rows);
  return `\nprovider usage (cost in base input tokens: uncached 1x, cache reads 0.1x, writes 1.25x)\n\n${lines.join('\n')}\n`;
}

// Rows as aligned lines (the first column to the left, numbers to the right), with a rule under the header.
function aligned(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '));
  lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
  return lines;
}
