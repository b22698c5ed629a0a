#!/usr/bin/env node
/*
 * The tokenfold command line:
 *   tokenfold compress [FILE|-] [--query Q] [--budget N] [--kind K] [--json]
 *   tokenfold unfold ID [--lines A-B] [--grep RE]
 *   tokenfold detect [FILE|-]
 *   tokenfold bench [-- bench flags]
 *   tokenfold demo
 * Originals go to SQLite under the user cache folder, so `unfold` works from another process.
 * Exit codes: 0 done, 1 failure, 2 bad usage, 3 fold not found or expired.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { compress, createSqliteStore, defaultSqlitePath, detect, unfold } from '../core/index.ts';
import type { ContentKind } from '../core/index.ts';
import { readInput } from './read-input.ts';

const KINDS: ContentKind[] = ['json', 'ndjson', 'log', 'build', 'search', 'diff', 'html', 'code', 'text'];
const EXIT_NOT_FOUND = 3;

const program = new Command('tokenfold')
  .description('Compress tool outputs and documents for AI agents; every fold stays recoverable.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

const storeOption = new Option('--store <path>', 'SQLite file for folded originals').default(
  defaultSqlitePath(),
  '$XDG_CACHE_HOME/tokenfold/folds.sqlite',
);

program
  .command('compress')
  .description('compress FILE (or standard input) and print the result')
  .argument('[file]', 'file to read, or - for standard input', '-')
  .option('-q, --query <text>', 'what the agent is after; matching content is kept')
  .option('-b, --budget <tokens>', 'target size in tokens', positiveInteger)
  .addOption(new Option('-k, --kind <kind>', 'skip detection and treat the input as this kind').choices(KINDS))
  .addOption(new Option('-t, --tokenizer <name>', 'tokenizer for counts').choices(['o200k_base', 'cl100k_base']).default('o200k_base'))
  .option('--min-tokens <tokens>', 'inputs under this many tokens pass through', nonNegativeInteger, 200)
  .option('--ttl <duration>', 'keep folded originals this long (e.g. 30m, 12h, 7d)', duration)
  .option('-n, --namespace <name>', 'scope fold ids (tenant, user, conversation)')
  .addOption(storeOption)
  .option('--json', 'print the whole result as JSON')
  .option('--quiet', 'no summary on standard error')
  .action(async (file: string, flags) => {
    const text = await readInput(file);
    const store = await createSqliteStore(flags.store);
    try {
      const result = await compress(text, {
        query: flags.query,
        budget: flags.budget,
        kind: flags.kind,
        tokenizer: flags.tokenizer,
        minTokens: flags.minTokens,
        ttl: flags.ttl,
        namespace: flags.namespace,
        store,
        onError: (error, { stage }) => process.stderr.write(`tokenfold: ${stage} failed, passing through: ${message(error)}\n`),
      });
      process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : result.text);
      if (!flags.quiet && !flags.json) process.stderr.write(`${summary(result)}\n`);
    } finally {
      await store.disconnect();
    }
  });

program
  .command('unfold')
  .description('print the original behind a [[fold ID: …]] marker')
  .argument('<id>', 'the 12-digit fold id (or the whole marker)')
  .option('-l, --lines <range>', 'only these lines, e.g. 120-140')
  .option('-g, --grep <regex>', 'only lines matching this regular expression, with line numbers')
  .option('-n, --namespace <name>', 'the namespace the fold was made in')
  .addOption(storeOption)
  .action(async (id: string, flags) => {
    const store = await createSqliteStore(flags.store);
    try {
      const result = await unfold(id, { lines: flags.lines, grep: flags.grep, namespace: flags.namespace, store });
      if (result.status === 'ok') {
        process.stdout.write(result.text.endsWith('\n') || result.text === '' ? result.text : `${result.text}\n`);
        return;
      }
      process.stderr.write(`tokenfold: ${result.message}\n`);
      process.exitCode = result.status === 'invalid-request' ? 2 : EXIT_NOT_FOUND;
    } finally {
      await store.disconnect();
    }
  });

program
  .command('detect')
  .description('say what kind of content FILE is, and why')
  .argument('[file]', 'file to read, or - for standard input', '-')
  .action(async (file: string) => {
    const detection = detect(new TextDecoder().decode(await readInput(file)));
    process.stdout.write(`${detection.kind}\t${detection.why}\n`);
  });

program
  .command('bench')
  .description('run the benchmark on ../shared/corpora (writes bench/results.md)')
  .allowUnknownOption()
  .argument('[flags...]', 'passed to the benchmark')
  .action((flags: string[]) => {
    const script = join(projectRoot(), 'bench', 'run.ts');
    if (!existsSync(script)) throw new UsageError('the benchmark ships with the source repository, not the npm package');
    const run = spawnSync(process.execPath, ['--conditions=tokenfold-source', script, ...flags], { stdio: 'inherit' });
    process.exitCode = run.status ?? 1;
  });

program
  .command('demo')
  .description('compress a real log, then unfold one of its folds (no key, no server)')
  .addOption(storeOption)
  .action(async (flags) => {
    const { runDemo } = await import('./demo.ts');
    await runDemo({ storePath: flags.store, root: projectRoot() });
  });

class UsageError extends Error {}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return number;
}

function nonNegativeInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('expected a whole number');
  return number;
}

function duration(value: string): number {
  const match = value.trim().match(/^(\d+)\s*(ms|s|m|h|d)?$/);
  if (!match) throw new InvalidArgumentError('expected a duration such as 90s, 30m, 12h or 7d');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 's']!;
  return Number(match[1]) * unit;
}

function summary(result: Awaited<ReturnType<typeof compress>>): string {
  const saved = result.tokensBefore === 0 ? 0 : 1 - result.tokensAfter / result.tokensBefore;
  const before = `${result.tokensBeforeExact ? '' : '~'}${result.tokensBefore.toLocaleString('en-US')}`;
  const what = result.passThrough ? `passed through (${result.passThrough})` : `${result.folds.length} folds`;
  return `tokenfold: ${result.kind}, tokens ${before} → ${result.tokensAfter.toLocaleString('en-US')} (-${Math.round(saved * 100)}%), ${what}`;
}

function projectRoot(): string {
  // cli/index.ts from source, dist/cli/index.js when built.
  const here = dirname(fileURLToPath(import.meta.url));
  const up = resolve(here, '..');
  return existsSync(join(up, 'package.json')) ? up : resolve(up, '..');
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version end here with code 0; usage errors were already printed by commander.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof UsageError) {
    process.stderr.write(`tokenfold: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`tokenfold: ${message(error)}\n`);
    process.exitCode = (error as { code?: string }).code === 'ENOENT' ? 2 : 1;
  }
}

