import { createHmac, randomUUID } from 'node:crypto';
import { EVENT_TOPICS } from '@bvs/contracts';
import { eventually, localInfrastructureIsControllable, readInfraAddresses, SERVICE_KAFKA_IDENTITIES, testKafkaConfig } from '@bvs/platform/testing';
import { Kafka, logLevel } from 'kafkajs';
import { fundAndAwaitCredit, type Funding } from '../support/funding';
import { call, type ApiResponse } from '../support/http';
import { expectBooksBalance } from '../support/ledger-audit';
import { RunningSystem } from '../support/system';
import { decodeClaims, signEs256, unsigned, withHighS } from '../support/tokens';

interface Problem {
  code: string;
  status: number;
}

interface Session {
  accessToken: string;
  refreshToken: string;
}

const PROVIDER = 'ikeja-electric-prepaid';
const SUCCEEDING_METER = '1111111111111';
const PASSWORD = 'orange-Kettle-42';
/** Low per-user and per-account limits on two gateways of the suite's own, so that each is met in a few requests. */
const TIGHT_LIMITS = { AUTH_RATE_LIMIT: '1000', USER_RATE_LIMIT: '3', FAILED_LOGIN_LIMIT: '3' };

/**
 * `npm run test:security`: the trust boundaries tried from outside, as the security review did,
 * against the whole system on the real broker, registry, PostgreSQL and Redis. Each `describe` is
 * a point of the review (issue 11) or an OWASP API Top 10 (2023) category the system already
 * passed; all of them must keep holding. Everything goes through the gateway's public port,
 * except what an attacker inside the network would reach directly: the broker, the registry and
 * the provider simulator.
 */
