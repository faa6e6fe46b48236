import { Expose, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength, ValidateBy } from 'class-validator';
import { EventConsumingServiceEnv, LocalDefault } from '@bvs/platform';
import { ProviderCallLimits, shortestSafeLeaseMs } from '../bills/domain/bill-step-budget';

const int = (min: number, max: number) => (target: object, key: string) => {
  Expose()(target, key);
  Type(() => Number)(target, key);
  IsInt()(target, key);
  Min(min)(target, key);
  Max(max)(target, key);
};

/** Refuses a claim lease a bill step could outlive (see shortestSafeLeaseMs). */
const outlastsLongestBillStep = () =>
  ValidateBy({
    name: 'outlastsLongestBillStep',
    validator: {
      validate: (leaseMs: unknown, args) => {
        const limits = providerCallLimitsOf(args?.object as BillingEnv);
        return limits === undefined || (typeof leaseMs === 'number' && leaseMs >= shortestSafeLeaseMs(limits));
      },
      defaultMessage: (args) => {
        const limits = providerCallLimitsOf(args?.object as BillingEnv);
        return (
          `CLAIM_LEASE_MS must be at least ${limits === undefined ? '?' : shortestSafeLeaseMs(limits)}: two provider calls of PROVIDER_RETRIES + 1 attempts of ` +
          'PROVIDER_TIMEOUT_MS each, their retry pauses, and room for the database, so a running step never loses its bill to another worker'
        );
      },
    },
  });

/** Undefined while a provider setting is not an integer: that setting's own check reports it. */
function providerCallLimitsOf(env: BillingEnv): ProviderCallLimits | undefined {
  const limits = { timeoutMs: env.PROVIDER_TIMEOUT_MS, retries: env.PROVIDER_RETRIES, retryBaseMs: env.PROVIDER_RETRY_BASE_MS };
  return Object.values(limits).every(Number.isInteger) ? limits : undefined;
}

/** Everything the billing service reads from its environment, validated once at start-up. */
export class BillingEnv extends EventConsumingServiceEnv {
  /** The vending provider's API (the simulator locally; a real provider's adapter in production). */
  @Expose()
  @LocalDefault('http://127.0.0.1:3004')
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  PROVIDER_BASE_URL!: string;

  /** The merchant key sent to the provider as a bearer token on every call (a secret; from a Secret in Kubernetes). */
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'PROVIDER_API_KEY must be at least 16 characters when set' })
  PROVIDER_API_KEY?: string;

  /**
   * How long one provider call may take; past it the outcome is unknown, never a failure. It counts
   * from the moment the call asks the connection pool, so a wait for a free connection is part of it.
   */
  @int(100, 120_000)
  PROVIDER_TIMEOUT_MS = 5_000;

  /**
   * Keep-alive connections to the provider, at most (meter checks and the catalogue share them with
   * the vends). Below VENDS_IN_FLIGHT, steps queue for a connection and the wait counts against
   * PROVIDER_TIMEOUT_MS: a request that times out while still queued is UNKNOWN and requeried, never
   * failed, but it costs a requery. Keep it at least VENDS_IN_FLIGHT unless the provider caps connections.
   */
  @int(1, 2_000)
  PROVIDER_MAX_CONNECTIONS = 512;

  /**
   * Retries of a transient provider error within one step: a 5xx, or a refused connection (nothing
   * reached the provider). A reset or a timeout may have reached it: that is UNKNOWN, never retried.
   */
  @int(0, 10)
  PROVIDER_RETRIES = 3;

  /** The pause before the first such retry; it doubles for each further one. */
  @int(10, 10_000)
  PROVIDER_RETRY_BASE_MS = 200;

  /**
   * How often an idle worker looks for due bills anyway. A new bill wakes it at once (NOTIFY on
   * commit); the poll finds requeries that came due and bills whose lease ran out, and bounds what a
   * lost notification costs.
   */
  @int(50, 60_000)
  WORKER_POLL_MS = 250;

  /**
   * Bill steps (a vend or a requery, retries included) one replica runs at once. A step mostly waits
   * on the provider, so this, not CPU, is what bounds a replica's vends per second (about this many
   * per provider round trip). The worker claims no more bills than it has free slots. The default
   * carries about 400 vends/s from a provider answering in 1.25 s on average (the simulator's
   * 0.5-2 s); 128 capped that at about 100/s in the benchmark (docs/benchmarks.md).
   */
  @int(1, 2_000)
  VENDS_IN_FLIGHT = 512;

  /** Most bills one claim statement leases when slots are free: bounds the rows it locks and returns. */
  @int(1, 1_000)
  CLAIM_BATCH_SIZE = 50;

  /**
   * Provider answers settled in one database transaction by group commit: the answers that come
   * back while one settlement commits are written together by the next, up to this many.
   */
  @int(1, 1_000)
  SETTLEMENTS_PER_TRANSACTION = 100;

  /** First pause before requerying a pending vend; doubles per attempt up to REQUERY_MAX_MS. */
  @int(50, 600_000)
  REQUERY_BASE_MS = 1_000;

  /** The longest pause between two requeries of one pending vend. */
  @int(100, 3_600_000)
  REQUERY_MAX_MS = 60_000;

  /** A bill still PENDING this long after it arrived is reported and requeried at once. */
  @int(1_000, 86_400_000)
  RECONCILE_AFTER_MS = 300_000;

  /** How often the reconciler looks for such bills. */
  @int(100, 3_600_000)
  RECONCILE_INTERVAL_MS = 30_000;

  /**
   * How long a worker owns a bill it claimed; another replica takes over after it, so this is also
   * how long a crashed worker's bills wait. It must outlast the longest step (start-up refuses a
   * shorter one): with the defaults, 2 × (4 × 5 s + 1.4 s of retry pauses) + 10 s = 52.8 s.
   */
  @int(1_000, 3_600_000)
  @outlastsLongestBillStep()
  CLAIM_LEASE_MS = 60_000;

  /** Meter validations and the catalogue are cached this long (the provider is slow and rate-limited). */
  @int(0, 86_400_000)
  PROVIDER_CACHE_TTL_MS = 60_000;

  /** Meter lookups cached at most (least recently used out first); a few hundred bytes each. */
  @int(1, 1_000_000)
  METER_CACHE_MAX_ENTRIES = 10_000;
}
