import { createHmac } from 'node:crypto';
import { ConfigError } from '@bvs/platform';
import { eventually, TestDatabase, testServiceEnv } from '@bvs/platform/testing';
import { startProviderSim } from '../src/app';
import type { CheckoutData, ChargeSuccessEvent, InitializeData, PaymentData, PaystackAnswer, TransactionData } from '../src/processor/charge-view';
import type { ProcessorErrorBody } from '../src/processor/http/processor-error-body';
import { ADMIN_TOKEN, API_KEY, call, ErrorBody, newRequestId, ordinaryMeter, PROCESSOR_SECRET_KEY, ProviderSim } from './support/provider-sim-harness';
import { ReceivedWebhook, WebhookReceiver } from './support/webhook-receiver';

const SUCCESSFUL_CARD = '4084084084084081';
const DECLINED_CARD = '4084080000005408';
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Either of the processor's answers: `data` on success, only `status: false` and `message` on a refusal. */
interface Answer<T> {
  readonly status: boolean;
  readonly message: string;
  readonly data: T;
}

let counter = 0;
function newReference(): string {
  counter += 1;
  return `chg-${Date.now()}-${counter}`;
}

function initialize(sim: ProviderSim, body: Record<string, unknown>, init: RequestInit = {}) {
  return sim.processor<Answer<InitializeData>>('POST', '/transaction/initialize', { email: 'ada@example.com', amount: 500_000, ...body }, init);
}

function verify(sim: ProviderSim, reference: string, init: RequestInit = {}) {
  return sim.processor<Answer<TransactionData>>('GET', `/transaction/verify/${reference}`, undefined, init);
}

function pay(sim: ProviderSim, accessCode: string, body: Record<string, unknown> = { card_number: SUCCESSFUL_CARD }) {
  return sim.checkout<Answer<PaymentData>>('POST', `${accessCode}/pay`, body);
}