describe('security: the trust boundaries hold', () => {
  let system: RunningSystem;
  /** Two gateways sharing one set of tight limits (one key prefix in Redis), as two replicas do. */
  let tight: string;
  let tightTwin: string;
  const api = () => `${system.gateway.url}/api`;

  beforeAll(async () => {
    system = await RunningSystem.start({ services: ['provider-sim', 'auth', 'wallet', 'billing'] });
    const shared = { ...TIGHT_LIMITS, REDIS_KEY_PREFIX: `security-${randomUUID()}:` };
    tight = `${(await system.startExtraGateway(shared)).url}/api`;
    tightTwin = `${(await system.startExtraGateway(shared)).url}/api`;
  }, 240_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  async function signedUp(): Promise<Session & { email: string }> {
    const email = `security-${randomUUID()}@example.com`;
    expect((await call(api(), '/users/register', { body: { email, password: PASSWORD } })).status).toBe(202);
    const login = await call<Session>(api(), '/users/login', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    return { ...login.body, email };
  }

  const balanceOf = async (token: string) => (await call<{ available: number }>(api(), '/wallets/balance', { token })).body.available;
  const problem = (response: ApiResponse<Problem>) => ({ status: response.status, code: response.body.code });

  describe('1. Kafka authenticates and authorizes every client', () => {
    const brokers = () => readInfraAddresses().KAFKA_BROKERS.split(',');
    const NO_RETRIES = { retries: 0 };

    it('refuses an anonymous client and a wrong password', async () => {
      const anonymous = new Kafka({ clientId: 'security-anonymous', brokers: brokers(), retry: NO_RETRIES, connectionTimeout: 3_000, logLevel: logLevel.NOTHING }).admin();
      await expect(anonymous.connect().then(() => anonymous.listTopics())).rejects.toThrow();
      await anonymous.disconnect();
      const config = testKafkaConfig('security-wrong-password', SERVICE_KAFKA_IDENTITIES.wallet);
      const impostor = new Kafka({ ...config, sasl: { mechanism: 'scram-sha-512', username: SERVICE_KAFKA_IDENTITIES.wallet, password: 'not-the-password' }, retry: NO_RETRIES, logLevel: logLevel.NOTHING }).admin();
      await expect(impostor.connect()).rejects.toThrow(/SASL|authentication/i);
    });

    it("refuses the wallet's identity writing billing's payment-failed: the forged refund of the review", async () => {
      const producer = new Kafka({ ...testKafkaConfig('security-forger', SERVICE_KAFKA_IDENTITIES.wallet), retry: NO_RETRIES, logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: false });
      await producer.connect();
      try {
        await expect(producer.send({ topic: EVENT_TOPICS.paymentFailed, messages: [{ key: 'forged', value: 'a refund nobody asked for' }] })).rejects.toThrow(/authoriz/i);
      } finally {
        await producer.disconnect();
      }
    });
  });

  (localInfrastructureIsControllable() ? describe : describe.skip)('2. only the deploy step writes schemas', () => {
    it('refuses an anonymous schema registration and compatibility change', async () => {
      const registry = readInfraAddresses().SCHEMA_REGISTRY_URL;
      const write = (method: string, path: string, body: unknown) =>
        fetch(`${registry}${path}`, { method, headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify(body) });
      expect((await write('POST', `/subjects/security-${randomUUID()}-value/versions`, { schema: '{"type":"string"}' })).status).toBe(401);
      expect((await write('PUT', `/config/${EVENT_TOPICS.paymentFailed}-value`, { compatibility: 'NONE' })).status).toBe(401);
    });
  });

  describe('3. money enters only through the payment processor', () => {
    const webhook = (body: string, key: string) =>
      call<{ outcome: string } & Problem>(api(), '/webhooks/paystack', { rawBody: body, headers: { 'x-paystack-signature': createHmac('sha512', key).update(body).digest('hex') } });
    const chargeSuccess = (reference: string, amount: number) => JSON.stringify({ event: 'charge.success', data: { reference, amount, currency: 'NGN', status: 'success' } });

    it('answers a fund request with a charge to pay, not with money: unpaid, nothing is credited', async () => {
      const { accessToken } = await signedUp();
      const setAutoPay = (autoPay: boolean) =>
        call(system.service('provider-sim').url, '/admin/processor', { method: 'PUT', body: { autoPay }, headers: { authorization: `Bearer ${system.simulatorAdminToken}` } });
      await setAutoPay(false);
      try {
        const started = await call<Funding>(api(), '/wallets/fund', { token: accessToken, body: { amount: 100_000_000, reference: `mint-${randomUUID()}` } });
        expect({ status: started.status, state: started.body.status }).toEqual({ status: 202, state: 'PENDING' });
        expect(started.body.checkoutUrl).toMatch(/^http/);
      } finally {
        await setAutoPay(true);
      }
      expect(await balanceOf(accessToken)).toBe(0);
    });

    it('credits nothing for a forged, a tampered, a replayed, a wrong-amount or an unknown-reference webhook', async () => {
      const { accessToken } = await signedUp();
      const funding = await fundAndAwaitCredit(api(), accessToken, 50_000);
      const reference = funding.details['processorReference'] ?? '';
      expect(problem(await webhook(chargeSuccess(reference, 50_000), 'sk_test_an_attackers_own_key'))).toEqual({ status: 401, code: 'WALLET.WEBHOOK_SIGNATURE_INVALID' });
      const signed = chargeSuccess(reference, 50_000);
      const tampered = await call<Problem>(api(), '/webhooks/paystack', {
        rawBody: signed.replace('50000', '5000000'),
        headers: { 'x-paystack-signature': createHmac('sha512', system.processorSecretKey).update(signed).digest('hex') },
      });
      expect(tampered.status).toBe(401);
      expect((await webhook(signed, system.processorSecretKey)).body.outcome).toBe('ALREADY_CREDITED');
      expect((await webhook(chargeSuccess(reference, 5_000_000), system.processorSecretKey)).body.outcome).toBe('ALREADY_CREDITED');
      expect((await webhook(chargeSuccess(`bvs-fund-${randomUUID()}`, 50_000), system.processorSecretKey)).body.outcome).toBe('UNKNOWN_REFERENCE');
      expect(await balanceOf(accessToken)).toBe(50_000);
    });
  });

  describe('4. limits hold across replicas', () => {
    it("answers 429 with Retry-After past a user's fund limit, counted across two gateways", async () => {
      const { accessToken } = await signedUp();
      const statuses: number[] = [];
      let refused: ApiResponse<Problem> | undefined;
      for (const [index, base] of [tight, tightTwin, tight, tightTwin].entries()) {
        const answer = await call<Problem>(base, '/wallets/fund', { token: accessToken, body: { amount: 1_000, reference: `limit-${index}` } });
        statuses.push(answer.status);
        if (answer.status === 429) refused = answer;
      }
      expect(statuses).toEqual([202, 202, 202, 429]);
      expect(refused?.body.code).toBe('RATE_LIMITED');
      expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  describe('5. meter validation shows whom you pay, within a limit', () => {
    it("returns the customer's name and address, and 429 past the per-user limit", async () => {
      const { accessToken } = await signedUp();
      const statuses: number[] = [];
      for (let index = 0; index < 4; index += 1) {
        const answer = await call<{ customerName: string; address: string } & Problem>(index % 2 === 0 ? tight : tightTwin, '/bills/validate-meter', { token: accessToken, body: { provider: PROVIDER, meterNumber: SUCCEEDING_METER } });
        statuses.push(answer.status);
        if (index === 0) expect(answer.body).toMatchObject({ customerName: expect.any(String), address: expect.any(String) });
        if (answer.status === 429) expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    });
  });

  describe('6. passwords', () => {
    it.each([
      ['shorter than 12 characters', 'Short-pw-1'],
      ['longer than 72 bytes', 'é'.repeat(37)],
      ['a common password', 'password1234'],
    ])('refuses one %s', async (_case, password) => {
      const answer = await call<Problem>(api(), '/users/register', { body: { email: `weak-${randomUUID()}@example.com`, password } });
      expect(answer.status).toBe(400);
    });

    it('throttles failed logins per account, from any address, with the right password too', async () => {
      const { email } = await signedUp();
      for (const base of [tight, tightTwin, tight]) expect((await call(base, '/users/login', { body: { email, password: 'wrong-Password-99' } })).status).toBe(401);
      const locked = await call<Problem>(tightTwin, '/users/login', { body: { email, password: PASSWORD } });
      expect(problem(locked)).toEqual({ status: 429, code: 'RATE_LIMITED' });
    });
  });

  describe('7. revocation takes effect at once', () => {
    it("refuses a logged-out session's access token on the next request", async () => {
      const { accessToken } = await signedUp();
      expect((await call(api(), '/users/me', { token: accessToken })).status).toBe(200);
      expect((await call(api(), '/users/logout', { method: 'POST', token: accessToken, body: {} })).status).toBe(204);
      expect((await call(api(), '/users/me', { token: accessToken })).status).toBe(401);
    });

    it('revokes the session when a rotated refresh token is used again', async () => {
      const { accessToken, refreshToken } = await signedUp();
      expect((await call(api(), '/users/refresh', { body: { refreshToken } })).status).toBe(200);
      expect((await call(api(), '/users/refresh', { body: { refreshToken } })).status).toBe(401);
      expect((await call(api(), '/users/me', { token: accessToken })).status).toBe(401);
    });
  });

  describe('8. bad input gets a 4xx, never a 500', () => {
    it.each([
      ['a forged cursor', '/transactions?cursor=eyJmb3JnZWQiOnRydWV9'],
      ['an impossible date', '/transactions?from=2026-02-30T00:00:00Z'],
      ['a malformed id', '/transactions/1%20OR%201=1'],
      ['a malformed bill id', '/bills/..%2F..%2Fetc'],
      ['a page too large', '/transactions?limit=100000'],
    ])('answers %s with 400', async (_case, path) => {
      const { accessToken } = await signedUp();
      expect((await call(api(), path, { token: accessToken })).status).toBe(400);
    });

    it('refuses JSON nested deeper than the limit before validating it', async () => {
      const deep = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
      expect(problem(await call<Problem>(api(), '/users/login', { rawBody: deep }))).toEqual({ status: 400, code: 'REQUEST.TOO_DEEP' });
    });
  });

  describe('10. tokens and identities', () => {
    it('refuses a token whose signature is re-spelled with a high S, and one with alg none', async () => {
      const { accessToken } = await signedUp();
      const claims = decodeClaims(accessToken);
      const header = { typ: 'at+jwt', kid: system.keys.keyId };
      const good = signEs256(header, claims, system.keys.privateKeyPem);
      expect((await call(api(), '/users/me', { token: good })).status).toBe(200);
      expect((await call(api(), '/users/me', { token: withHighS(good) })).status).toBe(401);
      expect((await call(api(), '/users/me', { token: unsigned(header, claims) })).status).toBe(401);
    });

    it('answers a taken e-mail, in another Unicode form and case, exactly like a new one', async () => {
      const { email } = await signedUp();
      const fullwidth = email.replace('security', 'ＳＥＣＵＲＩＴＹ');
      const again = await call<Record<string, unknown>>(api(), '/users/register', { body: { email: fullwidth, password: 'another-Kettle-77' } });
      const fresh = await call<Record<string, unknown>>(api(), '/users/register', { body: { email: `new-${randomUUID()}@example.com`, password: PASSWORD } });
      expect(again.status).toBe(fresh.status);
      expect(Object.keys(again.body).sort()).toEqual(Object.keys(fresh.body).sort());
      expect(again.body['email']).toBe(email);
      expect((await call(api(), '/users/login', { body: { email: fullwidth, password: PASSWORD } })).status).toBe(200);
      expect((await call(api(), '/users/login', { body: { email, password: 'another-Kettle-77' } })).status).toBe(401);
    });
  });

  describe('11. internal surfaces', () => {
    it('serves no metrics on the public port', async () => {
      expect((await fetch(`${system.gateway.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${system.gateway.url}/api/metrics`)).status).toBe(404);
    });

    it("hands a vend's token to no caller without the provider's key", async () => {
      const requery = await fetch(`${system.service('provider-sim').url}/vend/${randomUUID()}`);
      expect(requery.status).toBe(401);
    });
  });

  describe('OWASP API1: object-level authorization', () => {
    it("shows another user's transaction and bill as not found", async () => {
      const owner = await signedUp();
      const stranger = await signedUp();
      await fundAndAwaitCredit(api(), owner.accessToken, 600_000);
      const bill = await call<{ id: string; transactionId: string }>(api(), '/bills/pay', {
        token: owner.accessToken,
        body: { provider: PROVIDER, meterNumber: SUCCEEDING_METER, amount: 500_000, reference: `bola-${randomUUID()}` },
      });
      expect(bill.status).toBe(202);
      expect((await call(api(), `/bills/${bill.body.id}`, { token: stranger.accessToken })).status).toBe(404);
      expect((await call(api(), `/transactions/${bill.body.transactionId}`, { token: stranger.accessToken })).status).toBe(404);
      expect((await call(api(), `/bills/${bill.body.id}`, { token: owner.accessToken })).status).toBe(200);
      await eventually(async () => ((await call<{ status: string }>(api(), `/bills/${bill.body.id}`, { token: owner.accessToken })).body.status === 'COMPLETED' ? true : undefined), 'the bill to complete');
    });
  });

  describe('OWASP API2: authentication', () => {
    it('refuses every money route without a token, and with a token for another audience', async () => {
      const { accessToken } = await signedUp();
      const foreign = signEs256({ typ: 'at+jwt', kid: system.keys.keyId }, { ...decodeClaims(accessToken), aud: 'someone-else' }, system.keys.privateKeyPem);
      for (const [path, body] of [
        ['/wallets/fund', { amount: 1, reference: 'x' }],
        ['/bills/pay', { provider: PROVIDER, meterNumber: SUCCEEDING_METER, amount: 1, reference: 'x' }],
      ] as const) {
        expect((await call(api(), path, { body })).status).toBe(401);
        expect((await call(api(), path, { body, token: foreign })).status).toBe(401);
      }
    });
  });

  describe('OWASP API3: property-level authorization (mass assignment)', () => {
    it('refuses fields a client may not set', async () => {
      const { accessToken } = await signedUp();
      const answer = await call<Problem>(api(), '/wallets/fund', { token: accessToken, body: { amount: 1_000, reference: `mass-${randomUUID()}`, status: 'COMPLETED', userId: randomUUID() } });
      expect(problem(answer)).toEqual({ status: 400, code: 'VALIDATION.FAILED' });
    });
  });

  describe('OWASP API4: resource consumption', () => {
    it('refuses an oversized body and an oversized header', async () => {
      expect((await call(api(), '/users/login', { rawBody: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(2_000_000) }) })).status).toBe(413);
      const headerFlood = await fetch(`${api()}/health/live`, { headers: { 'x-flood': 'x'.repeat(64 * 1024) } }).then((response) => response.status, () => 431);
      expect(headerFlood).toBe(431);
    });

    it('limits register per client address with 429 and Retry-After', async () => {
      const flooded = `${(await system.startExtraGateway({ AUTH_RATE_LIMIT: '3', REDIS_KEY_PREFIX: `security-flood-${randomUUID()}:` })).url}/api`;
      const statuses: number[] = [];
      for (let index = 0; index < 4; index += 1) {
        statuses.push((await call(flooded, '/users/register', { body: { email: `flood-${randomUUID()}@example.com`, password: PASSWORD } })).status);
      }
      expect(statuses).toEqual([202, 202, 202, 429]);
    });
  });

  it('leaves the books balanced after every attempt above', async () => {
    await expectBooksBalance(system);
  });

  describe('OWASP API8: security configuration', () => {
    it('sends protective headers and does not name its framework', async () => {
      const response = await fetch(`${api()}/health/live`);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-powered-by')).toBeNull();
    });

    it('answers an unknown route with a problem, not a stack trace', async () => {
      const answer = await call<Problem & { stack?: string }>(api(), '/no-such-route');
      expect(answer.status).toBe(404);
      expect(answer.body.stack).toBeUndefined();
    });
  });
});
