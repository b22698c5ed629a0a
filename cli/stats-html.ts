import type { LedgerSummary, LedgerTotals } from '../core/index.ts';
import { formatDay, formatNumber, formatPercent } from './format.ts';

/*
 * `tokenfold stats --html FILE`: one self-contained page (inline CSS and SVG, no script, nothing
 * fetched) with two charts, tokens saved per kind and per day, and the table behind them. Every
 * text from the ledger is escaped: a store can hold anything.
 */

/** Colours of the two series, also used by the test that looks at the rendered page. */
export const CHART_COLORS = { saved: '#2f6fdf', readBack: '#e8833a' } as const;

const WIDTH = 760;
const BAR_HEIGHT = 22;
const LABEL_WIDTH = 120;

/**
 * The page, as a string.
 *
 * @example
 * writeFileSync('savings.html', renderStatsPage(summarizeLedger(entries), { title: 'tokenfold savings' }));
 */
export function renderStatsPage(summary: LedgerSummary, { title }: { title: string }): string {
  const { total } = summary;
  const kinds = Object.entries(summary.byKind).sort(([, left], [, right]) => right.saved - left.saved);
  const headline = total.tokensBefore === 0
    ? 'Nothing recorded yet.'
    : `${formatNumber(total.netSaved)} tokens saved net (${formatNumber(total.saved)} folded away, ${formatNumber(total.tokensReturned)} read back through unfold), ${formatPercent(total.saved, total.tokensBefore)} of ${formatNumber(total.tokensBefore)}.`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(title)}</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 32px auto; max-width: ${WIDTH + 40}px; color: #1d2330; }
  h1 { font-size: 22px; margin-bottom: 4px; }
  h2 { font-size: 17px; margin: 28px 0 8px; }
  .muted { color: #5b6475; }
  .legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 14px; vertical-align: -1px; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { padding: 4px 8px; text-align: right; border-bottom: 1px solid #e3e6ec; }
  th:first-child, td:first-child { text-align: left; }
  tr.total td { font-weight: 600; border-top: 2px solid #1d2330; }
  svg text { font: 12px system-ui, sans-serif; fill: #1d2330; }
</style>
</head>
<body>
<h1>${escape(title)}</h1>
<p class="muted">${formatDay(summary.from)} to ${formatDay(summary.to)} · ${formatNumber(total.calls)} compressions, ${formatNumber(total.unfolds)} unfolds</p>
<p id="headline">${escape(headline)}</p>
<p class="legend muted"><span style="background:${CHART_COLORS.saved}"></span>tokens saved<span style="background:${CHART_COLORS.readBack}"></span>tokens read back (unfold)</p>
<h2>Tokens saved per kind</h2>
${kindChart(kinds)}
<h2>Tokens saved per day</h2>
${dayChart(summary.byDay)}
<h2>Per kind</h2>
${table(kinds, total)}
</body>
</html>
`;
}

function kindChart(kinds: Array<[string, LedgerTotals]>): string {
  const scale = Math.max(1, ...kinds.map(([, totals]) => Math.max(totals.saved, totals.tokensReturned)));
  const barSpace = WIDTH - LABEL_WIDTH - 110;
  const rows = kinds.map(([kind, totals], index) => {
    const y = index * (BAR_HEIGHT + 10);
    const saved = (Math.max(0, totals.saved) / scale) * barSpace;
    const returned = (totals.tokensReturned / scale) * barSpace;
    return `<text x="0" y="${y + 15}">${escape(kind)}</text>
<rect class="saved" x="${LABEL_WIDTH}" y="${y}" width="${saved.toFixed(1)}" height="${BAR_HEIGHT}" fill="${CHART_COLORS.saved}"/>
<rect class="read-back" x="${LABEL_WIDTH}" y="${y + BAR_HEIGHT - 7}" width="${returned.toFixed(1)}" height="7" fill="${CHART_COLORS.readBack}"/>
<text x="${(LABEL_WIDTH + saved + 6).toFixed(1)}" y="${y + 15}">${formatNumber(totals.saved)}</text>`;
  });
  const height = Math.max(1, kinds.length) * (BAR_HEIGHT + 10);
  return `<svg id="by-kind" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="tokens saved per kind">\n${rows.join('\n')}\n</svg>`;
}

function dayChart(days: LedgerSummary['byDay']): string {
  const height = 220;
  const plot = height - 30;
  const scale = Math.max(1, ...days.map(({ totals }) => Math.max(totals.saved, totals.tokensReturned)));
  const slot = (WIDTH - 60) / Math.max(1, days.length);
  const barWidth = Math.max(2, Math.min(40, slot * 0.7));
  const bars = days.map(({ day: date, totals }, index) => {
    const x = 60 + index * slot + (slot - barWidth) / 2;
    const saved = (Math.max(0, totals.saved) / scale) * plot;
    const returned = (totals.tokensReturned / scale) * plot;
    const label = days.length <= 12 || index % Math.ceil(days.length / 12) === 0 ? `<text x="${(x + barWidth / 2).toFixed(1)}" y="${height - 8}" text-anchor="middle">${date.slice(5)}</text>` : '';
    return `<rect class="saved" x="${x.toFixed(1)}" y="${(plot - saved).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${saved.toFixed(1)}" fill="${CHART_COLORS.saved}"><title>${date}: ${formatNumber(totals.saved)} saved</title></rect>
<rect class="read-back" x="${(x + barWidth / 4).toFixed(1)}" y="${(plot - returned).toFixed(1)}" width="${(barWidth / 2).toFixed(1)}" height="${returned.toFixed(1)}" fill="${CHART_COLORS.readBack}"/>${label}`;
  });
  const axis = `<line x1="56" y1="${plot}" x2="${WIDTH}" y2="${plot}" stroke="#9aa3b2"/><text x="50" y="12" text-anchor="end">${compact(scale)}</text><text x="50" y="${plot}" text-anchor="end">0</text>`;
  return `<svg id="by-day" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="tokens saved per day">\n${axis}\n${bars.join('\n')}\n</svg>`;
}

function table(kinds: Array<[string, LedgerTotals]>, total: LedgerTotals): string {
  const row = (name: string, totals: LedgerTotals, className = '') =>
    `<tr${className ? ` class="${className}"` : ''}><td>${escape(name)}</td><td>${formatNumber(totals.calls)}</td><td>${formatNumber(totals.tokensBefore)}</td><td>${formatNumber(totals.tokensAfter)}</td><td>${formatPercent(totals.saved, totals.tokensBefore)}</td><td>${formatNumber(totals.folds)}</td><td>${formatNumber(totals.unfolds)}</td><td>${formatNumber(totals.tokensReturned)}</td><td>${formatNumber(totals.netSaved)}</td></tr>`;
  return `<table>
<tr><th>kind</th><th>calls</th><th>tokens before</th><th>tokens after</th><th>saved</th><th>folds</th><th>unfolds</th><th>read back</th><th>net saved</th></tr>
${kinds.map(([kind, totals]) => row(kind, totals)).join('\n')}
${row('total', total, 'total')}
</table>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}


function compact(value: number): string {
  return value >= 1e6 ? `${(value / 1e6).toFixed(1)}M` : value >= 1e3 ? `${(value / 1e3).toFixed(0)}k` : String(value);
}


