import { Expose, Type } from 'class-transformer';
import { IsInt, IsUrl, Max, Min } from 'class-validator';
import { BackendServiceEnv } from '@bvs/platform';

const int = (min: number, max: number) => (target: object, key: string) => {
  Expose()(target, key);
  Type(() => Number)(target, key);
  IsInt()(target, key);
  Min(min)(target, key);
  Max(max)(target, key);
};

/** Everything the billing service reads from its environment, validated once at start-up. */
export class BillingEnv extends BackendServiceEnv {
  /** The vending provider's API (the simulator locally; a real provider's adapter in production). */
  @Expose()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  PROVIDER_BASE_URL = 'http://127.0.0.1:3004';

  /** How long one provider call may take; past it the outcome is unknown, never a failure. */
  @int(100, 120_000)
  PROVIDER_TIMEOUT_MS = 5_000;

  /** Retries of a transient provider error (5xx, connection refused or reset) within one step. */
  @int(0, 10)
  PROVIDER_RETRIES = 3;

  @int(10, 10_000)
  PROVIDER_RETRY_BASE_MS = 200;

  /** How often the worker looks for bills due for a vend or a requery. */
  @int(50, 60_000)
  WORKER_POLL_MS = 250;

  /** First pause before requerying a pending vend; doubles per attempt up to REQUERY_MAX_MS. */
  @int(50, 600_000)
  REQUERY_BASE_MS = 1_000;

  @int(100, 3_600_000)
  REQUERY_MAX_MS = 60_000;

  /** A bill still PENDING this long after it arrived is reported and requeried at once. */
  @int(1_000, 86_400_000)
  RECONCILE_AFTER_MS = 300_000;

  @int(100, 3_600_000)
  RECONCILE_INTERVAL_MS = 30_000;

  /** How long a worker owns a bill it claimed; another replica takes over after it. */
  @int(1_000, 3_600_000)
  CLAIM_LEASE_MS = 60_000;

  /** Meter validations and the catalogue are cached this long (the provider is slow and rate-limited). */
  @int(0, 86_400_000)
  PROVIDER_CACHE_TTL_MS = 60_000;
}