/** An initialized charge's access code; fails the test loudly otherwise. */
async function newCharge(sim: ProviderSim, body: Record<string, unknown> = {}): Promise<{ reference: string; accessCode: string }> {
  const reference = newReference();
  const answer = await initialize(sim, { reference, ...body });
  if (answer.status !== 200) throw new Error(`initialize answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return { reference, accessCode: answer.body.data.access_code };
}

function webhookOf(receiver: WebhookReceiver, reference: string, what = `the webhook of ${reference}`): Promise<ReceivedWebhook> {
  return eventually(async () => receiver.deliveriesOf(reference).find((webhook) => webhook.answeredStatus === 200), what, 15_000);
}

function signatureOf(rawBody: Buffer): string {
  return createHmac('sha512', PROCESSOR_SECRET_KEY).update(rawBody).digest('hex');
}

describe('provider-sim payment processor', () => {
  let receiver: WebhookReceiver;
  let sim: ProviderSim;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    sim = await ProviderSim.start('provider_sim_processor', {
      PROCESSOR_SECRET_KEY,
      PROCESSOR_WEBHOOK_URL: receiver.url,
      // Short, so the retry test does not wait for the production pace.
      PROCESSOR_WEBHOOK_RETRY_MS: '50',
    });
  });

  afterAll(async () => {
    await sim.stop();
    await receiver.stop();
  });

  beforeEach(async () => {
    await sim.admin('POST', '/reset');
  });

  it('initializes a charge, takes the payment at the checkout, reports it on verify and sends the signed webhook', async () => {
    const reference = newReference();
    const initialized = await initialize(sim, { reference, currency: 'NGN', callback_url: 'https://merchant.example/paid', metadata: { walletId: 'w-1' } });
    expect(initialized.status).toBe(200);
    expect(initialized.body).toEqual({
      status: true,
      message: 'Authorization URL created',
      data: { authorization_url: expect.any(String), access_code: expect.stringMatching(/^[a-z0-9]{20}$/), reference },
    });
    const accessCode = initialized.body.data.access_code;
    expect(initialized.body.data.authorization_url).toBe(`${sim.url}/processor/checkout/${accessCode}`);

    const before = await verify(sim, reference);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ status: true, message: 'Verification successful' });
    expect(before.body.data).toMatchObject({ status: 'ongoing', reference, amount: 500_000, requested_amount: 500_000, currency: 'NGN', paid_at: null, channel: null });

    const checkout = await sim.checkout<PaystackAnswer<CheckoutData>>('GET', accessCode);
    expect(checkout.status).toBe(200);
    expect(checkout.body.data).toMatchObject({ reference, amount: 500_000, currency: 'NGN', status: 'ongoing' });

    const paid = await pay(sim, accessCode);
    expect(paid.status).toBe(200);
    expect(paid.body.data).toEqual({
      reference,
      status: 'success',
      amount: 500_000,
      currency: 'NGN',
      channel: 'card',
      gateway_response: 'Approved',
      redirect_url: `https://merchant.example/paid?trxref=${reference}&reference=${reference}`,
    });

    const after = await verify(sim, reference);
    expect(after.body.data).toEqual({
      id: expect.any(Number),
      status: 'success',
      reference,
      amount: 500_000,
      currency: 'NGN',
      requested_amount: 500_000,
      paid_at: expect.stringMatching(ISO_INSTANT),
      created_at: expect.stringMatching(ISO_INSTANT),
      channel: 'card',
      gateway_response: 'Approved',
      customer: { email: 'ada@example.com' },
      metadata: { walletId: 'w-1' },
    });
    expect(Number.isSafeInteger(after.body.data.id)).toBe(true);

    const webhook = await webhookOf(receiver, reference);
    expect(webhook.method).toBe('POST');
    expect(webhook.path).toBe('/webhooks/paystack');
    expect(webhook.headers['content-type']).toBe('application/json');
    expect(webhook.headers['x-paystack-signature']).toBe(signatureOf(webhook.rawBody));
    const event = JSON.parse(webhook.rawBody.toString('utf8')) as ChargeSuccessEvent;
    expect(event).toEqual({ event: 'charge.success', data: { ...after.body.data, status: 'success' } });
    expect(receiver.deliveriesOf(reference)).toHaveLength(1);
  });

  it('answers a repeated initialize with the same checkout, and refuses the reference for other money', async () => {
    const reference = newReference();
    const first = await initialize(sim, { reference, amount: 250_000 });
    expect(first.status).toBe(200);
    // A digit string is the same amount: a client that sends strings still replays exactly.
    const again = await initialize(sim, { reference, amount: '250000', currency: 'NGN', email: 'other@example.com' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);

    for (const other of [{ amount: 250_001 }, { amount: '25000' }, { currency: 'USD', amount: 250_000 }]) {
      const refused = await initialize(sim, { reference, ...other });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ status: false, message: 'Duplicate Transaction Reference' });
    }
    expect(await sim.countCharges(reference)).toBe(1);
    expect((await verify(sim, reference)).body.data).toMatchObject({ amount: 250_000, currency: 'NGN', customer: { email: 'ada@example.com' } });
  });

  it('takes every character Paystack allows in a reference, verified with the reference URL-encoded', async () => {
    const reference = `${newReference()}.Wallet=7-A`;
    expect((await initialize(sim, { reference })).status).toBe(200);
    const verified = await verify(sim, encodeURIComponent(reference));
    expect(verified.status).toBe(200);
    expect(verified.body.data.reference).toBe(reference);
  });

  it('records one charge when the same initialize races itself', async () => {
    const reference = newReference();
    const answers = await Promise.all(Array.from({ length: 5 }, () => initialize(sim, { reference })));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(answers.map((answer) => answer.body.data.access_code)).size).toBe(1);
    expect(await sim.countCharges(reference)).toBe(1);
  });

  it('refuses initialize and verify without the processor secret key', async () => {
    const reference = newReference();
    const wrongKeys = [
      {},
      { authorization: 'Bearer sk_test_wrong_0123456789abcdef' },
      { authorization: `Bearer ${API_KEY}` },
      { authorization: `Bearer ${ADMIN_TOKEN}` },
      { authorization: PROCESSOR_SECRET_KEY },
      { authorization: `Basic ${PROCESSOR_SECRET_KEY}` },
    ];
    for (const headers of wrongKeys) {
      const initialized = await call<ProcessorErrorBody>(sim.url, 'POST', '/processor/transaction/initialize', { email: 'ada@example.com', amount: 500_000, reference }, { headers });
      expect(initialized.status).toBe(401);
      expect(initialized.body).toEqual({ status: false, message: 'Invalid key' });
    }
    expect(await sim.countCharges(reference)).toBe(0);

    const { reference: known } = await newCharge(sim);
    for (const headers of wrongKeys) {
      const verified = await call<ProcessorErrorBody>(sim.url, 'GET', `/processor/transaction/verify/${known}`, undefined, { headers });
      expect(verified.status).toBe(401);
      expect(verified.body).toEqual({ status: false, message: 'Invalid key' });
    }
  });

  it.each([
    ['no email', { email: undefined }, /email/],
    ['a malformed email', { email: 'ada-at-example' }, /email/],
    ['no amount', { amount: undefined }, /amount/],
    ['a zero amount', { amount: 0 }, /amount/],
    ['a negative amount', { amount: -100 }, /amount/],
    ['a fractional amount', { amount: 100.5 }, /amount/],
    ['a decimal string amount', { amount: '100.00' }, /amount/],
    ['an amount string past 2^53', { amount: '9007199254740992' }, /amount/],
    ['a lower-case currency', { currency: 'ngn' }, /currency/],
    ['a reference with a space', { reference: 'ref 1' }, /reference/],
    ['a reference of 101 characters', { reference: 'r'.repeat(101) }, /reference/],
    ['a callback that is not a URL', { callback_url: 'merchant.example' }, /callback_url/],
    ['metadata that is not an object', { metadata: 'wallet-1' }, /metadata/],
    ['an unknown field', { channels: ['card'] }, /channels/],
  ])('refuses an initialize with %s, in Paystack shape, recording nothing', async (_case, change, message) => {
    const reference = newReference();
    const answer = await initialize(sim, { reference, ...change });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ status: false, message: expect.stringMatching(message) });
    expect(await sim.countCharges(reference)).toBe(0);
  });

  it('refuses a JSON amount too large to be exact, and malformed JSON, in Paystack shape', async () => {
    const reference = newReference();
    const post = (text: string) =>
      fetch(`${sim.url}/processor/transaction/initialize`, {
        method: 'POST',
        headers: { authorization: `Bearer ${PROCESSOR_SECRET_KEY}`, 'content-type': 'application/json' },
        body: text,
      });
    // 2^53 + 1 parses to 2^53, which would otherwise pass as a rounded amount.
    const tooLarge = await post(`{"email":"ada@example.com","reference":"${reference}","amount":9007199254740993}`);
    expect(tooLarge.status).toBe(400);
    expect(await tooLarge.json()).toEqual({ status: false, message: expect.stringMatching(/amount/) });

    const exactlyLargest = await post(`{"email":"ada@example.com","reference":"${reference}","amount":9007199254740991}`);
    expect(exactlyLargest.status).toBe(200);
    expect((await verify(sim, reference)).body.data.amount).toBe(Number.MAX_SAFE_INTEGER);

    const malformed = await post('{"email":');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ status: false, message: expect.any(String) });
  });

  it('answers 404 for an unknown reference, access code or processor route', async () => {
    expect((await verify(sim, 'never-initialized')).body).toEqual({ status: false, message: 'Transaction reference not found' });
    expect((await verify(sim, 'never-initialized')).status).toBe(404);
    expect((await verify(sim, 'not%20a%20reference')).status).toBe(404);
    const unknownCode = 'abcdefghij0123456789';
    expect((await sim.checkout('GET', unknownCode)).status).toBe(404);
    const paid = await pay(sim, unknownCode);
    expect(paid.status).toBe(404);
    expect(paid.body).toEqual({ status: false, message: 'Access code not found' });
    expect((await pay(sim, 'NOT-A-CODE')).status).toBe(404);
    const route = await sim.processor<ProcessorErrorBody>('GET', '/transaction/list');
    expect(route.status).toBe(404);
    expect(route.body.status).toBe(false);
  });

  it('declines the declined card for good, with no webhook', async () => {
    const declined = await newCharge(sim);
    const answer = await pay(sim, declined.accessCode, { card_number: DECLINED_CARD });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ status: 'failed', gateway_response: 'Declined', channel: 'card' });
    expect((await verify(sim, declined.reference)).body.data).toMatchObject({
      status: 'failed',
      amount: 500_000,
      requested_amount: 500_000,
      paid_at: null,
      channel: 'card',
      gateway_response: 'Declined',
    });
    const retried = await pay(sim, declined.accessCode);
    expect(retried.status).toBe(409);
    expect(retried.body.status).toBe(false);
    expect((await verify(sim, declined.reference)).body.data.status).toBe('failed');

    // A later success's webhook arrives; the decline's never left, since none is ever queued.
    const paid = await newCharge(sim);
    expect((await pay(sim, paid.accessCode)).status).toBe(200);
    await webhookOf(receiver, paid.reference);
    expect(receiver.deliveriesOf(declined.reference)).toEqual([]);
  });

  it('refuses an unknown card, and a card with a transfer amount, leaving the charge payable', async () => {
    const { reference, accessCode } = await newCharge(sim);
    for (const body of [{ card_number: '4111111111111111' }, { card_number: SUCCESSFUL_CARD, amount: 400_000 }, { amount: 0 }, { currency: 'naira' }]) {
      const refused = await pay(sim, accessCode, body);
      expect(refused.status).toBe(400);
      expect(refused.body.status).toBe(false);
    }
    expect((await verify(sim, reference)).body.data.status).toBe('ongoing');
    expect((await pay(sim, accessCode)).body.data.status).toBe('success');
  });

  it('reports what a bank transfer of another sum paid, on verify and in the webhook', async () => {
    const under = await newCharge(sim);
    const paid = await pay(sim, under.accessCode, { amount: 400_000 });
    expect(paid.status).toBe(200);
    expect(paid.body.data).toMatchObject({ status: 'success', amount: 400_000, currency: 'NGN', channel: 'bank_transfer' });
    expect((await verify(sim, under.reference)).body.data).toMatchObject({
      status: 'success',
      amount: 400_000,
      requested_amount: 500_000,
      currency: 'NGN',
      channel: 'bank_transfer',
    });
    const webhook = await webhookOf(receiver, under.reference);
    expect((JSON.parse(webhook.rawBody.toString('utf8')) as ChargeSuccessEvent).data).toMatchObject({ amount: 400_000, requested_amount: 500_000 });

    const otherCurrency = await newCharge(sim);
    expect((await pay(sim, otherCurrency.accessCode, { currency: 'USD' })).status).toBe(200);
    expect((await verify(sim, otherCurrency.reference)).body.data).toMatchObject({ amount: 500_000, currency: 'USD', requested_amount: 500_000 });
  });

  it('lets exactly one of several concurrent payments succeed, with one webhook', async () => {
    const { reference, accessCode } = await newCharge(sim);
    const answers = await Promise.all(Array.from({ length: 4 }, () => pay(sim, accessCode)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409, 409]);
    for (const refused of answers.filter((answer) => answer.status === 409)) {
      expect(refused.body).toEqual({ status: false, message: 'Transaction has already been paid' });
    }
    const again = await pay(sim, accessCode, { amount: 1 });
    expect(again.status).toBe(409);
    expect((await verify(sim, reference)).body.data).toMatchObject({ status: 'success', amount: 500_000 });

    await webhookOf(receiver, reference);
    const later = await newCharge(sim);
    await pay(sim, later.accessCode);
    await webhookOf(receiver, later.reference);
    expect(receiver.deliveriesOf(reference)).toHaveLength(1);
  });

  it('retries the webhook after the receiver fails, with the same signed bytes', async () => {
    const { reference, accessCode } = await newCharge(sim);
    receiver.failFirst(reference, 2);
    expect((await pay(sim, accessCode)).status).toBe(200);

    await webhookOf(receiver, reference, 'the webhook delivered after two failures');
    const deliveries = receiver.deliveriesOf(reference);
    expect(deliveries.map((webhook) => webhook.answeredStatus)).toEqual([500, 500, 200]);
    const [first] = deliveries;
    for (const webhook of deliveries) {
      expect(webhook.rawBody.equals(first?.rawBody ?? Buffer.alloc(0))).toBe(true);
      expect(webhook.headers['x-paystack-signature']).toBe(signatureOf(webhook.rawBody));
    }
  });

  it('pays new charges automatically when auto-pay is switched on, and reset switches it back off', async () => {
    expect((await sim.admin('GET', '/processor')).body).toEqual({ autoPay: false });
    const switched = await sim.admin('PUT', '/processor', { autoPay: true });
    expect(switched.status).toBe(200);
    expect(switched.body).toEqual({ autoPay: true });

    const { reference } = await newCharge(sim);
    const paid = await eventually(async () => {
      const answer = await verify(sim, reference);
      return answer.body.data.status === 'success' ? answer.body.data : undefined;
    }, 'the automatic payment');
    expect(paid).toMatchObject({ amount: 500_000, channel: 'card', gateway_response: 'Approved' });
    await webhookOf(receiver, reference);

    expect((await sim.admin('POST', '/reset')).status).toBe(200);
    expect((await sim.admin('GET', '/processor')).body).toEqual({ autoPay: false });
    expect((await sim.admin<ErrorBody>('PUT', '/processor', { autoPay: 'yes' })).body.code).toBe('REQUEST.INVALID');
    expect((await sim.request<ErrorBody>('PUT', '/admin/processor', { autoPay: true })).status).toBe(401);
    expect((await sim.admin('GET', '/processor')).body).toEqual({ autoPay: false });

    // Off again: a new charge stays ongoing until someone pays it.
    const manual = await newCharge(sim);
    const stillOngoing = await sim.checkout<PaystackAnswer<CheckoutData>>('GET', manual.accessCode);
    expect(stillOngoing.body.data.status).toBe('ongoing');
  });

  it('leaves the vending fault injection out of the processor', async () => {
    const LATENCY_MS = 2_000;
    await sim.setBehaviour({ transientErrorRate: 1, latencyMinMs: LATENCY_MS, latencyMaxMs: LATENCY_MS });
    const vend = await sim.request<ErrorBody>('POST', '/vend', { requestId: newRequestId(), providerCode: 'ikeja-electric-prepaid', meterNumber: ordinaryMeter(6_310_000_001), amount: 500_000 });
    expect(vend.status).toBe(503);

    // Three calls, each of which would take LATENCY_MS alone if the vending latency applied.
    const started = Date.now();
    const { reference, accessCode } = await newCharge(sim);
    expect((await pay(sim, accessCode)).status).toBe(200);
    expect((await verify(sim, reference)).body.data.status).toBe('success');
    expect(Date.now() - started).toBeLessThan(LATENCY_MS);
  });

  it('keeps charges, ongoing and paid, across a restart', async () => {
    const ongoing = await newCharge(sim);
    const paid = await newCharge(sim);
    await pay(sim, paid.accessCode);
    const before = (await verify(sim, paid.reference)).body.data;

    await sim.restart();

    expect((await verify(sim, paid.reference)).body.data).toEqual(before);
    const replayed = await initialize(sim, { reference: ongoing.reference });
    expect(replayed.body.data.access_code).toBe(ongoing.accessCode);
    expect((await pay(sim, ongoing.accessCode)).body.data.status).toBe('success');
    expect((await verify(sim, ongoing.reference)).body.data.status).toBe('success');
    expect((await pay(sim, paid.accessCode)).status).toBe(409);
  });
});

