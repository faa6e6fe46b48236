import { API_KEY, ErrorBody, METERS, ordinaryMeter, ProviderSim } from './support/provider-sim-harness';
import type { ProviderView } from '../src/catalogue/list-providers.controller';
import type { VerifiedMeterView } from '../src/meters/verify-meter/verify-meter.controller';

describe('provider-sim catalogue and meter verification', () => {
  let sim: ProviderSim;

  beforeAll(async () => {
    sim = await ProviderSim.start('provider_sim_verify');
  });

  afterAll(async () => {
    await sim.stop();
  });

  it('lists prepaid and postpaid discos with integer kobo limits and fees', async () => {
    const answer = await sim.request<{ providers: ProviderView[] }>('GET', '/providers');
    expect(answer.status).toBe(200);
    const providers = answer.body.providers;
    expect(providers.length).toBeGreaterThanOrEqual(8);
    expect(new Set(providers.map((provider) => provider.meterType))).toEqual(new Set(['PREPAID', 'POSTPAID']));
    expect(providers.find((provider) => provider.code === 'ikeja-electric-prepaid')).toEqual({
      code: 'ikeja-electric-prepaid',
      name: 'Ikeja Electric (IKEDC) Prepaid',
      meterType: 'PREPAID',
      minimumAmount: 100_000,
      maximumAmount: 30_000_000,
      fee: 10_000,
      tariffPerKwh: 20_950,
      currency: 'NGN',
    });
    for (const provider of providers) {
      for (const amount of [provider.minimumAmount, provider.maximumAmount, provider.fee, provider.tariffPerKwh]) {
        expect(Number.isSafeInteger(amount)).toBe(true);
      }
      expect(provider.minimumAmount).toBeLessThan(provider.maximumAmount);
    }
  });

  it('verifies a sandbox meter: customer, address, meter type and the limits', async () => {
    const answer = await sim.request<VerifiedMeterView>('POST', '/meters/verify', { providerCode: 'ikeja-electric-prepaid', meterNumber: METERS.succeeds });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      providerCode: 'ikeja-electric-prepaid',
      providerName: 'Ikeja Electric (IKEDC) Prepaid',
      meterNumber: METERS.succeeds,
      meterType: 'PREPAID',
      customerName: 'Adaeze Okonkwo',
      address: '12 Adeola Odeku Street, Victoria Island, Lagos',
      minimumAmount: 100_000,
      maximumAmount: 30_000_000,
      fee: 10_000,
      currency: 'NGN',
    });
  });

  it('verifies an ordinary meter and shows the same customer every time', async () => {
    const meterNumber = ordinaryMeter(6_210_000_001);
    const first = await sim.request<VerifiedMeterView>('POST', '/meters/verify', { providerCode: 'eko-electric-postpaid', meterNumber });
    const second = await sim.request<VerifiedMeterView>('POST', '/meters/verify', { providerCode: 'eko-electric-postpaid', meterNumber });
    expect(first.status).toBe(200);
    expect(first.body.meterType).toBe('POSTPAID');
    expect(first.body.customerName).toMatch(/^\S+ \S+$/);
    expect(second.body).toEqual(first.body);
  });

  it.each([
    ['an unknown meter', 'ikeja-electric-prepaid', METERS.unknown, 404, 'METER.NOT_FOUND'],
    ['a number failing the check digit', 'ikeja-electric-prepaid', '62100000010', 404, 'METER.NOT_FOUND'],
    ['an unknown provider', 'atlantis-electric-prepaid', METERS.succeeds, 404, 'PROVIDER.NOT_FOUND'],
    ['a blocked meter', 'ikeja-electric-prepaid', METERS.blocked, 422, 'METER.BLOCKED'],
    ['a malformed meter number', 'ikeja-electric-prepaid', '12ab', 400, 'REQUEST.INVALID'],
  ])('refuses %s with a stable code', async (_case, providerCode, meterNumber, status, code) => {
    const answer = await sim.request<ErrorBody>('POST', '/meters/verify', { providerCode, meterNumber });
    expect(answer.status).toBe(status);
    expect(answer.body.code).toBe(code);
  });

  it('answers an unknown route and malformed JSON with JSON error codes', async () => {
    expect((await sim.request<ErrorBody>('GET', '/nowhere')).body.code).toBe('ROUTE.NOT_FOUND');
    const malformed = await fetch(`${sim.url}/meters/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: '{"providerCode":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as ErrorBody).code).toBe('REQUEST.INVALID');
  });
});
