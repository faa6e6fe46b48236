import { Expose, Type } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { LocalDefault, ServiceEnv } from '@bvs/platform';

const GRPC_TARGET = /^(ipv4:[0-9.]+:\d{1,5}(,[0-9.]+:\d{1,5})*|dns:\/\/\/[A-Za-z0-9.-]+:\d{1,5}|[A-Za-z0-9.-]+:\d{1,5})$/;

export class GatewayEnv extends ServiceEnv {
  /** Deadline of each call to a service, retries included; past it the caller gets 504. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  REQUEST_TIMEOUT_MS = 5_000;

  /**
   * Where auth's gRPC server is, as a grpc-js target: `ipv4:127.0.0.1:5001` or a list
   * (`ipv4:127.0.0.1:5001,127.0.0.1:5101`) locally, `dns:///auth-grpc:5001` on a headless
   * Service in Kubernetes. Calls are spread round-robin over every address it resolves to.
   */
  @Expose()
  @LocalDefault('ipv4:127.0.0.1:5001')
  @Matches(GRPC_TARGET, { message: 'AUTH_GRPC_TARGET must be a grpc-js target such as ipv4:127.0.0.1:5001 or dns:///auth-grpc:5001' })
  AUTH_GRPC_TARGET!: string;

  /** Where the wallet's gRPC server is (a grpc-js target, as AUTH_GRPC_TARGET). */
  @Expose()
  @LocalDefault('ipv4:127.0.0.1:5002')
  @Matches(GRPC_TARGET, { message: 'WALLET_GRPC_TARGET must be a grpc-js target such as ipv4:127.0.0.1:5002 or dns:///wallet-grpc:5002' })
  WALLET_GRPC_TARGET!: string;

  /** Where billing's gRPC server is (a grpc-js target, as AUTH_GRPC_TARGET). */
  @Expose()
  @LocalDefault('ipv4:127.0.0.1:5003')
  @Matches(GRPC_TARGET, { message: 'BILLING_GRPC_TARGET must be a grpc-js target such as ipv4:127.0.0.1:5003 or dns:///billing-grpc:5003' })
  BILLING_GRPC_TARGET!: string;

  /**
   * Requests per client address and window on the routes a stranger can call: register, login,
   * refresh and the services-health fan-out (credential stuffing, sign-up spam, probing).
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  AUTH_RATE_LIMIT = 10;

  /** The window of AUTH_RATE_LIMIT. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3_600)
  AUTH_RATE_WINDOW_SECONDS = 60;

  /** Requests per signed-in user and window on fund, pay and validate-meter: one user cannot crowd out the rest. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  USER_RATE_LIMIT = 60;

  /** The window of USER_RATE_LIMIT. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3_600)
  USER_RATE_WINDOW_SECONDS = 60;

  /** Wrong passwords per account and window before its logins are refused from everywhere (429) until the window ends. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000)
  FAILED_LOGIN_LIMIT = 5;

  /** The window of FAILED_LOGIN_LIMIT, and how long an account's logins stay refused once it is reached. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  FAILED_LOGIN_WINDOW_SECONDS = 900;

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

  /**
   * How long a meter that checked out stays known to this gateway, so a payment to it skips the
   * call to billing (a user validates, then pays; clients pay the same meter again). Only
   * successes are kept, and a meter blocked meanwhile costs no money: billing's vend is refused by
   * the provider and the payment reversed. 0 asks billing every time.
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  METER_CHECK_CACHE_TTL_MS = 60_000;

  /** Meters kept at most by METER_CHECK_CACHE_TTL_MS (least recently used out first); about 200 bytes each. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  METER_CHECK_CACHE_MAX_ENTRIES = 10_000;

  /**
   * Requests this gateway works on at once (probes aside); past it a request is answered 503
   * SERVICE.UNAVAILABLE at once instead of queueing behind the others. The default is about five
   * seconds of a saturated 2-core machine's intake (docs/benchmarks.md).
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  MAX_REQUESTS_IN_FLIGHT = 1_024;
}
