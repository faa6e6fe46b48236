import { eventually } from '@bvs/platform/testing';
import type { VendView } from '../src/vending/vend-view';
import { API_KEY, ErrorBody, HttpAnswer, METERS, newRequestId, ProviderSim } from './support/provider-sim-harness';

const PENDING_RESOLVE_AFTER_MS = 1_000;

/** Requeries a vend until it has left PENDING (the simulator resolves it on read once its time has come). */
function finalAnswer(sim: ProviderSim, requestId: string): Promise<HttpAnswer<VendView>> {
  return eventually(
    async () => {
      const answer = await sim.requery(requestId);
      return answer.body.status === 'PENDING' ? undefined : answer;
    },
    `vend ${requestId} to leave PENDING`,
    PENDING_RESOLVE_AFTER_MS + 10_000,
  );
}

describe('provider-sim vending', () => {
  let sim: ProviderSim;

  beforeAll(async () => {
    sim = await ProviderSim.start('provider_sim_vend', {
      SIM_PENDING_RESOLVE_AFTER_MS: String(PENDING_RESOLVE_AFTER_MS),
      SIM_TIMEOUT_DELAY_MS: '5000',
    });
  });

  afterAll(async () => {
    await sim.stop();
  });

  beforeEach(async () => {
    await sim.admin('POST', '/reset');
  });

  it('vends a prepaid meter: 20-digit token and units computed exactly from the tariff', async () => {
    const requestId = newRequestId();
    const answer = await sim.vend({ requestId, meterNumber: METERS.succeeds, amount: 500_000 });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      requestId,
      providerCode: 'ikeja-electric-prepaid',
      meterNumber: METERS.succeeds,
      meterType: 'PREPAID',
      customerName: 'Adaeze Okonkwo',
      amount: 500_000,
      fee: 10_000,
      currency: 'NGN',
      status: 'SUCCESS',
      reasonCode: null,
      units: '23.8', // 500,000 kobo / 20,950 kobo per kWh = 23.86..., down to 0.1 kWh
      tariffPerKwh: 20_950,
    });
    expect(answer.body.token).toMatch(/^\d{20}$/);
    expect(answer.body.providerReference).toMatch(/^PSIM-\d{10}$/);
    expect(answer.body.completedAt).not.toBeNull();

    const eko = await sim.vend({ requestId: newRequestId(), providerCode: 'eko-electric-prepaid', meterNumber: METERS.succeeds, amount: 1_234_567 });
    expect(eko.body).toMatchObject({ status: 'SUCCESS', units: '59.0', tariffPerKwh: 20_900 }); // 1,234,567 / 20,900 = 59.07
    expect(eko.body.token).not.toBe(answer.body.token);
  });

  it('pays a postpaid bill without a token', async () => {
    const answer = await sim.vend({ requestId: newRequestId(), providerCode: 'ikeja-electric-postpaid', meterNumber: METERS.postpaid, amount: 250_000 });
    expect(answer.body).toMatchObject({ status: 'SUCCESS', meterType: 'POSTPAID', token: null, units: null });
  });

  it('replays a repeated request with the same outcome and no second vend; refuses the id for another body', async () => {
    const requestId = newRequestId();
    const first = await sim.vend({ requestId, meterNumber: METERS.succeeds, amount: 500_000 });
    const again = await sim.vend({ requestId, meterNumber: METERS.succeeds, amount: 500_000 });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await sim.countVends(requestId)).toBe(1);

    const different = await sim.request<ErrorBody>('POST', '/vend', { requestId, providerCode: 'ikeja-electric-prepaid', meterNumber: METERS.succeeds, amount: 500_100 });
    expect(different.status).toBe(409);
    expect(different.body.code).toBe('VEND.REQUEST_ID_CONFLICT');
    expect(await sim.countVends(requestId)).toBe(1);
    expect((await sim.requery(requestId)).body).toEqual(first.body);
  });

  it('vends once when the same request id arrives many times at once', async () => {
    const requestId = newRequestId();
    const answers = await Promise.all(Array.from({ length: 20 }, () => sim.vend({ requestId, meterNumber: METERS.succeeds, amount: 700_000 })));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((answer) => answer.body.providerReference)).size).toBe(1);
    expect(new Set(answers.map((answer) => answer.body.token)).size).toBe(1);
    expect(answers.filter((answer) => answer.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    expect(await sim.countVends(requestId)).toBe(1);
  });

  it('answers each of many vends arriving at once with its own record, however they were batched', async () => {
    const requests = Array.from({ length: 40 }, (_, index) => ({ requestId: newRequestId(), meterNumber: METERS.succeeds, amount: 500_000 + index * 100 }));
    const answers = await Promise.all(requests.map((request) => sim.vend(request)));
    answers.forEach((answer, index) => {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ requestId: requests[index]?.requestId, amount: requests[index]?.amount, status: 'SUCCESS' });
      expect(answer.headers.get('idempotent-replayed')).toBeNull();
    });
    expect(new Set(answers.map((answer) => answer.body.token)).size).toBe(requests.length);
    expect(new Set(answers.map((answer) => answer.body.providerReference)).size).toBe(requests.length);
    for (const [index, request] of requests.entries()) {
      expect(await sim.countVends(request.requestId)).toBe(1);
      expect((await sim.requery(request.requestId)).body).toEqual(answers[index]?.body);
    }
  });

  it.each([
    ['below the minimum', 99_999],
    ['above the maximum', 30_000_001],
  ])('refuses an amount %s: FAILED, nothing delivered, and requery says the same', async (_case, amount) => {
    const requestId = newRequestId();
    const answer = await sim.vend({ requestId, meterNumber: METERS.succeeds, amount });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'FAILED', reasonCode: 'AMOUNT.OUT_OF_RANGE', token: null, units: null });
    expect((await sim.requery(requestId)).body).toEqual(answer.body);
  });

  it.each([
    ['a meter the disco declines', METERS.declines, 'ikeja-electric-prepaid', 'VEND.DECLINED'],
    ['a blocked meter', METERS.blocked, 'ikeja-electric-prepaid', 'METER.BLOCKED'],
    ['an unknown meter', METERS.unknown, 'ikeja-electric-prepaid', 'METER.NOT_FOUND'],
    ['an unknown provider', METERS.succeeds, 'atlantis-electric-prepaid', 'PROVIDER.NOT_FOUND'],
  ])('fails definitively for %s', async (_case, meterNumber, providerCode, reasonCode) => {
    const answer = await sim.vend({ requestId: newRequestId(), providerCode, meterNumber, amount: 500_000 });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'FAILED', reasonCode, token: null, units: null });
  });

  it('refuses malformed bodies with 400 and records nothing', async () => {
    const requestId = newRequestId();
    for (const amount of ['5000', 12.5, 0, -100, 2 ** 53]) {
      const answer = await sim.request<ErrorBody>('POST', '/vend', { requestId, providerCode: 'ikeja-electric-prepaid', meterNumber: METERS.succeeds, amount });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('REQUEST.INVALID');
    }
    const extra = await sim.request<ErrorBody>('POST', '/vend', { requestId, providerCode: 'ikeja-electric-prepaid', meterNumber: METERS.succeeds, amount: 500_000, units: '99' });
    expect(extra.status).toBe(400);
    expect(await sim.countVends(requestId)).toBe(0);
  });

  it('answers PENDING, then SUCCESS with a token once the resolve delay has passed, not before', async () => {
    const requestId = newRequestId();
    const sentAt = Date.now();
    const answer = await sim.vend({ requestId, meterNumber: METERS.pendsThenSucceeds, amount: 500_000 });
    expect(answer.body).toMatchObject({ status: 'PENDING', token: null, units: null, completedAt: null });
    expect((await sim.requery(requestId)).body.status).toBe('PENDING');

    const resolved = await finalAnswer(sim, requestId);
    // Every requery before the delay was over still said PENDING, and the outcome is dated at its end.
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(PENDING_RESOLVE_AFTER_MS);
    expect(Date.parse(resolved.body.completedAt ?? '') - Date.parse(resolved.body.createdAt)).toBe(PENDING_RESOLVE_AFTER_MS);
    expect(resolved.body).toMatchObject({ status: 'SUCCESS', units: '23.8', providerReference: answer.body.providerReference });
    expect(resolved.body.token).toMatch(/^\d{20}$/);
    // A replay of the original request now tells the final outcome too, and still vends nothing new.
    expect((await sim.vend({ requestId, meterNumber: METERS.pendsThenSucceeds, amount: 500_000 })).body).toEqual(resolved.body);
    expect(await sim.countVends(requestId)).toBe(1);
  });

  it('answers PENDING, then FAILED for the pending-then-declined meter', async () => {
    const requestId = newRequestId();
    expect((await sim.vend({ requestId, meterNumber: METERS.pendsThenDeclines, amount: 500_000 })).body.status).toBe('PENDING');
    expect((await finalAnswer(sim, requestId)).body).toMatchObject({ status: 'FAILED', reasonCode: 'VEND.DECLINED', token: null });
  });

  it('answers 404 VEND.NOT_FOUND for a request id never received', async () => {
    const answer = await sim.request<ErrorBody>('GET', `/vend/${newRequestId()}`);
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('VEND.NOT_FOUND');
  });

  it('vends although the client gave up waiting (response held back)', async () => {
    const requestId = newRequestId();
    const started = Date.now();
    await expect(
      sim.vend({ requestId, meterNumber: METERS.withholdsResponse, amount: 500_000 }, { signal: AbortSignal.timeout(500) }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);
    const requeried = await sim.requery(requestId);
    expect(requeried.status).toBe(200);
    expect(requeried.body).toMatchObject({ status: 'SUCCESS', units: '23.8' });
    expect(requeried.body.token).toMatch(/^\d{20}$/);
    // Retrying with the same id is how a client recovers: the answer now comes at once.
    const retried = await sim.vend({ requestId, meterNumber: METERS.withholdsResponse, amount: 500_000 }, { signal: AbortSignal.timeout(2_000) });
    expect(retried.body).toEqual(requeried.body);
  });

  it('vends although the connection is dropped before the answer', async () => {
    await sim.setBehaviour({ timeoutMode: 'DROP' });
    const requestId = newRequestId();
    await expect(sim.vend({ requestId, meterNumber: METERS.withholdsResponse, amount: 500_000 })).rejects.toThrow();
    expect((await sim.requery(requestId)).body.status).toBe('SUCCESS');
    expect(await sim.countVends(requestId)).toBe(1);
  });
});

