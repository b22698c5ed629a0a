import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { EXIT, errorMessage } from './errors.ts';
import { classifyCommand } from './known-commands.ts';

/*
 * `tokenfold run -- COMMAND [ARGS…]`: what a coding agent's shell tool runs instead of a verbose
 * command. The command's standard output and error are read as one stream, in the order they
 * arrive; standard input and signals reach the command as they would without the wrapper, and its
 * exit code is the wrapper's.
 *
 * - Under `minBytes` (2 KiB) the output is printed as it was, without loading the compressor or
 *   the tokenizer: the wrapper costs a process start and nothing else.
 * - Over `maxBytes` (32 MiB) the wrapper stops holding the output and streams the rest through.
 * - In between, the output is compressed once the command has finished, with the command line
 *   as the query, and folds go to the CLI's SQLite store for `tokenfold unfold`. Nothing of it is
 *   printed earlier: a model would otherwise read the same lines twice. A person at a terminal
 *   sees progress on standard error instead.
 */

/** The flags of `tokenfold run`. */
export interface RunFlags {
  query?: string;
  budget?: number;
  /** Outputs under this many bytes pass through at once. Default 2,048. */
  minBytes: number;
  maxBytes: number;
  namespace?: string;
  /** SQLite file for folds; default `defaultSqlitePath()`. */
  store?: string;
}

/** Where `runCommand` reads and writes: the terminal by default, or a caller's buffer (MCP). */
export interface RunIo {
  /**
   * False when the reader is full: the command's output is then paused until standard output
   * drains, so only the terminal returns false; a caller's buffer takes everything (void).
   */
  write(chunk: Uint8Array | string): boolean | void;
  /** The command's standard input: the wrapper's own, or none (when it carries a protocol). */
  stdin: 'inherit' | 'ignore';
  cwd?: string;
  /** Pass the wrapper's signals on to the command, and show progress on a terminal. */
  interactive: boolean;
  /** How the reader gets a fold back, for the line after a compressed output. */
  unfoldHint: string;
}

const TERMINAL: RunIo = {
  write: (chunk) => process.stdout.write(chunk),
  stdin: 'inherit',
  interactive: true,
  unfoldHint: '`tokenfold unfold ID` prints one, with --lines A-B or --grep RE a part',
};
const PROGRESS_EVERY_MS = 500;

/**
 * Runs `words` (the command and its arguments) and resolves to the exit code to leave with: the
 * command's own, 128 + the signal number when a signal ended it, 127 when it was not found.
 *
 * @example
 * process.exitCode = await runCommand(['cargo', 'test'], { minBytes: 2048, maxBytes: 32 << 20 });
 */
