import Redis from 'ioredis';

/**
 * Bounds of every Redis call: limits and revocations sit on the request path, so a slow or absent
 * Redis must fail a request fast. A command issued while the client (re)connects waits for the
 * connection, but never longer than the command timeout, so the queue holds at most
 * REDIS_COMMAND_TIMEOUT_MS worth of requests.
 */
export const REDIS_CONNECT_TIMEOUT_MS = 2_000;
export const REDIS_COMMAND_TIMEOUT_MS = 500;
/** Reconnects back off up to this; ioredis keeps trying for as long as the process lives. */
export const REDIS_MAX_RECONNECT_DELAY_MS = 2_000;

/** A client for `url` (redis://host:port[/db]) whose commands fail after REDIS_COMMAND_TIMEOUT_MS, connected or not. */
export function createRedisClient(url: string, connectionName: string): Redis {
  return new Redis(url, {
    connectionName,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    // Commands issued in the same turn of the event loop (every request's session check and rate
    // limit under load) leave in one write instead of one each.
    enableAutoPipelining: true,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, REDIS_MAX_RECONNECT_DELAY_MS),
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
    await this.redis.ping();
  }
}
