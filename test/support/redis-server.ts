import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';

/*
 * A throwaway redis-server for tests and the reliability bench: on 127.0.0.1, on a free port,
 * with no persistence unless asked, killed, frozen or restarted on the same port at will to inject
 * outages.
 */

/** A running test redis-server. */
export interface TestRedis {
  url: string;
  port: number;
  /** Kills the server at once (SIGKILL): an outage, not a shutdown. */
  kill(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Thaws a paused server. */
  resume(): void;
  /** Starts the server again on the same port: empty, unless started with `persistIn`. */
  restart(): Promise<void>;
  /** Kills the server for good. */
  stop(): Promise<void>;
}

/** True when `redis-server` can be run on this machine. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Why the Redis tests cannot run here, or `undefined` when they can. Under CI a missing
 * redis-server is a failure, not a skip: the tests must not pass by not running.
 */
export function redisSkipReason(): string | undefined {
  if (hasRedisServer()) return undefined;
  if (process.env.CI) throw new Error('redis-server is not installed, and CI must run the Redis tests (see .ci/run)');
  return 'redis-server is not installed (apt-get install redis-server); set CI=1 to make this a failure';
}

/** Options of `startRedis`. */
export interface StartRedisOptions {
  /**
   * Keep data in this folder with an append-only file synced on every write, so that a killed
   * and restarted server still has every acknowledged fold. Default: nothing is persisted.
   */
  persistIn?: string;
}

/** Starts redis-server on a free port and resolves once it answers PING. */
export async function startRedis(options: StartRedisOptions = {}): Promise<TestRedis> {
  const port = await freePort();
  const launch = () => launchServer(port, options.persistIn);
  let server: ChildProcess | undefined = await launch();
  const kill = async () => {
    const running = server;
    server = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.ref(); // so that this process waits for the exit it awaits
    running.kill('SIGKILL');
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    stop: kill,
    pause: () => server?.kill('SIGSTOP'),
    resume: () => server?.kill('SIGCONT'),
    restart: async () => {
      await kill();
      server = await launch();
    },
  };
}

async function launchServer(port: number, persistIn: string | undefined): Promise<ChildProcess> {
  const persistence = persistIn
    ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', persistIn]
    : ['--appendonly', 'no'];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--daemonize', 'no'];
  const server = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  server.stdout?.on('data', (chunk) => (output += chunk));
  server.stderr?.on('data', (chunk) => (output += chunk));
  // A test process that ends without stopping its server must not leave it running.
  server.unref();
  (server.stdout as Socket | null)?.unref();
  (server.stderr as Socket | null)?.unref();
  process.once('exit', () => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`redis-server exited with ${server.exitCode}: ${output}`);
    if (await answersPing(port)) return server;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  server.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port} within 10 s: ${output}`);
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

/** A port nothing listens on right now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
