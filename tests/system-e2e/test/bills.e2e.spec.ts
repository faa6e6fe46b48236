import { randomUUID } from 'node:crypto';
import { eventually } from '@bvs/platform/testing';
import { fundAndAwaitCredit } from './support/funding';
import { call } from './support/http';
import { expectBooksBalance } from './support/ledger-audit';
import { RunningSystem } from './support/system';

interface Bill {
  id: string;
  status: 'PENDING' | 'COMPLETED' | 'FAILED';
  transactionId: string;
  transactionStatus?: string;
  amount: number;
  token: string | null;
  units: string | null;
  failureCode: string | null;
  reference: string;
}

interface Transaction {
  id: string;
  type: string;
  status: string;
  amount: number;
  paymentId: string | null;
  reversesTransactionId: string | null;
}

interface Problem {
  code: string;
  status: number;
}

const PROVIDER = 'ikeja-electric-prepaid';
const METERS = {
  succeeds: '1111111111111',
  declines: '2222222222222',
  pendsThenSucceeds: '3333333333333',
  withholdsAnswer: '4444444444444',
  blocked: '5555555555555',
  unknown: '0000000000000',
} as const;
const NAIRA = 100;

/**
 * The main flow with every service running as a process on the real infrastructure: the gateway,
 * auth, wallet, billing and the provider simulator, talking over Kafka. After each scenario the
 * wallet's ledger audit runs against the wallet's live database.
 */
