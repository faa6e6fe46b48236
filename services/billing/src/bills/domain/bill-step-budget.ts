/** How the provider adapter bounds one call: every attempt times out, and transient errors are retried after a growing pause. */
export interface ProviderCallLimits {
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryBaseMs: number;
}

/**
 * One step asks the provider at most twice: a requery, then the vend again (same request id) when
 * the provider never got it. A first vend is a single call.
 */
const PROVIDER_CALLS_PER_STEP = 2;

/**
 * Room for the step's own database statements (mark sent, settle or reschedule): milliseconds each
 * when PostgreSQL is healthy, and a few seconds of pool waiting under load still fit.
 */
export const LEASE_HEADROOM_MS = 10_000;

/** The longest pause before retry number `retry` (from 1): the base doubled per earlier retry; the adapter jitters below it. */
export function retryPauseCeilingMs(retry: number, retryBaseMs: number): number {
  return retryBaseMs * 2 ** (retry - 1);
}

/** The longest one provider call can take, retries included: every attempt runs into its timeout and every pause is the longest. */
export function longestProviderCallMs(limits: ProviderCallLimits): number {
  let totalMs = (limits.retries + 1) * limits.timeoutMs;
  for (let retry = 1; retry <= limits.retries; retry += 1) totalMs += retryPauseCeilingMs(retry, limits.retryBaseMs);
  return totalMs;
}

/**
 * The shortest claim lease that outlasts every step: a worker whose lease ran out while its call
 * was still out would let another replica ask the provider about the same bill at the same time.
 * The provider deduplicates on the request id, so that would not vend twice, but the lease is what
 * keeps two workers off one bill, so it must not depend on that.
 */
export function shortestSafeLeaseMs(limits: ProviderCallLimits): number {
  return PROVIDER_CALLS_PER_STEP * longestProviderCallMs(limits) + LEASE_HEADROOM_MS;
}
