import { loadConfig } from '@bvs/platform';
import { LEASE_HEADROOM_MS, longestProviderCallMs, shortestSafeLeaseMs } from '../src/bills/domain/bill-step-budget';
import { claimSize, WorkerLimits } from '../src/bills/domain/claim-size';
import { BillingEnv } from '../src/config/billing-env';

const LIMITS: WorkerLimits = { stepsInFlight: 8, claimBatchSize: 3 };

describe('how many due bills the worker claims', () => {
  it('given no step running, then it claims one batch, not every free slot at once', () => {
    expect(claimSize(0, LIMITS)).toBe(3);
  });

  it('given fewer free slots than a batch, then it claims only as many as it can start', () => {
    expect(claimSize(6, LIMITS)).toBe(2);
    expect(claimSize(7, LIMITS)).toBe(1);
  });

  it('given every slot taken, then it claims nothing and waits for a step to finish', () => {
    expect(claimSize(8, LIMITS)).toBe(0);
  });

  it('given more running than allowed (the limit lowered under it), then it still claims nothing', () => {
    expect(claimSize(9, LIMITS)).toBe(0);
  });
});

describe('how long a claimed bill must stay leased', () => {
  const defaults = { timeoutMs: 5_000, retries: 3, retryBaseMs: 200 };

  it('given the default provider settings, then one call takes at most four timeouts and the pauses of 200, 400 and 800 ms', () => {
    expect(longestProviderCallMs(defaults)).toBe(4 * 5_000 + 200 + 400 + 800);
  });

  it('given no retries, then one call takes at most one timeout', () => {
    expect(longestProviderCallMs({ timeoutMs: 5_000, retries: 0, retryBaseMs: 200 })).toBe(5_000);
  });

  it('given a step that requeries and then vends again, then the lease covers both calls and the database headroom', () => {
    expect(shortestSafeLeaseMs(defaults)).toBe(2 * 21_400 + LEASE_HEADROOM_MS);
  });

  it('given the default settings, when the service starts, then the default lease is long enough', () => {
    const env = loadConfig(BillingEnv, { HTTP_PORT: '0', GRPC_PORT: '0', DATABASE_URL: 'postgres://billing@127.0.0.1/billing' });
    expect(env.CLAIM_LEASE_MS).toBeGreaterThanOrEqual(shortestSafeLeaseMs(defaults));
  });

  it('given a provider timeout the default lease cannot cover, when the service starts, then it refuses to, naming the lease', () => {
    expect(() => loadConfig(BillingEnv, { HTTP_PORT: '0', GRPC_PORT: '0', DATABASE_URL: 'postgres://billing@127.0.0.1/billing', PROVIDER_TIMEOUT_MS: '20000' })).toThrow(
      /CLAIM_LEASE_MS must be at least 172800/,
    );
  });

  it('given the same timeout and a lease long enough for it, when the service starts, then it starts', () => {
    const env = loadConfig(BillingEnv, {
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      DATABASE_URL: 'postgres://billing@127.0.0.1/billing',
      PROVIDER_TIMEOUT_MS: '20000',
      CLAIM_LEASE_MS: '172800',
    });
    expect(env.CLAIM_LEASE_MS).toBe(172_800);
  });
});
