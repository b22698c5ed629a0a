#!/usr/bin/env node
/*
 * The tokenfold command line:
 *   tokenfold compress [FILE|-] [--query Q] [--budget N] [--kind K] [--json] …
 *   tokenfold unfold ID [--lines A-B] [--grep RE]
 *   tokenfold run [--query Q] -- COMMAND [ARGS…]   (bin/tokenfold-run: the same, Node only if needed)
 *   tokenfold stats [--html FILE]
 *   tokenfold mcp
 *   tokenfold hook claude-code
 *   tokenfold detect [FILE|-] · tokenfold bench · tokenfold demo
 * Originals go to SQLite under the user cache folder, so `unfold` works from another process.
 * Exit codes are in errors.ts. Each command loads its own modules when it runs, so that
 * `tokenfold run` on a small output never pays for loading the compressors and the tokenizer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { EXIT, UsageError, errorMessage } from './errors.ts';
import { DEFAULT_MAX_BYTES, KINDS, duration, nonNegativeInteger, positiveInteger, storeOption } from './options.ts';

// Compiled code of the modules each command loads is cached on disk, so that a command run after
// the first may start sooner (bench/run-wrapper.ts saw no difference beyond noise here).
enableCompileCache();

// A reader that stops early (`tokenfold … | head`) closes the pipe: end quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') process.stderr.write(`tokenfold: ${error.message}\n`);
  process.exit(error.code === 'EPIPE' ? (Number(process.exitCode) || 0) : EXIT.failure);
});

const root = projectRoot();

const program = new Command('tokenfold')
  .description('Compress tool outputs and documents for AI agents; every fold stays recoverable.')
  .version(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version)
  .showHelpAfterError()
  // `run`'s own options end at the command: `tokenfold run -q x -- cargo test --release`.
  .enablePositionalOptions()
  .exitOverride();

program
  .command('compress')
  .description('compress FILE (or standard input) and print the result')
  .argument('[file]', 'file to read, or - for standard input', '-')
  .option('-q, --query <text>', 'what the agent is after; matching content is kept')
  .option('-b, --budget <tokens>', 'target size in tokens', positiveInteger)
  .addOption(new Option('-k, --kind <kind>', 'skip detection and treat the input as this kind').choices(KINDS))
  .addOption(new Option('-t, --tokenizer <name>', 'tokenizer for counts').choices(['o200k_base', 'cl100k_base']).default('o200k_base'))
  .option('--min-tokens <tokens>', 'inputs under this many tokens pass through', nonNegativeInteger, 200)
  .option('--max-bytes <bytes>', 'inputs over this many bytes pass through as a stream', positiveInteger, DEFAULT_MAX_BYTES)
  .option('--exact-counts', 'count tokensBefore exactly, even on large inputs (slower)')
  .option('--ttl <duration>', 'keep folded originals this long (e.g. 30m, 12h, 7d)', duration)
  .option('-n, --namespace <name>', 'scope fold ids (tenant, user, conversation)')
  .addOption(storeOption())
  .option('--json', 'print the whole result as JSON')
  .option('--passthrough', 'copy binary input to standard output instead of refusing it')
  .option('--quiet', 'no summary on standard error')
  .action(async (file: string, flags) => {
    const { compressCommand } = await import('./compress-command.ts');
    process.exitCode = await compressCommand(file, flags);
  });

program
  .command('unfold')
  .description('print the original behind a [[fold ID: …]] marker')
  .argument('<id>', 'the fold id (or the whole marker)')
  .option('-l, --lines <range>', 'only these lines, e.g. 120-140, in the numbering of the original input')
  .option('-g, --grep <regex>', 'only lines matching this regular expression (case-insensitive), with line numbers')
  .option('-n, --namespace <name>', 'the namespace the fold was made in')
  .addOption(storeOption())
  .action(async (id: string, flags) => {
    const { unfoldCommand } = await import('./unfold-command.ts');
    process.exitCode = await unfoldCommand(id, flags);
  });

program
  .command('run')
  .description('run COMMAND, print its output compressed (folds are kept for unfold), keep its exit code')
  .usage('[options] -- <command> [args...]')
  .argument('<command...>', 'the command and its arguments (after --)')
  .option('-q, --query <text>', 'what the agent is after (default: the command line)')
  .option('-b, --budget <tokens>', 'target size in tokens', positiveInteger)
  .option('--min-bytes <bytes>', 'outputs under this many bytes pass through at once, unread', nonNegativeInteger, 2048)
  .option('--max-bytes <bytes>', 'outputs over this many bytes pass through as a stream', positiveInteger, DEFAULT_MAX_BYTES)
  .option('-n, --namespace <name>', 'scope fold ids')
  .addOption(storeOption())
  // For bin/tokenfold-run, which runs the command itself and hands over only larger outputs.
  .addOption(new Option('--from-file <path>', 'the output of COMMAND, captured already').hideHelp())
  .addOption(new Option('--exit-code <code>', 'the exit code of COMMAND, with --from-file').argParser(nonNegativeInteger).default(0).hideHelp())
  .passThroughOptions()
  .action(async (command: string[], flags) => {
    const { runCaptured, runCommand } = await import('./run.ts');
    process.exitCode = flags.fromFile === undefined ? await runCommand(command, flags) : await runCaptured(flags.fromFile, command, flags, flags.exitCode);
  });

program
  .command('stats')
  .description('what tokenfold saved: per kind, calls, tokens before and after, folds, unfolds')
  .option('-n, --namespace <name>', 'only this namespace')
  .option('--since <duration>', 'only the last 7d, 12h, … (the ledger keeps 30 days)', duration)
  .option('--json', 'print the summary as JSON')
  .option('--html <file>', 'also write a self-contained page with charts to FILE')
  .addOption(storeOption())
  .action(async (flags) => {
    const { statsCommand } = await import('./stats.ts');
    process.exitCode = await statsCommand(flags);
  });

program
  .command('mcp')
  .description('serve the tools unfold, compress_file and run over MCP on standard input and output')
  .option('--project <dir>', 'the project folder: scopes folds, and where run and compress_file work', process.cwd())
  .addOption(storeOption())
  .action(async (flags) => {
    const { serveMcp } = await import('./mcp.ts');
    await serveMcp({ project: resolve(flags.project), storePath: flags.store });
  });

program
  .command('hook')
  .description('set up a coding agent: prints the settings to add, or answers the agent as its hook')
  .argument('<agent>', 'claude-code')
  .option('--pre-tool-use', 'answer one PreToolUse call: JSON on standard input, decision on standard output')
  .addOption(new Option('--decision <decision>', 'for rewritten commands: ask shows them to you first, allow runs them').choices(['ask', 'allow']).default('ask'))
  .action(async (agent: string, flags) => {
    if (agent !== 'claude-code') throw new UsageError(`no hook for ${JSON.stringify(agent)}: only claude-code has one (see the README for Codex CLI and opencode)`);
    const { claudeCodeHook, claudeCodeSettings } = await import('./hook.ts');
    if (flags.preToolUse) process.stdout.write(claudeCodeHook(readFileSync(0, 'utf8'), flags.decision));
    else process.stdout.write(claudeCodeSettings(flags.decision));
  });

program
  .command('detect')
  .description('say what kind of content FILE is, and why')
  .argument('[file]', 'file to read, or - for standard input', '-')
  .action(async (file: string) => {
    const [{ readInput }, { describeBinary }, { detect }] = await Promise.all([import('./read-input.ts'), import('./binary.ts'), import('../core/index.ts')]);
    const { bytes } = await readInput(file, DEFAULT_MAX_BYTES);
    const binary = describeBinary(bytes);
    const detection = binary ? { kind: 'binary', why: binary } : detect(new TextDecoder().decode(bytes));
    process.stdout.write(`${detection.kind}\t${detection.why}\n`);
  });

program
  .command('bench')
  .description('run the benchmark on ../shared/corpora (writes bench/results.md)')
  .allowUnknownOption()
  .argument('[flags...]', 'passed to the benchmark')
  .action(async (flags: string[]) => {
    const script = join(root, 'bench', 'run.ts');
    if (!existsSync(script)) throw new UsageError('the benchmark ships with the source repository, not the npm package');
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, ['--conditions=tokenfold-source', script, ...flags], { stdio: 'inherit' });
    process.exitCode = run.status ?? EXIT.failure;
  });

program
  .command('demo')
  .description('compress a real log, then unfold one of its folds (no key, no server)')
  .addOption(storeOption())
  .action(async (flags) => {
    const { runDemo } = await import('./demo.ts');
    await runDemo({ storePath: flags.store, root });
  });

function projectRoot(): string {
  // cli/index.ts from source, dist/cli/index.js when built.
  const up = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  return existsSync(join(up, 'package.json')) ? up : resolve(up, '..');
}

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version end here with code 0; usage errors were already printed by commander.
    process.exitCode = error.exitCode === 0 ? EXIT.done : EXIT.usage;
  } else if (error instanceof UsageError) {
    process.stderr.write(`tokenfold: ${error.message}\n`);
    process.exitCode = EXIT.usage;
  } else {
    process.stderr.write(`tokenfold: ${errorMessage(error)}\n`);
    process.exitCode = EXIT.failure;
  }
}
