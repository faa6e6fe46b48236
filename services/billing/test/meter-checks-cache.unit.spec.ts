import { BILLING_ERROR_CODES } from '@bvs/contracts';
import { loadConfig, ServiceError } from '@bvs/platform';
import type { MeterLookupResult, RequeryOutcome, VendOutcome } from '../src/bills/domain/provider-answers';
import { MeterChecks } from '../src/bills/meter-checks.service';
import { BillingEnv } from '../src/config/billing-env';
import { ProviderCatalogueEntry, ProviderUnavailableError, VendingProvider } from '../src/provider/vending-provider';

/**
 * What billing's meter checks remember of the provider's answers (issue 12, point 6): a bounded,
 * expiring cache of meter lookups keyed by provider and meter, and a catalogue kept for the same
 * time. The clock is Jest's (MeterChecks reads Date.now()); the provider is a stand-in for the port
 * that answers what each test says and counts the questions.
 */

const TTL_MS = 60_000;
const T0 = new Date('2026-12-04T12:00:00Z').getTime();

/** The provider port answering from a table; a meter it does not know is METER_NOT_FOUND. */
class CountingProvider extends VendingProvider {
  readonly lookups: string[] = [];
  catalogueCalls = 0;
  meters = new Map<string, MeterLookupResult>();
  failure: Error | undefined;

  async catalogue(): Promise<readonly ProviderCatalogueEntry[]> {
    this.catalogueCalls += 1;
    if (this.failure) throw this.failure;
    return [{ code: 'ikeja-electric', name: 'Ikeja Electric', meterType: 'PREPAID', minimumAmount: 100_000n, maximumAmount: 30_000_000n, fee: 0n, currency: 'NGN' }];
  }

  async lookupMeter(providerCode: string, meterNumber: string): Promise<MeterLookupResult> {
    this.lookups.push(`${providerCode}/${meterNumber}`);
    if (this.failure) throw this.failure;
    return this.meters.get(`${providerCode}/${meterNumber}`) ?? { kind: 'METER_NOT_FOUND', message: 'no such meter' };
  }

  vend(): Promise<VendOutcome> {
    throw new Error('meter checks never vend');
  }

  requery(): Promise<RequeryOutcome> {
    throw new Error('meter checks never requery');
  }
}

const meterOf = (customerName: string, limits: { min: bigint; max: bigint } = { min: 100_000n, max: 30_000_000n }): MeterLookupResult => ({
  kind: 'FOUND',
  providerName: 'Ikeja Electric',
  meterType: 'PREPAID',
  customerName,
  address: `${customerName}'s house`,
  minimumAmount: limits.min,
  maximumAmount: limits.max,
  currency: 'NGN',
});

function meterChecks(provider: VendingProvider, settings: Readonly<Record<string, string>> = {}): MeterChecks {
  const env = loadConfig(BillingEnv, {
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
    PROVIDER_CACHE_TTL_MS: String(TTL_MS),
    ...settings,
  });
  return new MeterChecks(provider, env);
}

/** The error a validation was refused with, or undefined when it passed. */
async function refusalOf(work: Promise<unknown>): Promise<{ code: string; status: number } | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    return { code: error.code, status: error.status };
  }
}

