import { Expose, Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { BackendServiceEnv } from '@bvs/platform';

/** Everything the auth service reads from its environment, validated once at start-up. */
export class AuthEnv extends BackendServiceEnv {
  /** PEM (PKCS#8) of the P-256 private key that signs access tokens. Only auth holds it. */
  @Expose()
  @Matches(/-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/, {
    message: 'JWT_PRIVATE_KEY must be a PEM-encoded PKCS#8 private key',
  })
  JWT_PRIVATE_KEY!: string;

  /** Written into every token's `kid`, so verifiers can pick the key during a rotation. */
  @Expose()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'JWT_KEY_ID must be 1-64 letters, digits, dots, dashes or underscores' })
  JWT_KEY_ID!: string;

  @Expose()
  @IsString()
  @MinLength(1)
  JWT_ISSUER = 'bvs-auth';

  @Expose()
  @IsString()
  @MinLength(1)
  JWT_AUDIENCE = 'bvs-api';

  /** Short: a stolen access token is useful only this long, and logout cannot recall it. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(30)
  @Max(3_600)
  ACCESS_TOKEN_TTL_SECONDS = 300;

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
}
