/*
 * Commands whose output is known to be long and worth compressing, and the kind of output each
 * gives: what the Claude Code hook wraps in `tokenfold-run` (or `tokenfold run`), and what `run`
 * tells the router when the output alone is ambiguous (a test run that starts with a banner reads
 * like prose).
 */

/** What `classifyCommand` knows about a command line. */
export interface CommandClass {
  /** Known to print a lot: test runners, builds, `git log`/`diff`, package managers, `find`, `grep -r`. */
  verbose: boolean;
  /** The kind of output it gives, when the command says so. */
  kind?: 'build' | 'diff' | 'search' | 'log';
}

const BUILD_TOOLS = new Set([
  'jest', 'vitest', 'mocha', 'ava', 'tap', 'tsc', 'eslint', 'biome', 'webpack', 'rollup', 'esbuild', 'turbo', 'nx', 'playwright',
  'pytest', 'tox', 'nox', 'mypy', 'ruff', 'flake8', 'pylint', 'rspec', 'rake', 'phpunit', 'make', 'ninja', 'gradle', 'gradlew',
  'mvn', 'mvnw', 'ant', 'ctest', 'bazel', 'nextest',
]);
// Subcommands after which a tool builds, tests or installs.
const BUILD_SUBCOMMANDS: Record<string, ReadonlySet<string>> = {
  npm: new Set(['test', 't', 'run', 'run-script', 'install', 'i', 'ci', 'build', 'audit', 'ls', 'list', 'outdated', 'exec', 'x']),
  pnpm: new Set(['test', 't', 'run', 'install', 'i', 'add', 'build', 'audit', 'ls', 'list', 'outdated', 'exec', 'dlx']),
  yarn: new Set(['test', 'run', 'install', 'add', 'build', 'audit', 'list', 'outdated', 'exec', 'dlx']),
  bun: new Set(['test', 'run', 'install', 'i', 'add', 'build', 'x']),
  cargo: new Set(['test', 'build', 'check', 'clippy', 'run', 'nextest', 'bench', 'doc']),
  go: new Set(['test', 'build', 'vet', 'generate', 'install']),
  dotnet: new Set(['test', 'build', 'restore', 'publish']),
  swift: new Set(['test', 'build']),
  mix: new Set(['test', 'compile', 'deps.get']),
  pip: new Set(['install', 'list', 'download']),
  pip3: new Set(['install', 'list', 'download']),
  uv: new Set(['pip', 'sync', 'run', 'build']),
  poetry: new Set(['install', 'run', 'build']),
  composer: new Set(['install', 'update', 'test']),
  bundle: new Set(['install', 'exec']),
  docker: new Set(['build', 'compose']),
  cmake: new Set(['--build']),
};
const PACKAGE_LISTINGS = new Set(['ls', 'list', 'outdated']);
const RUNNERS = new Set(['npx', 'pnpx', 'bunx']);
const SEARCH_TOOLS = new Set(['rg', 'ag', 'ack']);
const LOG_SUBCOMMANDS: Record<string, ReadonlySet<string>> = {
  docker: new Set(['logs']),
  kubectl: new Set(['logs']),
  journalctl: new Set(['']),
};

/**
 * What a command line is, from its words (`['cargo', 'test', '--release']`).
 *
 * @example
 * classifyCommand(['git', 'diff', 'HEAD~1']); // { verbose: true, kind: 'diff' }
 * classifyCommand(['ls']);                    // { verbose: false }
 */
export function classifyCommand(words: readonly string[]): CommandClass {
  const [first = '', ...rest] = words;
  const tool = first.split('/').pop()!.replace(/\.(exe|cmd)$/, '');
  const subcommand = rest.find((word) => !word.startsWith('-') || word === '--build') ?? '';
  if (RUNNERS.has(tool)) return classifyCommand(rest.filter((word) => !word.startsWith('-')));
  if ((tool === 'python' || tool === 'python3') && rest[0] === '-m') return classifyCommand(rest.slice(1));
  if (BUILD_TOOLS.has(tool)) return { verbose: true, kind: 'build' };
  if (BUILD_SUBCOMMANDS[tool]?.has(subcommand)) {
    // A package listing is a tree, not a build: let the router read it.
    return PACKAGE_LISTINGS.has(subcommand) ? { verbose: true } : { verbose: true, kind: 'build' };
  }
  if (tool === 'git') return classifyGit(subcommand, rest);
  if (tool === 'find') return { verbose: true };
  if (SEARCH_TOOLS.has(tool)) return { verbose: true, kind: 'search' };
  if ((tool === 'grep' || tool === 'egrep') && rest.some((word) => /^-[a-zA-Z]*[rR]/.test(word) || word === '--recursive')) {
    return { verbose: true, kind: 'search' };
  }
  if (LOG_SUBCOMMANDS[tool]?.has(tool === 'journalctl' ? '' : subcommand)) return { verbose: true, kind: 'log' };
  return { verbose: false };
}

function classifyGit(subcommand: string, rest: readonly string[]): CommandClass {
  if (subcommand === 'diff' || subcommand === 'show' || subcommand === 'format-patch') return { verbose: true, kind: 'diff' };
  if (subcommand === 'log') {
    const patch = rest.some((word) => word === '-p' || word === '--patch' || word === '-u');
    return patch ? { verbose: true, kind: 'diff' } : { verbose: true };
  }
  return { verbose: false };
}