export async function runCommand(words: string[], flags: RunFlags, io: RunIo = TERMINAL): Promise<number> {
  const commandLine = words.join(' ');
  // One pipe for both streams, as a terminal would have it: with two pipes, the order of lines
  // written to standard output and error in turn would depend on which pipe Node reads first.
  // `exec` leaves no shell in between, so signals and the exit code are the command's own.
  const [file, ...args] = process.platform === 'win32' ? words : ['/bin/sh', '-c', 'exec "$@" 2>&1', 'tokenfold-run', ...words];
  const child = spawn(file!, args, { stdio: [io.stdin, 'pipe', 'pipe'], cwd: io.cwd });
  const chunks: Buffer[] = [];
  let held = 0;
  let streaming = false;
  // Streaming a huge output into a slow reader must not pile it up in memory.
  const pauseUntilDrained = () => {
    child.stdout.pause();
    child.stderr.pause();
    process.stdout.once('drain', () => {
      child.stdout.resume();
      child.stderr.resume();
    });
  };
  const take = (chunk: Buffer) => {
    if (streaming) {
      if (io.write(chunk) === false) pauseUntilDrained();
      return;
    }
    chunks.push(chunk);
    held += chunk.length;
    if (held > flags.maxBytes) {
      // Too much to hold: what came so far, then everything else, unchanged.
      streaming = true;
      for (const part of chunks.splice(0)) io.write(part);
    }
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const progress = io.interactive ? showProgress(commandLine, () => held, flags.minBytes) : { stop() {} };
  const stopForwarding = io.interactive ? forwardSignals(child) : () => {};
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  stopForwarding();
  progress.stop();
  if (exit.error) {
    const notFound = exit.error.code === 'ENOENT';
    const message = `tokenfold: ${words[0]}: ${notFound ? 'command not found' : exit.error.message}\n`;
    if (io.interactive) process.stderr.write(message);
    else io.write(message);
    return notFound ? 127 : 126;
  }
  const code = exit.signal ? 128 + (constants.signals[exit.signal] ?? 0) : (exit.code ?? EXIT.failure);
  if (!streaming) await writeOutput(Buffer.concat(chunks), words, flags, io);
  return code;
}

/**
 * The second half of `tokenfold run`, for bin/tokenfold-run: the command has run already, its
 * output is in `file` (standard output and error, in order) and its exit code is `code`. Prints
 * what `runCommand` would have printed, and resolves to `code`.
 *
 * @example
 * process.exitCode = await runCaptured('/tmp/tokenfold-run.x1', ['cargo', 'test'], flags, 101);
 */
export async function runCaptured(file: string, words: string[], flags: RunFlags, code: number, io: RunIo = TERMINAL): Promise<number> {
  const { readInput } = await import('./read-input.ts');
  const { bytes, rest } = await readInput(file, flags.maxBytes);
  if (!rest) {
    await writeOutput(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), words, flags, io);
    return code;
  }
  // Over maxBytes: unchanged, as a stream, like runCommand.
  io.write(bytes);
  for await (const chunk of rest) {
    if (io.write(chunk) === false) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
  return code;
}

/**
 * A whole output: as it is when under `minBytes`, compressed otherwise. Exported for
 * bench/run-wrapper.ts, which feeds it recorded outputs.
 *
 * @example
 * await writeOutput(output, ['cargo', 'test'], flags, io);
 */
export async function writeOutput(output: Buffer, words: readonly string[], flags: RunFlags, io: RunIo): Promise<void> {
  if (output.length < flags.minBytes) io.write(output);
  else await writeCompressed(output, words, flags, io);
}

/**
 * What `run` prints for an output of `minBytes` or more: compressed with the command line as the
 * query and as a hint of its kind, folds in the store, and a last line on how to unfold them.
 */
async function writeCompressed(output: Buffer, words: readonly string[], flags: RunFlags, io: RunIo): Promise<void> {
  const [{ compressBytes }, { createSqliteStore, detect }] = await Promise.all([import('./compress-bytes.ts'), import('../core/index.ts')]);
  // Whatever fails (a store that cannot open, a ledger write), the command's output reaches the
  // agent, unchanged, with the reason on standard error.
  let store: Awaited<ReturnType<typeof createSqliteStore>> | undefined;
  try {
    store = await createSqliteStore(flags.store);
    const text = output.toString('utf8');
    const outcome = await compressBytes(output, {
      query: flags.query ?? words.join(' '),
      kind: kindFor(words, detect(text).kind),
      budget: flags.budget,
      namespace: flags.namespace,
      store,
      source: 'run',
      tool: words.join(' '),
      // A failing compressor or store write: compress passes the output through.
      onError: () => {},
    });
    if (outcome.type !== 'compressed') {
      io.write(output);
      return;
    }
    io.write(outcome.output);
    const folds = outcome.result.folds.length;
    if (folds > 0) {
      const end = typeof outcome.output === 'string' && !outcome.output.endsWith('\n') ? '\n' : '';
      io.write(`${end}[tokenfold: ${folds} fold${folds === 1 ? '' : 's'} above; ${io.unfoldHint}]\n`);
    }
  } catch (error) {
    process.stderr.write(`tokenfold: ${errorMessage(error)}; the output is not compressed\n`);
    io.write(output);
  } finally {
    await store?.disconnect();
  }
}

// The router reads the output; the command line settles what the output alone leaves open.
function kindFor(words: readonly string[], detected: string): 'build' | 'diff' | 'search' | 'log' | undefined {
  const { kind } = classifyCommand(words);
  if (!kind || detected === kind) return undefined;
  return detected === 'text' || detected === 'log' ? kind : undefined;
}

/**
 * Passes SIGTERM and SIGHUP on to the command; SIGINT too, unless the wrapper sits at a terminal,
 * where Ctrl-C already reached the command (same process group) and a second SIGINT would make
 * many tools quit without cleaning up. The wrapper itself stays alive to print what it has and
 * to leave with the command's code.
 */
function forwardSignals(child: ReturnType<typeof spawn>): () => void {
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => {
    const handler = () => {
      if (signal === 'SIGINT' && process.stdin.isTTY) return;
      child.kill(signal);
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  return () => handlers.forEach((remove) => remove());
}

function showProgress(commandLine: string, heldBytes: () => number, fromBytes: number): { stop(): void } {
  if (!process.stderr.isTTY) return { stop() {} };
  let shown = false;
  const timer = setInterval(() => {
    if (heldBytes() < fromBytes) return;
    shown = true;
    process.stderr.write(`\r\u001b[2Ktokenfold: ${commandLine.slice(0, 60)} running, ${(heldBytes() / 1024).toFixed(0)} KB of output so far`);
  }, PROGRESS_EVERY_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (shown) process.stderr.write('\r\u001b[2K');
    },
  };
}
