import { randomUUID } from 'node:crypto';
import { AUTH_ERROR_CODES, EVENT_TOPICS } from '@bvs/contracts';
import { MetricsRegistry, RunningService, ServiceError } from '@bvs/platform';
import { TestDatabase, testServiceEnv, testSigningKeys } from '@bvs/platform/testing';
import { DataSource } from 'typeorm';
import { startAuthService } from '../src/app';
import { AuthService } from '../src/sessions/auth.service';

const PASSWORD = 'orange-Kettle-42!';
const OTHER_PASSWORD = 'violet-Teapot-97?';
const origin = () => ({ requestId: `it-${randomUUID()}` });
const newEmail = () => `user-${randomUUID()}@Example.COM`;

/**
 * Registration against the real PostgreSQL, Redis and outbox: an address that already has an
 * account is answered exactly like a free one, and the account, its sessions and its events stay
 * as they were (ADR 0009).
 */
describe('auth registration, fresh and duplicate', () => {
  let database: TestDatabase;
  let service: RunningService;
  let auth: AuthService;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await TestDatabase.create('auth_registration');
    const keys = testSigningKeys();
    service = await startAuthService(
      testServiceEnv({
        DATABASE_URL: database.url,
        JWT_PRIVATE_KEY: keys.privateKeyPem,
        JWT_KEY_ID: keys.keyId,
        BCRYPT_COST: '10',
        REDIS_KEY_PREFIX: `it-auth-${randomUUID()}:`,
      }),
    );
    auth = service.app.get(AuthService);
    dataSource = service.app.get(DataSource);
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  }, 60_000);

  const usersWith = async (email: string) =>
    (await dataSource.query('SELECT id, password_hash FROM users WHERE email = $1', [email])) as { id: string; password_hash: string }[];
  const sessionCount = async (userId: string) =>
    ((await dataSource.query('SELECT COUNT(*)::int AS count FROM sessions WHERE user_id = $1', [userId])) as [{ count: number }])[0].count;
  const registeredEvents = async (email: string) =>
    (await dataSource.query(`SELECT payload FROM outbox WHERE topic = $1 AND payload->'payload'->>'email' = $2`, [EVENT_TOPICS.userRegistered, email])) as unknown[];
  /** How many bcrypt operations of a kind auth has run: the work a request costs, counted rather than timed. */
  const bcryptOperations = async (operation: 'hash' | 'verify') => {
    const metric = await service.app.get(MetricsRegistry).getSingleMetric('bvs_auth_password_hashing_operations_total')?.get();
    return metric?.values.find((value) => value.labels['operation'] === operation)?.value ?? 0;
  };
  const refusalOf = (attempt: Promise<unknown>) =>
    attempt.then(
      () => undefined,
      (error: unknown) => (error instanceof ServiceError ? { code: error.code, status: error.status } : error),
    );

  it('answers a taken address exactly as a free one: the normalised address, no account id', async () => {
    const email = newEmail();
    const fresh = await auth.register({ email: `  ${email} `, password: PASSWORD }, origin());
    const duplicate = await auth.register({ email: email.toUpperCase(), password: OTHER_PASSWORD }, origin());
    expect(fresh).toEqual({ email: email.toLowerCase() });
    expect(duplicate).toEqual(fresh);
  });

  it('leaves the existing account as it was: same password, no new session, no second event', async () => {
    const email = newEmail().toLowerCase();
    await auth.register({ email, password: PASSWORD }, origin());
    const [before] = await usersWith(email);
    if (!before) throw new Error('the account was not created');
    await auth.login({ email, password: PASSWORD, client: {} });
    const sessionsBefore = await sessionCount(before.id);

    await auth.register({ email, password: OTHER_PASSWORD }, origin());

    expect(await usersWith(email)).toEqual([before]);
    expect(await sessionCount(before.id)).toBe(sessionsBefore);
    expect(await registeredEvents(email)).toHaveLength(1);
    expect((await auth.login({ email, password: PASSWORD, client: {} })).accessToken).toEqual(expect.any(String));
    expect(await refusalOf(auth.login({ email, password: OTHER_PASSWORD, client: {} }))).toEqual({ code: AUTH_ERROR_CODES.invalidCredentials, status: 401 });
  });

  it('lets exactly one of concurrent registrations of one address create it, and answers all of them alike', async () => {
    const email = newEmail().toLowerCase();
    const answers = await Promise.all(Array.from({ length: 5 }, (_, index) => auth.register({ email, password: `${PASSWORD}-${index}` }, origin())));
    expect(answers).toEqual(Array.from({ length: 5 }, () => ({ email })));
    expect(await usersWith(email)).toHaveLength(1);
    expect(await registeredEvents(email)).toHaveLength(1);
  });

  it('still applies the password policy to a taken address, as to a free one', async () => {
    const email = newEmail().toLowerCase();
    await auth.register({ email, password: PASSWORD }, origin());
    const refusal = { code: AUTH_ERROR_CODES.passwordPolicy, status: 400 };
    expect(await refusalOf(auth.register({ email, password: 'Qwerty123456' }, origin()))).toEqual(refusal);
    expect(await refusalOf(auth.register({ email: newEmail(), password: 'Qwerty123456' }, origin()))).toEqual(refusal);
  });

  it('spends one bcrypt hash on a taken address, exactly as on a free one', async () => {
    const taken = newEmail();
    await auth.register({ email: taken, password: PASSWORD }, origin());
    const before = await bcryptOperations('hash');
    await auth.register({ email: newEmail(), password: PASSWORD }, origin());
    const afterFresh = await bcryptOperations('hash');
    // Without it a duplicate would answer many times faster than a new account, and tell them apart.
    await auth.register({ email: taken, password: OTHER_PASSWORD }, origin());
    expect({ fresh: afterFresh - before, duplicate: (await bcryptOperations('hash')) - afterFresh }).toEqual({ fresh: 1, duplicate: 1 });
  });

  it('counts registrations by outcome, on the management port only', async () => {
    const scrape = async () => {
      if (!service.metricsUrl) throw new Error('auth serves no metrics');
      const response = await fetch(`${service.metricsUrl}/metrics`);
      expect(response.status).toBe(200);
      return response.text();
    };
    const count = (text: string, outcome: string) =>
      Number(new RegExp(`^bvs_auth_registrations_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    const before = await scrape();
    const email = newEmail();
    await auth.register({ email, password: PASSWORD }, origin());
    await auth.register({ email, password: OTHER_PASSWORD }, origin());
    await auth.register({ email, password: PASSWORD }, origin());
    const after = await scrape();
    expect(count(after, 'created') - count(before, 'created')).toBe(1);
    expect(count(after, 'duplicate') - count(before, 'duplicate')).toBe(2);
    expect((await fetch(`${service.url}/metrics`)).status).toBe(404);
  });
});