describe('provider-sim API key', () => {
  let sim: ProviderSim;

  beforeAll(async () => {
    sim = await ProviderSim.start('provider_sim_api_key');
  });

  afterAll(async () => {
    await sim.stop();
  });

  it('hands out a vend, its token included, only to a caller with the API key; health stays open', async () => {
    const requestId = newRequestId();
    expect((await sim.vend({ requestId, meterNumber: METERS.succeeds, amount: 500_000 })).status).toBe(200);

    for (const authorization of [undefined, 'Bearer not-the-key-0123456789', `Basic ${API_KEY}`]) {
      const init: RequestInit = authorization === undefined ? { headers: { authorization: '' } } : { headers: { authorization } };
      const requery = await sim.request<ErrorBody & { token?: string }>('GET', `/vend/${requestId}`, undefined, init);
      expect({ status: requery.status, code: requery.body.code, token: requery.body.token }).toEqual({ status: 401, code: 'AUTH.UNAUTHORIZED', token: undefined });
      const vend = await sim.vend({ requestId: newRequestId(), meterNumber: METERS.succeeds, amount: 500_000 }, init);
      expect(vend.status).toBe(401);
    }
    expect((await sim.requery(requestId)).body).toMatchObject({ requestId, status: 'SUCCESS' });
    expect((await sim.request('GET', '/health/ready', undefined, { headers: { authorization: '' } })).status).toBe(200);
  });
});
