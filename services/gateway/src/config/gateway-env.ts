import { Expose, Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { ServiceEnv } from '@bvs/platform';

export class GatewayEnv extends ServiceEnv {
  /** How long a request waits for a service's reply before the caller gets 504. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  REQUEST_TIMEOUT_MS = 5_000;

  /** How long start-up waits for Kafka to assign the reply partitions. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(300_000)
  KAFKA_READY_TIMEOUT_MS = 60_000;

  /** PEM (SPKI) of auth's P-256 public key: the gateway can check tokens but never mint one. */
  @Expose()
  @Matches(/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/, { message: 'JWT_PUBLIC_KEY must be a PEM-encoded SPKI public key' })
  JWT_PUBLIC_KEY!: string;

  /** The `kid` tokens must name; a token signed under another key id is refused. */
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

  /** Requests per client address and window on register and login (credential stuffing, sign-up spam). */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  AUTH_RATE_LIMIT = 10;

  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3_600)
  AUTH_RATE_WINDOW_SECONDS = 60;

  /** Largest JSON body accepted; every request of this API is a few hundred bytes. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1_024)
  @Max(1_048_576)
  BODY_LIMIT_BYTES = 16_384;

  /**
   * Proxies in front of the gateway whose X-Forwarded-For is trusted (the ingress: 1). Zero
   * locally, so a client cannot pick its own address and dodge the rate limit.
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10)
  TRUSTED_PROXY_HOPS = 0;
}