describe('the meter checks cache', () => {
  let provider: CountingProvider;

  beforeEach(() => {
    jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    provider = new CountingProvider();
    provider.meters.set('ikeja-electric/45067891239', meterOf('Ada Obi'));
  });

  afterEach(() => jest.useRealTimers());

  describe('expiry', () => {
    it('given a meter checked at t0, when checked again just before t0 + TTL, then the provider is not asked again', async () => {
      const checks = meterChecks(provider);
      const first = await checks.validate('ikeja-electric', '45067891239');
      jest.setSystemTime(T0 + TTL_MS - 1);

      expect(await checks.validate('ikeja-electric', '45067891239')).toEqual(first);
      expect(provider.lookups).toHaveLength(1);
    });

    it('given a meter checked at t0, when checked again at t0 + TTL, then the provider is asked again and its new answer is used', async () => {
      const checks = meterChecks(provider);
      await checks.validate('ikeja-electric', '45067891239');
      provider.meters.set('ikeja-electric/45067891239', meterOf('Ada Obi-Eze'));
      jest.setSystemTime(T0 + TTL_MS);

      expect(await checks.validate('ikeja-electric', '45067891239')).toMatchObject({ customerName: 'Ada Obi-Eze' });
      expect(provider.lookups).toHaveLength(2);
    });

    it('given PROVIDER_CACHE_TTL_MS is 0, when the same meter is checked twice at the same instant, then the provider is asked both times', async () => {
      const checks = meterChecks(provider, { PROVIDER_CACHE_TTL_MS: '0' });
      await checks.validate('ikeja-electric', '45067891239');
      await checks.validate('ikeja-electric', '45067891239');

      expect(provider.lookups).toHaveLength(2);
    });

    it('given the catalogue listed at t0, when listed before and at t0 + TTL, then the provider is asked once, then again', async () => {
      const checks = meterChecks(provider);
      await checks.providers();
      jest.setSystemTime(T0 + TTL_MS - 1);
      await checks.providers();
      expect(provider.catalogueCalls).toBe(1);

      jest.setSystemTime(T0 + TTL_MS);
      await checks.providers();
      expect(provider.catalogueCalls).toBe(2);
    });
  });

  describe('bound', () => {
    it('given METER_CACHE_MAX_ENTRIES is 2, when a third meter is checked, then the least recently used one is forgotten and the others are not', async () => {
      for (const meter of ['11111111111', '22222222222', '33333333333']) provider.meters.set(`ikeja-electric/${meter}`, meterOf(`owner of ${meter}`));
      const checks = meterChecks(provider, { METER_CACHE_MAX_ENTRIES: '2' });
      await checks.validate('ikeja-electric', '11111111111');
      await checks.validate('ikeja-electric', '22222222222');
      await checks.validate('ikeja-electric', '11111111111'); // used again: 22222222222 is now the oldest
      await checks.validate('ikeja-electric', '33333333333');
      expect(provider.lookups).toEqual(['ikeja-electric/11111111111', 'ikeja-electric/22222222222', 'ikeja-electric/33333333333']);

      await checks.validate('ikeja-electric', '11111111111');
      await checks.validate('ikeja-electric', '33333333333');
      expect(provider.lookups).toHaveLength(3);
      await checks.validate('ikeja-electric', '22222222222');
      expect(provider.lookups).toHaveLength(4);
    });

    it('given callers making up meter numbers by the thousand, when each is checked, then the cache keeps only the bound and the newest stay answered from it', async () => {
      const checks = meterChecks(provider, { METER_CACHE_MAX_ENTRIES: '10' });
      const madeUp = Array.from({ length: 1_000 }, (_, index) => String(10_000_000_000 + index));
      for (const meter of madeUp) await refusalOf(checks.validate('ikeja-electric', meter));
      const asked = provider.lookups.length;

      for (const meter of madeUp.slice(-10)) await refusalOf(checks.validate('ikeja-electric', meter));
      expect(provider.lookups).toHaveLength(asked);
      await refusalOf(checks.validate('ikeja-electric', madeUp[0] ?? ''));
      expect(provider.lookups).toHaveLength(asked + 1);
    });
  });

  describe('what is cached', () => {
    it('given the provider is unavailable, when a meter is checked, then it is 503 PROVIDER_UNAVAILABLE and the outage is not remembered', async () => {
      const checks = meterChecks(provider);
      provider.failure = new ProviderUnavailableError('timed out');

      expect(await refusalOf(checks.validate('ikeja-electric', '45067891239'))).toEqual({ code: BILLING_ERROR_CODES.providerUnavailable, status: 503 });
      provider.failure = undefined;
      expect(await checks.validate('ikeja-electric', '45067891239')).toMatchObject({ customerName: 'Ada Obi' });
      expect(provider.lookups).toHaveLength(2);

      // Once answered, the answer is what is remembered: the next check does not ask.
      await checks.validate('ikeja-electric', '45067891239');
      expect(provider.lookups).toHaveLength(2);
    });

    it('given the provider fails in a way that is not an outage, when a meter is checked, then the error passes through and nothing is remembered', async () => {
      const checks = meterChecks(provider);
      const garbled = new TypeError('unexpected answer shape');
      provider.failure = garbled;

      await expect(checks.validate('ikeja-electric', '45067891239')).rejects.toBe(garbled);
      provider.failure = undefined;
      await checks.validate('ikeja-electric', '45067891239');
      expect(provider.lookups).toHaveLength(2);
    });

    it('given the catalogue is unavailable, when providers are listed, then it is 503 and the next listing asks again', async () => {
      const checks = meterChecks(provider);
      provider.failure = new ProviderUnavailableError('HTTP 503');

      expect(await refusalOf(checks.providers())).toEqual({ code: BILLING_ERROR_CODES.providerUnavailable, status: 503 });
      provider.failure = undefined;
      expect(await checks.providers()).toHaveLength(1);
      expect(provider.catalogueCalls).toBe(2);
    });

    it.each([
      ['METER_NOT_FOUND', { kind: 'METER_NOT_FOUND', message: 'no such meter' }, BILLING_ERROR_CODES.meterNotFound, 422],
      ['METER_BLOCKED', { kind: 'METER_BLOCKED', message: 'blocked' }, BILLING_ERROR_CODES.meterBlocked, 422],
      ['UNKNOWN_PROVIDER', { kind: 'UNKNOWN_PROVIDER', message: 'no such provider' }, BILLING_ERROR_CODES.unknownProvider, 400],
    ] as const)('given the provider answers %s, when the meter is checked again within the TTL, then the same refusal comes from the cache', async (_, answer, code, status) => {
      provider.meters.set('ikeja-electric/45067891239', answer);
      const checks = meterChecks(provider);

      expect(await refusalOf(checks.validate('ikeja-electric', '45067891239'))).toEqual({ code, status });
      expect(await refusalOf(checks.validate('ikeja-electric', '45067891239'))).toEqual({ code, status });
      expect(provider.lookups).toHaveLength(1);
    });
  });

  describe('keys', () => {
    it('given one meter checked with an amount in range, when it is checked with an amount out of range, then the amount is judged anew against the cached limits', async () => {
      const checks = meterChecks(provider);
      expect(await refusalOf(checks.validate('ikeja-electric', '45067891239', 250_000n))).toBeUndefined();

      expect(await refusalOf(checks.validate('ikeja-electric', '45067891239', 99_999n))).toEqual({ code: BILLING_ERROR_CODES.amountOutOfRange, status: 422 });
      expect(await refusalOf(checks.validate('ikeja-electric', '45067891239', 30_000_000n))).toBeUndefined();
      expect(provider.lookups).toHaveLength(1);
    });

    it('given the same meter number at two providers, when both are checked, then each is asked of its own provider and answered with its own owner', async () => {
      provider.meters.set('eko-electric/45067891239', meterOf('Bola Ade'));
      const checks = meterChecks(provider);

      expect(await checks.validate('ikeja-electric', '45067891239')).toMatchObject({ providerCode: 'ikeja-electric', customerName: 'Ada Obi' });
      expect(await checks.validate('eko-electric', '45067891239')).toMatchObject({ providerCode: 'eko-electric', customerName: 'Bola Ade' });
      expect(await checks.validate('ikeja-electric', '45067891239')).toMatchObject({ customerName: 'Ada Obi' });
      expect(provider.lookups).toEqual(['ikeja-electric/45067891239', 'eko-electric/45067891239']);
    });

    it('given a found meter cached, when a neighbouring meter number is checked, then it is asked of the provider, not answered with the cached owner', async () => {
      const checks = meterChecks(provider);
      await checks.validate('ikeja-electric', '45067891239');

      expect(await refusalOf(checks.validate('ikeja-electric', '4506789123'))).toEqual({ code: BILLING_ERROR_CODES.meterNotFound, status: 422 });
      expect(provider.lookups).toEqual(['ikeja-electric/45067891239', 'ikeja-electric/4506789123']);
    });
  });
});
