import Redis from 'ioredis';

/**
 * Bounds of every Redis call: limits and revocations sit on the request path, so a slow or absent
 * Redis must answer fast, never queue requests while it reconnects.
 */
export const REDIS_CONNECT_TIMEOUT_MS = 2_000;
export const REDIS_COMMAND_TIMEOUT_MS = 500;
/** Reconnects back off up to this; ioredis keeps trying for as long as the process lives. */
export const REDIS_MAX_RECONNECT_DELAY_MS = 2_000;

/** A client for `url` (redis://host:port[/db]) that fails a command at once while disconnected. */
export function createRedisClient(url: string, connectionName: string): Redis {
  return new Redis(url, {
    connectionName,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
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
