import { Expose, Type } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { BackendServiceEnv } from '@bvs/platform';

/**
 * Everything the auth service reads from its environment, validated once at start-up; the key id,
 * issuer and audience it writes into tokens are the verifiers' own `TokenIdentityEnv`.
 */
export class AuthEnv extends BackendServiceEnv {
  /** PEM (PKCS#8) of the P-256 private key that signs access tokens. Only auth holds it. */
  @Expose()
  @Matches(/-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/, {
    message: 'JWT_PRIVATE_KEY must be a PEM-encoded PKCS#8 private key',
  })
  JWT_PRIVATE_KEY!: string;

  /**
   * Short: a stolen access token is useful only this long. Logout recalls it at once through Redis;
   * after a Redis restart (it keeps nothing on disk) an ended session's token lapses by this.
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(30)
  @Max(3_600)
  ACCESS_TOKEN_TTL_SECONDS = 300;

  /** How long a session lasts without a refresh; each refresh rotates the token and starts it again. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(300)
  @Max(90 * 24 * 3_600)
  REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3_600;

  /** Work factor of bcrypt: each +1 doubles the time to check a password. Below 10 is too cheap. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(15)
  BCRYPT_COST = 12;

  /**
   * bcrypt operations (registrations and logins) running or waiting at once; past it a request is
   * refused at once with 503, to be sent again, rather than queued behind work that cannot finish
   * before the caller's deadline. Each costs about a quarter of a second of one core at cost 12.
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000)
  MAX_PASSWORD_CHECKS_IN_FLIGHT = 32;
}
