import Redis from 'ioredis';

/**
 * Bounds of every Redis call: limits and revocations sit on the request path, so a slow or absent
 * Redis must fail a request fast. A caller waits for a command (connected or not) at most
 * REDIS_COMMAND_TIMEOUT_MS, through `withinRedisDeadline`. Commands issued while the client
 * reconnects are dropped at each failed attempt (maxRetriesPerRequest 0), so that queue holds at
 * most REDIS_MAX_RECONNECT_DELAY_MS worth of requests.
 */
export const REDIS_CONNECT_TIMEOUT_MS = 2_000;
export const REDIS_COMMAND_TIMEOUT_MS = 500;
/**
 * ioredis's own timer, kept as a backstop so that no command on this client waits without end,
 * whoever sends it. It is a plain timer (see withinRedisDeadline), so it sits well past the
 * deadline callers use: it fails an answered command only when the event loop is this late.
 */
const REDIS_COMMAND_BACKSTOP_MS = 10 * REDIS_COMMAND_TIMEOUT_MS;
/** Reconnects back off up to this; ioredis keeps trying for as long as the process lives. */
export const REDIS_MAX_RECONNECT_DELAY_MS = 2_000;

/** A client for `url` (redis://host:port[/db]); callers on the request path bound each command with `withinRedisDeadline`. */
export function createRedisClient(url: string, connectionName: string): Redis {
  return new Redis(url, {
    connectionName,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: REDIS_COMMAND_BACKSTOP_MS,
    maxRetriesPerRequest: 0,
    // Each command is written when it is issued. ioredis's auto-pipelining would hold it for a
    // later turn of the event loop, and behind any pipeline still waiting for its answer: on a busy
    // gateway whose turns take hundreds of milliseconds, a session check or rate-limit hit then
    // waited two turns and passed withinRedisDeadline: a 503 for a Redis that had answered in a
    // millisecond. The single write it saved did not show in the gateway's CPU (docs/benchmarks.md).
    enableAutoPipelining: false,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, REDIS_MAX_RECONNECT_DELAY_MS),
  });
}

/**
 * Waits for a Redis command at most `timeoutMs`, and fails it only if its answer has not been read
 * by then. A plain timer cannot tell: when the event loop runs late (every core busy, as under
 * load), the timer and the answer fall due in the same turn, and Node runs timers before it reads
 * sockets, so the timer would fail a command whose answer was already waiting; the gateway
 * answered 503 for a Redis that had replied in a millisecond. Here the expired timer looks again
 * after the sockets were read (setImmediate runs after the poll phase).
 */
export function withinRedisDeadline<T>(command: Promise<T>, timeoutMs: number = REDIS_COMMAND_TIMEOUT_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(new Error(`Redis command timed out after ${timeoutMs} ms`));
      });
    }, timeoutMs);
    command.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Thrown when Redis cannot answer: the caller refuses with 503 rather than guess. */
export class RedisUnavailableError extends Error {
  constructor(operation: string, options?: { cause?: unknown }) {
    super(`Redis did not answer (${operation})`, options);
    this.name = 'RedisUnavailableError';
  }
}

/** Redis as a component of a service's readiness: up when it answers PING. */
export class RedisReadinessCheck {
  readonly component = 'redis';

  constructor(private readonly redis: Redis) {}

  async probe(): Promise<void> {
    await withinRedisDeadline(this.redis.ping());
  }
}
