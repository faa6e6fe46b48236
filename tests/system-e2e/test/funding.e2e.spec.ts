import { createHmac, randomUUID } from 'node:crypto';
import { EVENT_TOPICS } from '@bvs/contracts';
import { eventually } from '@bvs/platform/testing';
import { waitForEvent } from './support/events';
import { fundAndAwaitCredit, type Funding } from './support/funding';
import { call } from './support/http';
import { expectBooksBalance } from './support/ledger-audit';
import { RunningSystem } from './support/system';

interface Problem {
  code: string;
  status: number;
}

interface Balance {
  available: number;
}

/** Paystack's test card, which the simulator's checkout accepts; and the one it declines. */
const SANDBOX_CARD = '4084084084084081';
const DECLINED_CARD = '4084080000005408';

/**
 * Money enters through the payment processor (the simulator's Paystack-shaped /processor API):
 * the fund request starts a charge, the checkout pays, the processor calls the gateway's webhook
 * signed with HMAC-SHA512, the wallet verifies the charge with the processor and credits once.
 * Every webhook that must not credit (forged, tampered, replayed, another amount or currency, an
 * unknown reference) is sent here as an attacker or a faulty processor would, and credits nothing.
 */
describe('funding through the payment processor (e2e)', () => {
  let system: RunningSystem;
  const api = () => `${system.gateway.url}/api`;

  beforeAll(async () => {
    system = await RunningSystem.start({ services: ['provider-sim', 'auth', 'wallet'] });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  // The books balance after every scenario: pending and failed fundings hold no money, a credited one exactly one CREDIT.
  afterEach(async () => {
    await expectBooksBalance(system);
  });

  async function newUser(): Promise<string> {
    const email = `funding-${randomUUID()}@example.com`;
    const password = 'orange-Kettle-42';
    expect((await call(api(), '/users/register', { body: { email, password } })).status).toBe(202);
    const login = await call<{ accessToken: string }>(api(), '/users/login', { body: { email, password } });
    return login.body.accessToken;
  }

  const balance = async (token: string) => (await call<Balance>(api(), '/wallets/balance', { token })).body.available;
  const setAutoPay = async (autoPay: boolean) => {
    const answer = await call(system.service('provider-sim').url, '/admin/processor', {
      method: 'PUT',
      body: { autoPay },
      headers: { authorization: `Bearer ${system.simulatorAdminToken}` },
    });
    expect(answer.status).toBe(200);
  };
  /** A webhook as the processor would send it, signed with `key` (the processor's secret unless told otherwise). */
  const sendWebhook = (body: string, key = system.processorSecretKey, signature = createHmac('sha512', key).update(body).digest('hex')) =>
    call<{ outcome: string } & Problem>(api(), '/webhooks/paystack', { rawBody: body, headers: { 'x-paystack-signature': signature } });
  const chargeSuccess = (reference: string, amount: number, currency = 'NGN') =>
    JSON.stringify({ event: 'charge.success', data: { id: 1, status: 'success', reference, amount, currency, paid_at: new Date().toISOString(), channel: 'card' } });

  /** Starts a funding the customer has not paid yet (the sandbox's instant payment switched off). */
  async function unpaidFunding(token: string, amount: number): Promise<Funding> {
    await setAutoPay(false);
    try {
      const started = await call<Funding>(api(), '/wallets/fund', { token, body: { amount, reference: `unpaid-${randomUUID()}` } });
      expect(started.status).toBe(202);
      return started.body;
    } finally {
      await setAutoPay(true);
    }
  }

  const webhookCount = async (outcome: string) => {
    const text = await (await fetch(`${system.service('wallet').metricsUrl}/metrics`)).text();
    const line = text.split('\n').find((row) => row.startsWith('bvs_wallet_processor_webhooks_total{') && row.includes(`outcome="${outcome}"`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  it('answers 202 with a PENDING funding, the processor reference and the checkout page; the sandbox card pays and the wallet is credited once, with the reference on wallet-funded', async () => {
    const token = await newUser();
    const started = await call<Funding>(api(), '/wallets/fund', { token, body: { amount: 250_000, reference: 'top-up-1' } });
    expect(started.status).toBe(202);
    expect(started.headers.get('idempotent-replayed')).toBe('false');
    expect(started.body).toMatchObject({ type: 'FUNDING', status: 'PENDING', amount: 250_000, reference: 'top-up-1' });
    expect(started.body.processorReference).toBe(`bvs-fund-${started.body.id}`);
    expect(started.body.checkoutUrl).toMatch(/\/processor\/checkout\/[A-Za-z0-9_-]+$/);

    const credited = await eventually(async () => {
      const read = await call<Funding>(api(), `/transactions/${started.body.id}`, { token });
      return read.body.status === 'COMPLETED' ? read.body : undefined;
    }, 'the funding to be credited');
    expect(credited).toMatchObject({ amount: 250_000, availableAfter: 250_000 });
    expect(credited.details).toMatchObject({ processorReference: started.body.processorReference, channel: 'card' });
    expect(await balance(token)).toBe(250_000);

    const event = await waitForEvent(EVENT_TOPICS.walletFunded, (candidate) => candidate.payload.transactionId === started.body.id);
    expect(event.payload).toMatchObject({ amountMinor: 250_000n, reference: 'top-up-1', processorReference: started.body.processorReference });

    const replay = await call<Funding>(api(), '/wallets/fund', { token, body: { amount: 250_000, reference: 'top-up-1' } });
    expect({ status: replay.status, replayed: replay.headers.get('idempotent-replayed'), id: replay.body.id, status_: replay.body.status }).toEqual({
      status: 202,
      replayed: 'true',
      id: started.body.id,
      status_: 'COMPLETED',
    });
    expect(await balance(token)).toBe(250_000);
  });

  it('credits nothing for a replayed webhook, and counts it', async () => {
    const token = await newUser();
    const funding = await fundAndAwaitCredit(api(), token, 10_000);
    const before = await webhookCount('ALREADY_CREDITED');
    const replay = await sendWebhook(chargeSuccess(funding.details['processorReference'] ?? '', 10_000));
    expect({ status: replay.status, outcome: replay.body.outcome }).toEqual({ status: 200, outcome: 'ALREADY_CREDITED' });
    expect(await balance(token)).toBe(10_000);
    expect(await webhookCount('ALREADY_CREDITED')).toBe(before + 1);
  });

  it('refuses a forged webhook (another key) and a tampered one (body changed after signing) with 401, credits nothing, and counts both', async () => {
    const token = await newUser();
    const funding = await unpaidFunding(token, 20_000);
    const before = await webhookCount('FORGED');
    const genuineBody = chargeSuccess(funding.processorReference ?? '', 20_000);

    const forged = await sendWebhook(genuineBody, 'sk_test_not_the_processors_key');
    expect({ status: forged.status, code: forged.body.code }).toEqual({ status: 401, code: 'WALLET.WEBHOOK_SIGNATURE_INVALID' });
    const signatureOfGenuine = createHmac('sha512', system.processorSecretKey).update(genuineBody).digest('hex');
    const tampered = await sendWebhook(genuineBody.replace('20000', '2000000'), system.processorSecretKey, signatureOfGenuine);
    expect(tampered.status).toBe(401);
    const unsigned = await call<Problem>(api(), '/webhooks/paystack', { rawBody: genuineBody });
    expect(unsigned.status).toBe(401);

    expect(await balance(token)).toBe(0);
    expect(await webhookCount('FORGED')).toBe(before + 3);
    await system.service('wallet').lineContaining('its signature does not match its body');
    const read = await call<Funding>(api(), `/transactions/${funding.id}`, { token });
    expect(read.body.status).toBe('PENDING');
  });

  it('credits nothing for a signed webhook of another amount or currency, or before the processor says the charge is paid', async () => {
    const token = await newUser();
    const funding = await unpaidFunding(token, 30_000);
    const reference = funding.processorReference ?? '';

    expect((await sendWebhook(chargeSuccess(reference, 3_000_000))).body.outcome).toBe('AMOUNT_MISMATCH');
    expect((await sendWebhook(chargeSuccess(reference, 30_000, 'USD'))).body.outcome).toBe('CURRENCY_MISMATCH');
    // The right claim, but the processor has not been paid: its verify endpoint is what counts.
    expect((await sendWebhook(chargeSuccess(reference, 30_000))).body.outcome).toBe('NOT_SUCCESSFUL');
    expect(await balance(token)).toBe(0);
    for (const outcome of ['AMOUNT_MISMATCH', 'CURRENCY_MISMATCH']) await system.service('wallet').lineContaining(`A webhook credited nothing: ${outcome}`);
  });

  it('credits nothing for a webhook of an unknown reference', async () => {
    const unknown = await sendWebhook(chargeSuccess(`bvs-fund-${randomUUID()}`, 5_000));
    expect({ status: unknown.status, outcome: unknown.body.outcome }).toEqual({ status: 200, outcome: 'UNKNOWN_REFERENCE' });
  });

  it('credits what the customer pays at the checkout, and nothing when the card is declined or the bank transfer is short', async () => {
    const paidToken = await newUser();
    const paid = await unpaidFunding(paidToken, 40_000);
    const checkout = new URL(paid.checkoutUrl ?? '');
    expect((await call(checkout.origin, `${checkout.pathname}/pay`, { body: { card_number: SANDBOX_CARD } })).status).toBe(200);
    await eventually(async () => ((await balance(paidToken)) === 40_000 ? true : undefined), 'the paid funding to be credited');

    const declinedToken = await newUser();
    const declined = await unpaidFunding(declinedToken, 40_000);
    const declinedCheckout = new URL(declined.checkoutUrl ?? '');
    await call(declinedCheckout.origin, `${declinedCheckout.pathname}/pay`, { body: { card_number: DECLINED_CARD } });

    const shortToken = await newUser();
    const short = await unpaidFunding(shortToken, 40_000);
    const shortCheckout = new URL(short.checkoutUrl ?? '');
    const before = await webhookCount('AMOUNT_MISMATCH');
    expect((await call(shortCheckout.origin, `${shortCheckout.pathname}/pay`, { body: { amount: 4_000 } })).status).toBe(200);
    // The processor's own webhook for the short payment arrives, is counted, and credits nothing.
    await eventually(async () => ((await webhookCount('AMOUNT_MISMATCH')) > before ? true : undefined), 'the short payment to be reported');
    expect(await balance(shortToken)).toBe(0);
    expect(await balance(declinedToken)).toBe(0);
    expect((await call<Funding>(api(), `/transactions/${declined.id}`, { token: declinedToken })).body.status).toBe('PENDING');
  });
});

/**
 * A processor's webhooks get lost (here every one fails: the processor calls an address where
 * nothing listens, and gives up after one attempt). The wallet's reconciler asks the processor
 * about fundings still pending, and credits the paid ones all the same, once.
 */
describe('funding when the webhook never arrives (e2e)', () => {
  let system: RunningSystem;
  const api = () => `${system.gateway.url}/api`;

  beforeAll(async () => {
    system = await RunningSystem.start({
      services: ['provider-sim', 'auth', 'wallet'],
      serviceEnv: {
        'provider-sim': { PROCESSOR_WEBHOOK_URL: 'http://127.0.0.1:1/nobody-listens', PROCESSOR_WEBHOOK_ATTEMPTS: '1' },
        wallet: { FUNDING_RECONCILE_AFTER_MS: '1000', FUNDING_RECONCILE_INTERVAL_MS: '500' },
      },
    });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('credits a paid charge through the reconciler, once', async () => {
    const email = `lost-webhook-${randomUUID()}@example.com`;
    const password = 'orange-Kettle-42';
    expect((await call(api(), '/users/register', { body: { email, password } })).status).toBe(202);
    const token = (await call<{ accessToken: string }>(api(), '/users/login', { body: { email, password } })).body.accessToken;

    const funding = await fundAndAwaitCredit(api(), token, 75_000);

    expect(funding).toMatchObject({ status: 'COMPLETED', amount: 75_000 });
    expect((await call<Balance>(api(), '/wallets/balance', { token })).body.available).toBe(75_000);
    await system.service('wallet').lineContaining('A funding was credited after its charge was verified (reconciliation)');
    await expectBooksBalance(system);
  });
});
