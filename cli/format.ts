/*
 * Number and date formats shared by the stats table and page.
 */

/**
 * `12,034`.
 *
 * @example
 * formatNumber(12034); // '12,034'
 */
export function formatNumber(value: number): string {
  return value.toLocaleString('en-US');
}

/**
 * `82.4%`, or `—` for a share of nothing.
 *
 * @example
 * formatPercent(824, 1000); // '82.4%'
 */
export function formatPercent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${((part / whole) * 100).toFixed(1)}%`;
}

/**
 * The UTC day of a time, `2026-12-02`, or `—` when there is none.
 *
 * @example
 * formatDay(Date.UTC(2026, 11, 2)); // '2026-12-02'
 */
export function formatDay(at: number | undefined): string {
  return at === undefined ? '—' : new Date(at).toISOString().slice(0, 10);
}