describe('paying electricity bills end to end', () => {
  let system: RunningSystem;
  const base = () => system.gateway.url;

  beforeAll(async () => {
    system = await RunningSystem.start({
      services: ['provider-sim', 'auth', 'wallet', 'billing'],
      serviceEnv: {
        // The withheld answer outlasts billing's patience, so billing must requery, never refund.
        'provider-sim': { SIM_TIMEOUT_DELAY_MS: '6000', SIM_PENDING_RESOLVE_AFTER_MS: '1500', SIM_SEED: '42' },
        billing: { PROVIDER_TIMEOUT_MS: '1500', REQUERY_BASE_MS: '300', REQUERY_MAX_MS: '2000', WORKER_POLL_MS: '100' },
      },
    });
  }, 240_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  afterEach(async () => {
    await expectBooksBalance(system);
  });

  async function fundedUser(amount: number): Promise<string> {
    const email = `payer-${randomUUID()}@example.com`;
    const password = 'orange-Kettle-42';
    await call(base(), '/api/users/register', { body: { email, password } });
    const token = (await call<{ accessToken: string }>(base(), '/api/users/login', { body: { email, password } })).body.accessToken;
    if (amount > 0) await fundAndAwaitCredit(`${base()}/api`, token, amount);
    return token;
  }

  const pay = (token: string, meterNumber: string, amount: number, reference: string = randomUUID()) =>
    call<Bill & { code: string }>(base(), '/api/bills/pay', { token, body: { provider: PROVIDER, meterNumber, amount, reference } });
  const balance = async (token: string) => (await call<{ available: number; held: number }>(base(), '/api/wallets/balance', { token })).body;
  const transactions = async (token: string) => (await call<{ items: Transaction[] }>(base(), '/api/transactions?limit=100', { token })).body.items;

  async function settled(token: string, billId: string, timeoutMs = 60_000): Promise<Bill> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await call<Bill>(base(), `/api/bills/${billId}`, { token });
      expect(response.status).toBe(200);
      const bill = response.body;
      const walletSettled = bill.transactionStatus === 'COMPLETED' || bill.transactionStatus === 'REVERSED';
      if (bill.status !== 'PENDING' && walletSettled) return bill;
      if (Date.now() > deadline) throw new Error(`bill ${billId} still ${bill.status}/${bill.transactionStatus}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('lists the providers and validates a meter, showing whose it is', async () => {
    const token = await fundedUser(0);
    const providers = (await call<{ providers: { code: string; minimumAmount: number; maximumAmount: number }[] }>(base(), '/api/bills/providers', { token })).body.providers;
    expect(providers).toEqual(expect.arrayContaining([expect.objectContaining({ code: PROVIDER, minimumAmount: 1_000 * NAIRA, maximumAmount: 300_000 * NAIRA })]));

    const meter = await call<{ customerName: string; address: string }>(base(), '/api/bills/validate-meter', { token, body: { provider: PROVIDER, meterNumber: METERS.succeeds } });
    expect(meter.status).toBe(200);
    expect(meter.body).toMatchObject({ customerName: 'Adaeze Okonkwo', address: expect.stringContaining('Lagos') });

    const refusals = [
      [{ provider: PROVIDER, meterNumber: METERS.unknown }, 422, 'BILLING.METER_NOT_FOUND'],
      [{ provider: PROVIDER, meterNumber: METERS.blocked }, 422, 'BILLING.METER_BLOCKED'],
      [{ provider: 'no-such-disco', meterNumber: METERS.succeeds }, 400, 'BILLING.UNKNOWN_PROVIDER'],
      [{ provider: PROVIDER, meterNumber: '12ab' }, 400, 'VALIDATION.FAILED'],
    ] as const;
    for (const [body, status, code] of refusals) {
      const response = await call<Problem>(base(), '/api/bills/validate-meter', { token, body });
      expect({ body, status: response.status, code: response.body.code }).toEqual({ body, status, code });
    }
  });

  it('refuses an invalid meter or an amount outside the provider limits before any money moves', async () => {
    const token = await fundedUser(50_000 * NAIRA);
    const cases = [
      [METERS.unknown, 5_000 * NAIRA, 422, 'BILLING.METER_NOT_FOUND'],
      [METERS.blocked, 5_000 * NAIRA, 422, 'BILLING.METER_BLOCKED'],
      [METERS.succeeds, 999 * NAIRA, 422, 'BILLING.AMOUNT_OUT_OF_RANGE'],
      [METERS.succeeds, 300_001 * NAIRA, 422, 'BILLING.AMOUNT_OUT_OF_RANGE'],
      [METERS.succeeds, 0, 400, 'VALIDATION.FAILED'],
    ] as const;
    for (const [meter, amount, status, code] of cases) {
      const response = await pay(token, meter, amount);
      expect({ meter, amount, status: response.status, code: response.body.code }).toEqual({ meter, amount, status, code });
    }
    const insufficient = await pay(token, METERS.succeeds, 60_000 * NAIRA);
    expect({ status: insufficient.status, code: insufficient.body.code }).toEqual({ status: 422, code: 'WALLET.INSUFFICIENT_FUNDS' });
    expect(await balance(token)).toMatchObject({ available: 50_000 * NAIRA, held: 0 });
    expect((await transactions(token)).map((transaction) => transaction.type)).toEqual(['FUNDING']);
  });

  it('pays: 202 PENDING, the same bill readable at once, then COMPLETED with a 20-digit token and an exact balance', async () => {
    const token = await fundedUser(20_000 * NAIRA);
    const accepted = await pay(token, METERS.succeeds, 5_000 * NAIRA, 'first-bill');
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: 'PENDING', amount: 5_000 * NAIRA, reference: 'first-bill', token: null });

    const immediately = await call<Bill>(base(), `/api/bills/${accepted.body.id}`, { token });
    expect(immediately.status).toBe(200);
    expect(immediately.body).toMatchObject({ id: accepted.body.id, amount: 5_000 * NAIRA, reference: 'first-bill' });

    const bill = await settled(token, accepted.body.id);
    expect(bill).toMatchObject({ status: 'COMPLETED', transactionStatus: 'COMPLETED', failureCode: null });
    expect(bill.token).toMatch(/^\d{20}$/);
    expect(bill.units).toMatch(/^\d+(\.\d+)?$/);
    expect(await balance(token)).toMatchObject({ available: 15_000 * NAIRA, held: 0 });
    const payment = (await transactions(token)).find((transaction) => transaction.paymentId === bill.id);
    expect(payment).toMatchObject({ type: 'PAYMENT', status: 'COMPLETED', amount: 5_000 * NAIRA });

    const listed = (await call<{ items: Bill[] }>(base(), '/api/bills?status=COMPLETED', { token })).body.items;
    expect(listed.map((item) => item.id)).toEqual([bill.id]);
  });

  it('reverses a definite provider failure: bill FAILED, transaction REVERSED, a REVERSAL of the same amount, money back', async () => {
    const token = await fundedUser(20_000 * NAIRA);
    const accepted = await pay(token, METERS.declines, 7_500 * NAIRA);
    expect(accepted.status).toBe(202);
    const bill = await settled(token, accepted.body.id);
    expect(bill).toMatchObject({ status: 'FAILED', transactionStatus: 'REVERSED', token: null, failureCode: 'PROVIDER.VEND.DECLINED' });
    expect(await balance(token)).toMatchObject({ available: 20_000 * NAIRA, held: 0 });
    const history = await transactions(token);
    const payment = history.find((transaction) => transaction.type === 'PAYMENT');
    const reversals = history.filter((transaction) => transaction.type === 'REVERSAL');
    expect(reversals).toEqual([expect.objectContaining({ status: 'COMPLETED', amount: 7_500 * NAIRA, reversesTransactionId: payment?.id, paymentId: bill.id })]);
  });

  it('never reverses a vend whose answer timed out: billing requeries and completes it', async () => {
    const token = await fundedUser(20_000 * NAIRA);
    const accepted = await pay(token, METERS.withholdsAnswer, 3_000 * NAIRA);
    expect(accepted.status).toBe(202);
    const bill = await settled(token, accepted.body.id);
    expect(bill).toMatchObject({ status: 'COMPLETED', transactionStatus: 'COMPLETED' });
    expect(bill.token).toMatch(/^\d{20}$/);
    expect((await transactions(token)).filter((transaction) => transaction.type === 'REVERSAL')).toEqual([]);
    expect(await balance(token)).toMatchObject({ available: 17_000 * NAIRA, held: 0 });
  });

  it('keeps a pending vend pending until the provider resolves it, then completes it', async () => {
    const token = await fundedUser(20_000 * NAIRA);
    const accepted = await pay(token, METERS.pendsThenSucceeds, 2_000 * NAIRA);
    // The provider answers this meter PENDING and resolves it only after SIM_PENDING_RESOLVE_AFTER_MS (1.5 s):
    // meanwhile the bill reads PENDING with no token, and the money is held, neither spent nor returned.
    const meanwhile = await call<Bill>(base(), `/api/bills/${accepted.body.id}`, { token });
    expect(meanwhile.body).toMatchObject({ id: accepted.body.id, status: 'PENDING', token: null, units: null });
    expect(await balance(token)).toMatchObject({ available: 18_000 * NAIRA, held: 2_000 * NAIRA });
    const bill = await settled(token, accepted.body.id);
    expect(bill).toMatchObject({ status: 'COMPLETED', transactionStatus: 'COMPLETED' });
    expect(await balance(token)).toMatchObject({ available: 18_000 * NAIRA, held: 0 });
  });

  it('makes one payment of a replayed reference, and refuses the reference with another body', async () => {
    const token = await fundedUser(20_000 * NAIRA);
    const first = await pay(token, METERS.succeeds, 4_000 * NAIRA, 'pay-once');
    const replays = await Promise.all([1, 2, 3].map(() => pay(token, METERS.succeeds, 4_000 * NAIRA, 'pay-once')));
    for (const replay of replays) {
      expect(replay.status).toBe(202);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body.id).toBe(first.body.id);
    }
    const conflict = await pay(token, METERS.succeeds, 4_500 * NAIRA, 'pay-once');
    expect({ status: conflict.status, code: conflict.body.code }).toEqual({ status: 409, code: 'IDEMPOTENCY.CONFLICT' });
    await settled(token, first.body.id);
    expect(await balance(token)).toMatchObject({ available: 16_000 * NAIRA, held: 0 });
    expect((await transactions(token)).filter((transaction) => transaction.type === 'PAYMENT')).toHaveLength(1);
  });

  it('answers a replayed pay reference from the wallet alone, while billing and the provider cannot answer', async () => {
    const token = await fundedUser(10_000 * NAIRA);
    const reference = `replay-${randomUUID()}`;
    const body = { provider: PROVIDER, meterNumber: METERS.succeeds, amount: 1_000 * NAIRA, reference };
    const first = await pay(token, METERS.succeeds, 1_000 * NAIRA, reference);
    expect(first.status).toBe(202);
    const impatient = await system.startExtraGateway({ REQUEST_TIMEOUT_MS: '1500' });
    // Stopped, not killed: billing holds its connections and answers nothing, not even the meter check.
    system.service('billing').pause();
    try {
      const replay = await call<Bill>(impatient.url, '/api/bills/pay', { token, body });
      expect(replay.status).toBe(202);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body.id).toBe(first.body.id);
      // A new reference does need the meter check, which cannot be answered now: nothing is held.
      const fresh = await call<Problem>(impatient.url, '/api/bills/pay', { token, body: { ...body, reference: `fresh-${randomUUID()}` } });
      expect({ status: fresh.status, code: fresh.body.code }).toEqual({ status: 504, code: 'SERVICE.TIMEOUT' });
    } finally {
      system.service('billing').resume();
      await impatient.stop();
    }
    await settled(token, first.body.id);
    expect(await balance(token)).toMatchObject({ available: 9_000 * NAIRA, held: 0 });
  });

  it('pays a meter the gateway saw check out lately with one call, to the wallet: accepted while billing cannot answer', async () => {
    const token = await fundedUser(10_000 * NAIRA);
    // A gateway of its own, so what it remembers comes from this test alone.
    const gateway = await system.startExtraGateway({ REQUEST_TIMEOUT_MS: '1500' });
    try {
      const checked = await call(gateway.url, '/api/bills/validate-meter', { token, body: { provider: PROVIDER, meterNumber: METERS.succeeds } });
      expect(checked.status).toBe(200);
      system.service('billing').pause();
      let acceptedId = '';
      try {
        const accepted = await call<Bill>(gateway.url, '/api/bills/pay', {
          token,
          body: { provider: PROVIDER, meterNumber: METERS.succeeds, amount: 2_000 * NAIRA, reference: `checked-${randomUUID()}` },
        });
        expect({ status: accepted.status, bill: accepted.body.status }).toEqual({ status: 202, bill: 'PENDING' });
        acceptedId = accepted.body.id;
        // Outside the remembered limits the gateway must ask billing, which cannot answer now: nothing is held.
        const tooSmall = await call<Problem>(gateway.url, '/api/bills/pay', {
          token,
          body: { provider: PROVIDER, meterNumber: METERS.succeeds, amount: 999 * NAIRA, reference: `small-${randomUUID()}` },
        });
        expect({ status: tooSmall.status, code: tooSmall.body.code }).toEqual({ status: 504, code: 'SERVICE.TIMEOUT' });
      } finally {
        system.service('billing').resume();
      }
      expect(await settled(token, acceptedId)).toMatchObject({ status: 'COMPLETED', transactionStatus: 'COMPLETED' });
      expect(await balance(token)).toMatchObject({ available: 8_000 * NAIRA, held: 0 });
    } finally {
      await gateway.stop();
    }
  });

  it('ends 20 concurrent payments on one wallet exact: those the funds cover complete, the rest are refused', async () => {
    const token = await fundedUser(10 * 1_000 * NAIRA);
    const results = await Promise.all(Array.from({ length: 20 }, () => pay(token, METERS.succeeds, 1_000 * NAIRA)));
    const accepted = results.filter((result) => result.status === 202);
    const refused = results.filter((result) => result.status !== 202);
    expect(accepted).toHaveLength(10);
    expect(new Set(refused.map((result) => `${result.status} ${result.body.code}`))).toEqual(new Set(['422 WALLET.INSUFFICIENT_FUNDS']));
    const bills = await Promise.all(accepted.map((result) => settled(token, result.body.id)));
    expect(bills.every((bill) => bill.status === 'COMPLETED' && bill.transactionStatus === 'COMPLETED')).toBe(true);
    expect(await balance(token)).toMatchObject({ available: 0, held: 0 });
  });

  it("shows a user only their own bills: another user's bill id is a 404", async () => {
    const owner = await fundedUser(10_000 * NAIRA);
    const stranger = await fundedUser(0);
    const accepted = await pay(owner, METERS.succeeds, 1_000 * NAIRA);
    await settled(owner, accepted.body.id);
    const peek = await call<Problem>(base(), `/api/bills/${accepted.body.id}`, { token: stranger });
    expect({ status: peek.status, code: peek.body.code }).toEqual({ status: 404, code: 'BILLING.BILL_NOT_FOUND' });
    expect((await call(base(), `/api/bills/${randomUUID()}`, { token: owner })).status).toBe(404);
    const malformed = await call<Problem>(base(), '/api/bills/42%20OR%201=1', { token: owner });
    expect({ status: malformed.status, code: malformed.body.code }).toEqual({ status: 400, code: 'VALIDATION.FAILED' });
    expect((await call<{ items: Bill[] }>(base(), '/api/bills', { token: stranger })).body.items).toEqual([]);
  });

  it('exposes Prometheus metrics: HTTP latency by route, bills settled and pending, the ledger by status, outbox backlog, provider calls and errors', async () => {
    // Its own completed and reversed payments, so that what it looks for exists whatever ran before.
    const token = await fundedUser(5_000 * NAIRA);
    await settled(token, (await pay(token, METERS.succeeds, 1_000 * NAIRA)).body.id);
    await settled(token, (await pay(token, METERS.declines, 1_000 * NAIRA)).body.id);
    // Each service's management listener (METRICS_PORT), not the port that serves its API. Table gauges are read
    // at most every DATABASE_GAUGE_MAX_AGE_MS, so a scrape may show the counts of a moment ago: wait for them.
    const scrape = async (service: { metricsUrl: string }) => {
      const response = await fetch(`${service.metricsUrl}/metrics`);
      expect(response.status).toBe(200);
      return response.text();
    };
    const scrapeUntil = (service: { metricsUrl: string }, pattern: RegExp) =>
      eventually(async () => {
        const text = await scrape(service);
        return pattern.test(text) ? text : undefined;
      }, `metrics matching ${pattern}`);
    const gateway = await scrape(system.gateway);
    expect(gateway).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/api\/bills\/pay"[^}]*status="202"[^}]*\} [1-9]/);
    const billing = await scrapeUntil(system.service('billing'), /bvs_bills_settled_total\{[^}]*status="COMPLETED"[^}]*\} [1-9]/);
    expect(billing).toMatch(/bvs_bills_pending\{service="billing"\} \d/);
    expect(billing).toMatch(/bvs_provider_errors_total\{[^}]*operation="vend"[^}]*kind="timeout"[^}]*\} \d/);
    expect(billing).toMatch(/bvs_provider_request_duration_seconds_count\{[^}]*operation="vend"[^}]*\} [1-9]/);
    expect(billing).toMatch(/bvs_outbox_backlog\{service="billing"\} \d/);
    const wallet = await scrape(system.service('wallet'));
    expect(wallet).toMatch(/bvs_wallet_payments_pending\{service="wallet"\} \d/);
    expect(wallet).toMatch(/bvs_wallet_held_minor_units\{service="wallet"\} \d/);
    // The relay keeps up (nothing waits long to be published), and the consumers report their lag per partition.
    expect(wallet).toMatch(/bvs_outbox_oldest_unpublished_age_seconds\{service="wallet"\} \d/);
    expect(wallet).toMatch(/bvs_kafka_consumer_lag_messages\{[^}]*topic="billing\.payment-completed\.v1"[^}]*\} \d+/);
    expect(billing).toMatch(/bvs_kafka_consumer_lag_messages\{[^}]*topic="wallet\.payment-requested\.v1"[^}]*\} \d+/);
    // Metrics are for the cluster's scraper: the API ports (the gateway's is the public one) do not serve them.
    for (const url of [`${base()}/metrics`, `${base()}/api/metrics`, `${system.service('billing').url}/metrics`, `${system.service('wallet').url}/metrics`]) {
      expect({ url, status: (await fetch(url)).status }).toEqual({ url, status: 404 });
    }
  });

  it('answers 503 with Retry-After and moves no money when the provider is down, and pays again once it is back', async () => {
    const token = await fundedUser(10_000 * NAIRA);
    await system.service('provider-sim').stop();
    try {
      // An ordinary meter nobody has validated yet, so no cached answer stands in for the provider.
      const response = await pay(token, '45067891239', 1_000 * NAIRA);
      expect({ status: response.status, code: response.body.code }).toEqual({ status: 503, code: 'BILLING.PROVIDER_UNAVAILABLE' });
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await balance(token)).toMatchObject({ available: 10_000 * NAIRA, held: 0 });
    } finally {
      // Back on the same address, so the tests after this one find the provider as billing does.
      await system.restartService('provider-sim');
    }
    const again = await pay(token, '45067891239', 1_000 * NAIRA);
    expect(again.status).toBe(202);
    expect(await settled(token, again.body.id)).toMatchObject({ status: 'COMPLETED' });
  });
});