describe('provider-sim payment processor with PROCESSOR_AUTO_PAY=true', () => {
  let receiver: WebhookReceiver;
  let sim: ProviderSim;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    sim = await ProviderSim.start('provider_sim_processor_auto', {
      PROCESSOR_SECRET_KEY,
      PROCESSOR_WEBHOOK_URL: receiver.url,
      PROCESSOR_AUTO_PAY: 'true',
      PROCESSOR_CHECKOUT_BASE_URL: 'https://checkout.sim.example/',
    });
  });

  afterAll(async () => {
    await sim.stop();
    await receiver.stop();
  });

  it('pays every new charge with the sandbox card once initialize has answered, and sends its webhook', async () => {
    const reference = newReference();
    const initialized = await initialize(sim, { reference, amount: '125000' });
    expect(initialized.status).toBe(200);
    expect(initialized.body.data.authorization_url).toBe(`https://checkout.sim.example/processor/checkout/${initialized.body.data.access_code}`);

    const webhook = await webhookOf(receiver, reference);
    expect(webhook.headers['x-paystack-signature']).toBe(signatureOf(webhook.rawBody));
    expect((await verify(sim, reference)).body.data).toMatchObject({ status: 'success', amount: 125_000, channel: 'card' });

    // A replay of the reference pays nothing more: there is one charge and it is paid once.
    expect((await initialize(sim, { reference, amount: 125_000 })).body.data.access_code).toBe(initialized.body.data.access_code);
    expect(await sim.countCharges(reference)).toBe(1);
    expect((await sim.admin('GET', '/processor')).body).toEqual({ autoPay: true });
    await sim.admin('PUT', '/processor', { autoPay: false });
    expect((await sim.admin('POST', '/reset')).status).toBe(200);
    expect((await sim.admin('GET', '/processor')).body).toEqual({ autoPay: true });
  });
});

