import { randomUUID } from 'node:crypto';
import { eventually } from '@bvs/platform/testing';
import { fundAndAwaitCredit } from './support/funding';
import { call } from './support/http';
import { RunningSystem } from './support/system';

interface Bill {
  id: string;
  status: 'PENDING' | 'COMPLETED' | 'FAILED';
  token: string | null;
}

const PROVIDER = 'ikeja-electric-prepaid';
const SUCCEEDING_METER = '1111111111111';
/** Long enough for a dead consumer's partitions to move (10 s session timeout) and the vend to finish. */
const COMPLETION_TIMEOUT_MS = 60_000;

/**
 * Two instances of auth, wallet and billing behind one gateway that balances over both: the
 * purchase flow works, and keeps working when one instance of each dies without warning.
 */
describe('a purchase with two instances of each service', () => {
  let system: RunningSystem;
  const api = () => `${system.gateway.url}/api`;

  beforeAll(async () => {
    system = await RunningSystem.start({ services: ['provider-sim', 'auth', 'wallet', 'billing'], replicas: 2 });
  });

  afterAll(async () => {
    await system?.stop();
  });

  async function signedUpAndFunded(): Promise<string> {
    const email = `replicas-${randomUUID()}@example.com`;
    expect((await call(api(), '/users/register', { body: { email, password: 'orange-Kettle-42' } })).status).toBe(202);
    const login = await call<{ accessToken: string }>(api(), '/users/login', { body: { email, password: 'orange-Kettle-42' } });
    expect(login.status).toBe(200);
    await fundAndAwaitCredit(api(), login.body.accessToken, 2_000_000);
    return login.body.accessToken;
  }

  async function purchase(token: string): Promise<Bill> {
    const paid = await call<Bill>(api(), '/bills/pay', {
      token,
      body: { provider: PROVIDER, meterNumber: SUCCEEDING_METER, amount: 500_000, reference: `pay-${randomUUID()}` },
    });
    expect(paid.status).toBe(202);
    return eventually(
      async () => {
        const bill = await call<Bill>(api(), `/bills/${paid.body.id}`, { token });
        expect(bill.status).toBe(200);
        return bill.body.status === 'PENDING' ? undefined : bill.body;
      },
      `bill ${paid.body.id} to settle`,
      COMPLETION_TIMEOUT_MS,
    );
  }

  it('runs with two of each, and completes a purchase through them', async () => {
    for (const name of ['auth', 'wallet', 'billing'] as const) expect(system.instances(name)).toHaveLength(2);
    const bill = await purchase(await signedUpAndFunded());
    expect(bill.status).toBe('COMPLETED');
    expect(bill.token).toMatch(/^\d{20}$/);
  });

  it('keeps completing purchases after one instance of each service is killed', async () => {
    const token = await signedUpAndFunded();
    await Promise.all((['auth', 'wallet', 'billing'] as const).map((name) => system.instances(name)[0]?.kill()));

    // Every request is answered by the survivors; none fails for the dead ones.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const bill = await purchase(token);
      expect(bill.status).toBe('COMPLETED');
    }
    // The wallet settles each completion when its event arrives: the killed wallet's partitions
    // move to the survivor once its session times out, so the hold is released a little later.
    const settled = await eventually(
      async () => {
        const balance = await call<{ available: number; held: number }>(api(), '/wallets/balance', { token });
        return balance.body.held === 0 ? balance.body : undefined;
      },
      'the wallet to settle every completed payment',
      COMPLETION_TIMEOUT_MS,
    );
    expect(settled).toMatchObject({ available: 2_000_000 - 3 * 500_000, held: 0 });
  });
});
