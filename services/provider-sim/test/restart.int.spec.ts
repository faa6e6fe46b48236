import { METERS, newRequestId, ProviderSim, sleep } from './support/provider-sim-harness';

const PENDING_RESOLVE_AFTER_MS = 2_000;

describe('provider-sim restart', () => {
  let sim: ProviderSim;

  beforeAll(async () => {
    sim = await ProviderSim.start('provider_sim_restart', { SIM_PENDING_RESOLVE_AFTER_MS: String(PENDING_RESOLVE_AFTER_MS) });
  });

  afterAll(async () => {
    await sim.stop();
  });

  it('resolves a pending vend after a restart, from what the database kept', async () => {
    const requestId = newRequestId();
    const pending = await sim.vend({ requestId, meterNumber: METERS.pendsThenSucceeds, amount: 1_000_000 });
    expect(pending.body.status).toBe('PENDING');

    await sim.restart();
    expect((await sim.requery(requestId)).body.status).toBe('PENDING');

    await sleep(PENDING_RESOLVE_AFTER_MS + 200);
    const resolved = await sim.requery(requestId);
    expect(resolved.body).toMatchObject({
      status: 'SUCCESS',
      providerReference: pending.body.providerReference,
      units: '47.7', // 1,000,000 / 20,950 = 47.73
    });
    expect(resolved.body.token).toMatch(/^\d{20}$/);
    expect(await sim.countVends(requestId)).toBe(1);
  });
});