describe('provider-sim payment processor checkout expiry', () => {
  let sim: ProviderSim;

  beforeAll(async () => {
    sim = await ProviderSim.start('provider_sim_processor_expiry', { PROCESSOR_SECRET_KEY, PROCESSOR_CHARGE_TTL_MS: '1000' });
  });

  afterAll(async () => {
    await sim.stop();
  });

  it('reports an unpaid charge as abandoned once its checkout has expired, and refuses to pay it', async () => {
    const paidInTime = await newCharge(sim);
    expect((await pay(sim, paidInTime.accessCode)).status).toBe(200);
    const { reference, accessCode } = await newCharge(sim);

    const abandoned = await eventually(async () => {
      const answer = await verify(sim, reference);
      return answer.body.data.status === 'abandoned' ? answer.body.data : undefined;
    }, 'the checkout to expire');
    expect(abandoned).toMatchObject({ amount: 500_000, paid_at: null, channel: null, gateway_response: 'The transaction was not completed' });
    expect((await sim.checkout<PaystackAnswer<CheckoutData>>('GET', accessCode)).body.data.status).toBe('abandoned');
    const refused = await pay(sim, accessCode);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ status: false, message: 'Transaction has been abandoned' });
    // Expiry ends only an unpaid checkout.
    expect((await verify(sim, paidInTime.reference)).body.data.status).toBe('success');
  });
});

