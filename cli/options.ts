import { InvalidArgumentError, Option } from 'commander';
import type { ContentKind } from '../core/types.ts';

/*
 * Option parsers and options that several commands share.
 */

export const KINDS: ContentKind[] = ['json', 'ndjson', 'log', 'build', 'search', 'diff', 'html', 'code', 'text'];

/** Inputs over this many bytes are not read into memory: they pass through as a stream. */
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/**
 * `--store PATH`, as a fresh Option (commander binds an Option to one command). Left unset, each
 * command opens `defaultSqlitePath()` when it needs a store: resolving it here would load the store
 * module at every start, which `tokenfold run` on a small output never needs.
 *
 * @example
 * program.command('unfold').addOption(storeOption());
 */
export function storeOption(): Option {
  return new Option('--store <path>', 'SQLite file for folded originals (default: $XDG_CACHE_HOME/tokenfold/folds.sqlite)');
}

/**
 * A whole number above zero.
 *
 * @example
 * positiveInteger('2000'); // 2000
 */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return number;
}

/**
 * A whole number, zero or more.
 *
 * @example
 * nonNegativeInteger('0'); // 0
 */
export function nonNegativeInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('expected a whole number');
  return number;
}

/**
 * A duration in milliseconds, from `90s`, `30m`, `12h`, `7d` or `250ms` (a bare number is seconds).
 *
 * @example
 * duration('7d'); // 604800000
 */
export function duration(value: string): number {
  const match = value.trim().match(/^(\d+)\s*(ms|s|m|h|d)?$/);
  if (!match) throw new InvalidArgumentError('expected a duration such as 90s, 30m, 12h or 7d');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 's']!;
  return Number(match[1]) * unit;
}
