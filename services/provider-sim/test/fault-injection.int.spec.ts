import { ConfigError } from '@bvs/platform';
import { TestDatabase, testServiceEnv } from '@bvs/platform/testing';
import { startProviderSim } from '../src/app';
import type { Behaviour } from '../src/behaviour/domain/behaviour';
import { call, ErrorBody, METERS, newRequestId, ordinaryMeter, ProviderSim } from './support/provider-sim-harness';

const ORDINARY = ordinaryMeter(6_210_000_002);

describe('provider-sim fault injection', () => {
  let sim: ProviderSim;

  beforeAll(async () => {
    sim = await ProviderSim.start('provider_sim_faults', { SIM_PENDING_RESOLVE_AFTER_MS: '60000' });
  });

  afterAll(async () => {
    await sim.stop();
  });

  beforeEach(async () => {
    await sim.admin('POST', '/reset');
  });

  it('answers 503 before doing anything at a transient error rate of 1, and vends again at 0', async () => {
    await sim.setBehaviour({ transientErrorRate: 1 });
    const requestId = newRequestId();
    const refused = await sim.request<ErrorBody>('POST', '/vend', { requestId, providerCode: 'ikeja-electric-prepaid', meterNumber: ORDINARY, amount: 500_000 });
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('PROVIDER.UNAVAILABLE');
    expect(refused.headers.get('retry-after')).toBe('1');
    const verify = await sim.request<ErrorBody>('POST', '/meters/verify', { providerCode: 'ikeja-electric-prepaid', meterNumber: ORDINARY });
    expect(verify.status).toBe(503);
    // Sandbox meters keep their documented outcome whatever the rates say.
    expect((await sim.vend({ requestId: newRequestId(), meterNumber: METERS.succeeds, amount: 500_000 })).body.status).toBe('SUCCESS');
    expect(await sim.countVends(requestId)).toBe(0);

    await sim.setBehaviour({ transientErrorRate: 0 });
    expect((await sim.requery(requestId)).status).toBe(404);
    const vended = await sim.vend({ requestId, meterNumber: ORDINARY, amount: 500_000 });
    expect(vended.status).toBe(200);
    expect(vended.body.status).toBe('SUCCESS');
  });

  it('declines definitively at a failure rate of 1, except for sandbox meters', async () => {
    await sim.setBehaviour({ failureRate: 1 });
    expect((await sim.vend({ requestId: newRequestId(), meterNumber: ORDINARY, amount: 500_000 })).body).toMatchObject({
      status: 'FAILED',
      reasonCode: 'VEND.DECLINED',
    });
    expect((await sim.vend({ requestId: newRequestId(), meterNumber: METERS.succeeds, amount: 500_000 })).body.status).toBe('SUCCESS');
  });

  it('answers PENDING at a pending rate of 1', async () => {
    await sim.setBehaviour({ pendingRate: 1 });
    const requestId = newRequestId();
    expect((await sim.vend({ requestId, meterNumber: ORDINARY, amount: 500_000 })).body.status).toBe('PENDING');
    expect((await sim.requery(requestId)).body.status).toBe('PENDING');
  });

  it('repeats the same sequence of outcomes for the same seed', async () => {
    const outcomes = async (): Promise<string[]> => {
      const statuses: string[] = [];
      for (let index = 0; index < 16; index += 1) {
        const answer = await sim.request<{ status: string } & Partial<ErrorBody>>('POST', '/vend', {
          requestId: newRequestId(),
          providerCode: 'ikeja-electric-prepaid',
          meterNumber: ORDINARY,
          amount: 500_000,
        });
        statuses.push(answer.status === 200 ? answer.body.status : String(answer.status));
      }
      return statuses;
    };
    await sim.setBehaviour({ seed: 20_240_701, failureRate: 0.3, pendingRate: 0.3, transientErrorRate: 0.2 });
    const first = await outcomes();
    await sim.setBehaviour({ seed: 20_240_701 });
    const second = await outcomes();
    expect(second).toEqual(first);
    expect(new Set(first).size).toBeGreaterThanOrEqual(3);
    // Verifications draw from another stream, so they do not shift the vend outcomes.
    await sim.setBehaviour({ seed: 20_240_701 });
    await sim.request('POST', '/meters/verify', { providerCode: 'ikeja-electric-prepaid', meterNumber: ORDINARY });
    expect(await outcomes()).toEqual(first);
  });

  it('adds the configured latency', async () => {
    await sim.setBehaviour({ latencyMinMs: 300, latencyMaxMs: 300 });
    const started = Date.now();
    expect((await sim.request('GET', '/providers')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('reads, changes and resets the behaviour', async () => {
    const initial = await sim.admin<Behaviour>('GET', '/behaviour');
    expect(initial.body).toMatchObject({ failureRate: 0, seed: 7, pendingResolveAfterMs: 60_000, timeoutMode: 'HOLD' });
    const changed = await sim.admin<Behaviour>('PUT', '/behaviour', { failureRate: 0.25, latencyMaxMs: 10 });
    expect(changed.body).toMatchObject({ failureRate: 0.25, latencyMaxMs: 10, seed: 7 });
    expect((await sim.admin<Behaviour>('POST', '/reset')).body).toEqual(initial.body);
  });

  it.each([
    ['rates adding up to more than 1', { failureRate: 0.6, pendingRate: 0.6 }, 'BEHAVIOUR.INVALID'],
    ['a rate above 1', { timeoutRate: 1.5 }, 'REQUEST.INVALID'],
    ['an unknown field', { chaos: true }, 'REQUEST.INVALID'],
    ['an unknown timeout mode', { timeoutMode: 'SOMETIMES' }, 'REQUEST.INVALID'],
  ])('refuses a behaviour with %s and keeps the current one', async (_case, body, code) => {
    const answer = await sim.admin<ErrorBody>('PUT', '/behaviour', body);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe(code);
    expect((await sim.admin<Behaviour>('GET', '/behaviour')).body.failureRate).toBe(0);
  });

  it('refuses the admin endpoints without the right token', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token' }, { authorization: 'test-admin-token-0123456789' }]) {
      const answer = await sim.request<ErrorBody>('PUT', '/admin/behaviour', { failureRate: 1 }, { headers });
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('ADMIN.UNAUTHORIZED');
    }
    expect((await sim.request<ErrorBody>('POST', '/admin/reset')).status).toBe(401);
    expect((await sim.admin<Behaviour>('GET', '/behaviour')).body.failureRate).toBe(0);
  });
});

describe('provider-sim configuration', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await TestDatabase.create('provider_sim_config');
  });

  afterAll(async () => {
    await database.drop();
  });

  it('has no admin endpoints when ADMIN_TOKEN is unset', async () => {
    const service = await startProviderSim(testServiceEnv({ DATABASE_URL: database.url }));
    try {
      const answer = await call<ErrorBody>(service.url, 'GET', '/admin/behaviour');
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('ROUTE.NOT_FOUND');
    } finally {
      await service.stop();
    }
  });

  it.each([
    [{ SIM_FAILURE_RATE: '0.8', SIM_PENDING_RATE: '0.5' }, /SIM_FAILURE_RATE \+ SIM_TRANSIENT_ERROR_RATE \+ SIM_TIMEOUT_RATE \+ SIM_PENDING_RATE must not exceed 1/],
    [{ SIM_LATENCY_MIN_MS: '500', SIM_LATENCY_MAX_MS: '100' }, /SIM_LATENCY_MIN_MS \(500\) must not exceed SIM_LATENCY_MAX_MS/],
    [{ SIM_TIMEOUT_RATE: 'often' }, /SIM_TIMEOUT_RATE/],
    [{ SIM_TIMEOUT_MODE: 'NEVER' }, /SIM_TIMEOUT_MODE/],
    [{ ADMIN_TOKEN: 'short' }, /ADMIN_TOKEN must be at least 16 characters/],
  ])('refuses to start with %o', async (env, message) => {
    const start = startProviderSim(testServiceEnv({ DATABASE_URL: database.url, ...env }));
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toThrow(message);
  });
});
