/*
 * How the benchmark report writes numbers: percentages, counts, ratios, milliseconds, speed lines.
 * Shared by report.ts and report-ci.ts so that every table prints figures the same way.
 */
import type { SpeedSummary } from './speed.ts';

/**
 * `0.757` as `75.7%`.
 *
 * @example
 * pct(0.757); // '75.7%'
 */
export function pct(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/**
 * `part/total (share)`, or `—` when there is nothing to count.
 *
 * @example
 * ratio(3, 4); // '3/4 (75.0%)'
 */
export function ratio(part: number, total: number): string {
  return total > 0 ? `${int(part)}/${int(total)} (${pct(part / total)})` : '—';
}

/**
 * A rounded count with thousands separators.
 *
 * @example
 * int(12345.6); // '12,346'
 */
export function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/**
 * Milliseconds with as many decimals as the size deserves.
 *
 * @example
 * ms(3.14159); // '3.14'
 */
export function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/**
 * `part / total`, 1 when there is nothing to count (nothing to keep is all kept).
 *
 * @example
 * share(0, 0); // 1
 */
export function share(part: number, total: number): number {
  return total > 0 ? part / total : 1;
}

/**
 * The kind a document was routed to, with the pass-through reason if it passed through.
 *
 * @example
 * kindCell({ kind: 'text', passThrough: 'small' }); // 'text (pass: small)'
 */
export function kindCell(run: { kind: string; passThrough?: string }): string {
  return run.passThrough ? `${run.kind} (pass: ${run.passThrough})` : run.kind;
}

/**
 * One sentence on a corpus' speed for its section of the report.
 *
 * @example
 * speedLine(summary, 'log'); // 'Speed: compress() 12.3 MB/s, 4.10 ms p50 / … per log; 0.80x the time …'
 */
export function speedLine(speed: SpeedSummary, unit = 'file'): string {
  return (
    `Speed: compress() ${speed.compressMBps.toFixed(1)} MB/s, ${ms(speed.p50Ms)} ms p50 / ${ms(speed.p95Ms)} ms p95 per ${unit}; ` +
    `${speed.compressToCount.toFixed(2)}x the time of counting the input's tokens once; structural pass ${speed.structuralMBps.toFixed(1)} MB/s.`
  );
}
