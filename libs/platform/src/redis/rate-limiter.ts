import type Redis from 'ioredis';
import { RedisUnavailableError, withinRedisDeadline } from './redis-client';

/**
 * Counts one hit on KEYS[1] and returns the count and the window's remaining time, atomically: the
 * first hit of a window starts its expiry, so a key never outlives its window.
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;
/** HIT_SCRIPT, unless KEYS[2] exists: then nothing is counted and {-1, 0} comes back. */
const HIT_UNLESS_SCRIPT = `
if redis.call('EXISTS', KEYS[2]) == 1 then return {-1, 0} end
${HIT_SCRIPT}`;
/** The client's names for the scripts once defined on it (ioredis `defineCommand`). */
const HIT_COMMAND = 'bvsRateLimitHit';
const HIT_UNLESS_COMMAND = 'bvsRateLimitHitUnless';
type RedisWithHit = Redis & {
  [HIT_COMMAND](key: string, windowMs: string): Promise<[number, number]>;
  [HIT_UNLESS_COMMAND](key: string, vetoKey: string, windowMs: string): Promise<[number, number]>;
};

/** What `hitUnlessExists` answers when its veto key exists. */
export const VETOED = 'VETOED';

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** When the window ends; what a refused client is told to wait (Retry-After). */
  readonly retryAfterMs: number;
}

/**
 * Fixed-window counters in Redis, so a limit holds across every gateway replica: `limit` hits per
 * key per window. Keys name what is limited and for whom (`login:address:203.0.113.7`,
 * `pay:user:<uuid>`).
 */
export class RateLimiter {
  /** `namespace` starts every key (REDIS_KEY_PREFIX), so deployments can share one Redis. */
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
  ) {
    // A defined command is sent as EVALSHA (as EVAL on a connection's first use, and again after a
    // NOSCRIPT when Redis restarted), so each hit carries a 40-character digest instead of the
    // script, which Redis would hash again.
    if (!(HIT_COMMAND in redis)) redis.defineCommand(HIT_COMMAND, { numberOfKeys: 1, lua: HIT_SCRIPT });
    if (!(HIT_UNLESS_COMMAND in redis)) redis.defineCommand(HIT_UNLESS_COMMAND, { numberOfKeys: 2, lua: HIT_UNLESS_SCRIPT });
  }

  private keyOf(key: string): string {
    return `${this.namespace}rate:${key}`;
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const count = await this.count(key, windowMs);
    return { allowed: count.hits <= limit, retryAfterMs: count.remainingMs };
  }

  /**
   * `hit`, unless the key `vetoKey` (a whole key, prefix included) exists: then VETOED, and nothing
   * is counted. One round trip where asking first and counting after would take two: the gateway
   * vetoes a signed-in user's hit by the session's revocation key (`SessionRevocations.keyOf`).
   */
  async hitUnlessExists(key: string, limit: number, windowMs: number, vetoKey: string): Promise<RateLimitDecision | typeof VETOED> {
    let count: [number, number];
    try {
      count = await withinRedisDeadline((this.redis as RedisWithHit)[HIT_UNLESS_COMMAND](this.keyOf(key), vetoKey, String(windowMs)));
    } catch (error) {
      throw new RedisUnavailableError('check a session and count a request', { cause: error });
    }
    const [hits, remainingMs] = count;
    if (hits < 0) return VETOED;
    return { allowed: hits <= limit, retryAfterMs: remainingMs };
  }

  /** The hits in the current window without adding one (for limits counted after the fact). */
  async peek(key: string): Promise<number> {
    try {
      return Number((await withinRedisDeadline(this.redis.get(this.keyOf(key)))) ?? 0);
    } catch (error) {
      throw new RedisUnavailableError('read a rate limit', { cause: error });
    }
  }

  /** The window's remaining time for `key`, 0 when it has none. */
  async remainingMs(key: string): Promise<number> {
    try {
      return Math.max(0, await withinRedisDeadline(this.redis.pttl(this.keyOf(key))));
    } catch (error) {
      throw new RedisUnavailableError('read a rate limit', { cause: error });
    }
  }

  async count(key: string, windowMs: number): Promise<{ hits: number; remainingMs: number }> {
    try {
      const [hits, remainingMs] = await withinRedisDeadline((this.redis as RedisWithHit)[HIT_COMMAND](this.keyOf(key), String(windowMs)));
      return { hits, remainingMs };
    } catch (error) {
      throw new RedisUnavailableError('count a rate limit', { cause: error });
    }
  }
}
