import { Expose } from 'class-transformer';
import { Matches } from 'class-validator';
import { LocalDefault } from '../config/local-default';

/**
 * Where the shared, short-lived state is: rate-limit counters and ended sessions. Auth writes the
 * ended sessions and every gateway reads them, so all of them must name the same Redis and prefix.
 */
export class RedisEnv {
  /** The Redis every gateway and auth share, redis://host:port[/db] (rediss:// for TLS). */
  @Expose()
  @LocalDefault('redis://127.0.0.1:6379')
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL!: string;

  /** Starts every key, so several deployments (or test runs) can share one Redis. */
  @Expose()
  @Matches(/^[A-Za-z0-9:_-]{1,64}$/, { message: 'REDIS_KEY_PREFIX may hold letters, digits, colon, dash and underscore (at most 64)' })
  REDIS_KEY_PREFIX = 'bvs:';
}
