import { eventually } from '@bvs/platform/testing';
import { METERS, newRequestId, ProviderSim } from './support/provider-sim-harness';

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

    // Resolved on read once the due time the row kept has come: requery until it has.
    const resolved = await eventually(
      async () => {
        const answer = await sim.requery(requestId);
        return answer.body.status === 'PENDING' ? undefined : answer;
      },
      'the pending vend to resolve after the restart',
      PENDING_RESOLVE_AFTER_MS + 10_000,
    );
    // Dated at the due time set when the vend arrived, before the restart.
    expect(Date.parse(resolved.body.completedAt ?? '') - Date.parse(pending.body.createdAt)).toBe(PENDING_RESOLVE_AFTER_MS);
    expect(resolved.body).toMatchObject({
      status: 'SUCCESS',
      providerReference: pending.body.providerReference,
      units: '47.7', // 1,000,000 / 20,950 = 47.73
    });
    expect(resolved.body.token).toMatch(/^\d{20}$/);
    expect(await sim.countVends(requestId)).toBe(1);
  });
});
