import type { RedisClientConnectionType } from '@keyv/redis';
import type Keyv from 'keyv';
import type { WriteIfAbsentAdapter } from './store.ts';

/*
 * A fold store on Redis, shared by every process of an agent fleet.
 *
 * The compressor sits in the path of every model call, so a Redis that is down, slow or
 * restarting must cost one failed write (and an uncompressed tool output), never a hung agent.
 * node-redis's defaults are made for the opposite: commands issued while the connection is down
 * wait in an offline queue until it comes back, and the first connection retries forever. So:
 * no offline queue (a command fails at once while reconnecting), a bound on connecting and on
 * each command, and errors thrown to the caller (Keyv would otherwise report a failed read as a
 * missing key, and a failed write as done). Reconnection still runs in the background, with
 * backoff, so the store recovers when Redis does.
 *
 * Recovery after a restart: @keyv/redis's backoff doubles up to 2 s between attempts, so a
 * process could wait 2.2 s past Redis's return before trying again, and its `getClient` re-adds
 * its four event listeners after every connection, so they pile up over outages. Here the
 * backoff is capped at RECONNECT_CAP_MS and the listeners are added once. Fold writes use
 * `SET NX` (see `writeFolds`).
 */

/** Options of `createRedisStore`. */
export interface RedisStoreOptions {
  /** Longest wait for a connection, in milliseconds, before the operation fails. Default 2,000. */
  connectTimeout?: number;
  /** Longest wait for one command's reply, in milliseconds. Default 2,000. */
  commandTimeout?: number;
}

const DEFAULT_TIMEOUT_MS = 2000;
// Longest pause between two reconnection attempts: a handful of cheap refused connections per
// second per process while Redis is down, and back within this long once it is up.
const RECONNECT_CAP_MS = 250;

/**
 * A Keyv store on Redis (`@keyv/redis`) that fails fast instead of queueing: while Redis is down,
 * `compress` passes its input through and reports once through `onError`, and `unfold` rejects
 * (the unfold tool turns that into a message). Fold keys are `tokenfold:<namespace>:<id>`, with no
 * Keyv prefix. Connects on first use; call `store.disconnect()` to close.
 *
 * @example
 * const store = await createRedisStore('redis://127.0.0.1:6379');
 * await compress(toolOutput, { store, namespace: conversationId, ttl: 24 * 3600_000 });
 * await store.disconnect();
 */
export async function createRedisStore(
  url = 'redis://127.0.0.1:6379',
  options: RedisStoreOptions = {},
): Promise<Keyv> {
  const connectTimeout = options.connectTimeout ?? DEFAULT_TIMEOUT_MS;
  const commandTimeout = options.commandTimeout ?? DEFAULT_TIMEOUT_MS;
  const { default: KeyvRedis, Keyv, createClient } = await importRedis();

  // Until the first connection succeeds, a refused connection fails the operation at once (the
  // next one tries again); after that, a dropped connection is retried in the background.
  let connectedOnce = false;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout,
      reconnectStrategy: (retries: number, cause: Error) =>
        connectedOnce ? Math.min(25 * 2 ** retries, RECONNECT_CAP_MS) + Math.random() * 25 : cause,
    },
  });
  client.on('ready', () => {
    connectedOnce = true;
  });

  // @keyv/redis connects on first use, but two first uses at once (compress writes its folds in
  // parallel) both see an open socket, and the second, finding it not yet ready and the offline
  // queue off, fails. One connection attempt at a time, shared by everyone waiting for it.
  // node-redis bounds a command's wait to be sent, not its wait for the reply, so a frozen Redis
  // would hold every call forever: each operation races a timer.
  class BoundedRedis extends KeyvRedis<unknown> implements WriteIfAbsentAdapter {
    #connecting: Promise<RedisClientConnectionType> | undefined;
    /** `SET key value NX [PX ttl]`: true when written, false when a live value was there. */
    async setIfAbsent(key: string, value: string, ttl?: number): Promise<boolean> {
      const write = async () => {
        const client = await this.getClient();
        const reply = await client.set(key, value, ttl ? { NX: true, PX: ttl } : { NX: true });
        return reply === 'OK';
      };
      return withTimeout(write(), commandTimeout, 'set');
    }
    override getClient(): Promise<RedisClientConnectionType> {
      if (this.client.isOpen && !this.#connecting) return super.getClient();
      this.#connecting ??= super.getClient().finally(() => {
        this.#connecting = undefined;
      });
      return this.#connecting;
    }
    override get<U>(key: string) {
      return withTimeout(super.get<U>(key), commandTimeout, 'get');
    }
    override getMany<U>(keys: string[]) {
      return withTimeout(super.getMany<U>(keys), commandTimeout, 'getMany');
    }
    override set(key: string, value: string, ttl?: number) {
      return withTimeout(super.set(key, value, ttl), commandTimeout, 'set');
    }
    override delete(key: string) {
      return withTimeout(super.delete(key), commandTimeout, 'delete');
    }
  }
  // `connectionTimeout` bounds the first connection, which would otherwise retry until it succeeds.
  const adapter = new BoundedRedis(client, { throwOnErrors: true, throwOnConnectError: true, connectionTimeout: connectTimeout });
  // KeyvRedis adds its four client listeners again after every connection: once is enough.
  const addListeners = (adapter as unknown as { initClient(): void }).initClient.bind(adapter);
  (adapter as unknown as { initClient(): void }).initClient = () => {
    if (client.listenerCount('error') === 0) addListeners();
  };
  // No Keyv prefix: fold keys are already `tokenfold:<namespace>:<id>`.
  const store = new Keyv({ store: adapter, useKeyPrefix: false, throwOnErrors: true });
  store.namespace = undefined;
  return store;
}

/** `promise`, or a rejection once `milliseconds` have passed without it settling. */
function withTimeout<T>(promise: Promise<T>, milliseconds: number, operation: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis ${operation} timed out after ${milliseconds} ms`)), milliseconds);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `@keyv/redis`, an optional dependency: loaded on first use, with what to install if it is missing. */
async function importRedis(): Promise<typeof import('@keyv/redis')> {
  try {
    return await import('@keyv/redis');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error('tokenfold: createRedisStore needs the package @keyv/redis. Install it next to tokenfold: npm install @keyv/redis', { cause: error });
    }
    throw error;
  }
}