describe('provider-sim payment processor configuration', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await TestDatabase.create('provider_sim_processor_config');
  });

  afterAll(async () => {
    await database.drop();
  });

  it('has no processor routes at all when PROCESSOR_SECRET_KEY is unset', async () => {
    const service = await startProviderSim(testServiceEnv({ DATABASE_URL: database.url, ADMIN_TOKEN }));
    try {
      const initialized = await call<ProcessorErrorBody>(service.url, 'POST', '/processor/transaction/initialize', { email: 'ada@example.com', amount: 1, reference: 'r-1' }, {
        headers: { authorization: `Bearer ${PROCESSOR_SECRET_KEY}` },
      });
      expect(initialized.status).toBe(404);
      expect(initialized.body.status).toBe(false);
      expect((await call(service.url, 'GET', '/processor/checkout/abcdefghij0123456789')).status).toBe(404);
      expect((await call(service.url, 'GET', '/admin/processor', undefined, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(404);
      // The rest of the admin API is unaffected, reset included.
      expect((await call(service.url, 'POST', '/admin/reset', undefined, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
    } finally {
      await service.stop();
    }
  });

  it.each([
    [{ PROCESSOR_SECRET_KEY, PROCESSOR_AUTO_PAY: 'yes' }, /PROCESSOR_AUTO_PAY must be 'true' or 'false'/],
    [{ PROCESSOR_SECRET_KEY, PROCESSOR_AUTO_PAY: 'TRUE' }, /PROCESSOR_AUTO_PAY/],
    [{ PROCESSOR_SECRET_KEY: 'sk_test_short' }, /PROCESSOR_SECRET_KEY must be at least 16 characters/],
    [{ PROCESSOR_SECRET_KEY, PROCESSOR_WEBHOOK_URL: 'gateway/webhooks' }, /PROCESSOR_WEBHOOK_URL/],
    [{ PROCESSOR_SECRET_KEY, PROCESSOR_WEBHOOK_ATTEMPTS: '0' }, /PROCESSOR_WEBHOOK_ATTEMPTS/],
    [{ PROCESSOR_SECRET_KEY, PROCESSOR_WEBHOOK_ATTEMPTS: '21' }, /PROCESSOR_WEBHOOK_ATTEMPTS/],
    [{ PROCESSOR_SECRET_KEY, PROCESSOR_WEBHOOKS_IN_FLIGHT: '0' }, /PROCESSOR_WEBHOOKS_IN_FLIGHT/],
    [{ PROCESSOR_SECRET_KEY, PROCESSOR_CHARGE_TTL_MS: '10' }, /PROCESSOR_CHARGE_TTL_MS/],
  ])('refuses to start with %o', async (env, message) => {
    const start = startProviderSim(testServiceEnv({ DATABASE_URL: database.url, ...env }));
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toThrow(message);
  });
});
