import type Redis from 'ioredis';
import { RedisUnavailableError, withinRedisDeadline } from './redis-client';


/**
 * Sessions ended before their access tokens expire (logout, a refresh token presented twice). Auth
 * records each one for as long as a token of that session can still be valid; the gateway asks on
 * every request, so a revoked session's token is refused at once instead of at its expiry. One key
 * per session with that lifetime as its TTL, so Redis forgets it by itself.
 *
 * Redis keeps nothing on disk here: after a Redis restart an ended session's unexpired token (at
 * most ACCESS_TOKEN_TTL_SECONDS old) is accepted again until it expires, as before this existed.
 */
export class SessionRevocations {
  /** `namespace` starts every key (REDIS_KEY_PREFIX): auth and the gateways must share it. */
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
  ) {}

  /** The key that exists while `sessionId` is revoked. */
  keyOf(sessionId: string): string {
    return `${this.namespace}revoked-session:${sessionId}`;
  }

  async revoke(sessionId: string, forMs: number): Promise<void> {
    try {
      await withinRedisDeadline(this.redis.set(this.keyOf(sessionId), '1', 'PX', Math.max(1, Math.ceil(forMs))));
    } catch (error) {
      throw new RedisUnavailableError('record a revoked session', { cause: error });
    }
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    try {
      return (await withinRedisDeadline(this.redis.exists(this.keyOf(sessionId)))) === 1;
    } catch (error) {
      throw new RedisUnavailableError('check a session', { cause: error });
    }
  }
}
