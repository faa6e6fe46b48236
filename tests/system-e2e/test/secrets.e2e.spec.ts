import { randomUUID } from 'node:crypto';
import { eventually, kafkaCredentials, SERVICE_KAFKA_IDENTITIES, testKafkaConfig } from '@bvs/platform/testing';
import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { fundAndAwaitCredit } from './support/funding';
import { call } from './support/http';
import { RunningSystem } from './support/system';

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** Every record on every topic of the broker, from the beginning: keys, values and headers as text. */
async function everyRecordOnTheBroker(): Promise<string> {
  const kafka = new Kafka(testKafkaConfig('e2e-secret-scan'));
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((topic) => !topic.startsWith('__'));
  const ends = new Map<string, number>();
  for (const topic of topics) {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${partition}`, Number(high));
  }
  await admin.disconnect();
  const pending = new Set([...ends].filter(([, high]) => high > 0).map(([key]) => key));
  const chunks: string[] = [];
  if (pending.size === 0) return '';
  const consumer = kafka.consumer({ groupId: `e2e-secret-scan-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          chunks.push(message.key?.toString('latin1') ?? '', message.value?.toString('latin1') ?? '');
          for (const value of Object.values(message.headers ?? {})) chunks.push(String(value));
          if (Number(message.offset) + 1 >= (ends.get(`${topic}/${partition}`) ?? 0)) pending.delete(`${topic}/${partition}`);
          if (pending.size === 0) resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return chunks.join('\n');
}

/** Every row of every table of a database, as JSON text. */
async function everyRowOf(databaseUrl: string): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(`SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public'`);
    const rows: string[] = [];
    for (const { name } of tables.rows) {
      const result = await client.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${name} t`);
      rows.push(...result.rows.map((entry) => entry.row));
    }
    return rows.join('\n');
  } finally {
    await client.end();
  }
}

/**
 * Passwords, tokens and the provider's key never reach a durable log: a user's whole session life
 * (register, log in, refresh, pay, reuse, log out) leaves none of them on any Kafka topic, in any
 * table (auth keeps only hashes), or in any service's log.
 */
describe('secrets stay out of every durable log', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await RunningSystem.start({ services: ['provider-sim', 'auth', 'wallet', 'billing'] });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('leaves no password, access token or refresh token on any topic, in any table or in any log', async () => {
    const api = `${system.gateway.url}/api`;
    const email = `secrets-${randomUUID()}@example.com`;
    const password = `Secret-${randomUUID()}`;
    expect((await call(api, '/users/register', { body: { email, password } })).status).toBe(202);
    const first = await call<Tokens>(api, '/users/login', { body: { email, password } });
    expect(first.status).toBe(200);
    const second = await call<Tokens>(api, '/users/refresh', { body: { refreshToken: first.body.refreshToken } });
    expect(second.status).toBe(200);
    await fundAndAwaitCredit(api, second.body.accessToken, 1_000_000, 'secrets-fund-1');
    // A payment makes billing send the provider's merchant key: on the meter check before the 202, then on the vend.
    const paid = await call(api, '/bills/pay', {
      token: second.body.accessToken,
      body: { provider: 'ikeja-electric-prepaid', meterNumber: '1111111111111', amount: 500_000, reference: 'secrets-pay-1' },
    });
    expect(paid.status).toBe(202);
    expect((await call(api, '/users/logout', { method: 'POST', token: second.body.accessToken })).status).toBe(204);
    // A reused refresh token is refused (and logged as a warning): that line must not carry it either.
    expect((await call(api, '/users/refresh', { body: { refreshToken: first.body.refreshToken } })).status).toBe(401);
    // Registering the address again is answered like a first time, and auth logs it under the request's id.
    const lastRequestId = `secrets-last-${randomUUID()}`;
    expect((await call(api, '/users/register', { body: { email, password }, headers: { 'x-request-id': lastRequestId } })).status).toBe(202);
    // Lines are written in batches: wait for each service's last line of this story, so the scan reads everything before it.
    await system.gateway.lineContaining(lastRequestId);
    await system.service('auth').lineContaining(lastRequestId);
    await system.service('wallet').lineContaining('A funding was credited');
    await system.service('billing').lineContaining('Bill completed');
    await system.service('provider-sim').lineContaining('Vend recorded');

    // The services' Kafka passwords travel in their environment; they must not travel any further.
    const kafkaPasswords = Object.fromEntries(Object.values(SERVICE_KAFKA_IDENTITIES).map((identity) => [`Kafka password of ${identity}`, kafkaCredentials(identity).password]));
    const secrets = { password, 'provider API key': system.providerApiKey, 'payment-processor secret key': system.processorSecretKey, ...kafkaPasswords, ...prefixed('first', first.body), ...prefixed('second', second.body) };
    const places: Record<string, string> = {
      'Kafka topics': await everyRecordOnTheBroker(),
      'auth tables': await everyRowOf(system.databaseUrl('auth')),
      'wallet tables': await everyRowOf(system.databaseUrl('wallet')),
      'billing tables': await everyRowOf(system.databaseUrl('billing')),
      'service logs': [system.gateway, ...(['auth', 'wallet', 'billing', 'provider-sim'] as const).map((name) => system.service(name))].map((service) => service.fullOutput).join('\n'),
    };
    // The scan saw real data: the user's own event and rows are there.
    expect(places['Kafka topics']).toContain(email);
    expect(places['auth tables']).toContain(email);
    const found = Object.entries(places).flatMap(([place, text]) => Object.entries(secrets).filter(([, secret]) => text.includes(secret)).map(([name]) => `${name} in ${place}`));
    expect(found).toEqual([]);
  });

  it('logs a registration the database refuses without the e-mail, the password hash or any other row value', async () => {
    const api = `${system.gateway.url}/api`;
    const email = `refused-${randomUUID()}@example.com`;
    // A fault only the database knows about: every new user row breaks a constraint, so the INSERT
    // fails with the statement's parameters and PostgreSQL's "Failing row contains (...)" on the error.
    await onAuthDatabase('ALTER TABLE users ADD CONSTRAINT e2e_refuse_every_user CHECK (false) NOT VALID');
    try {
      const refused = await call<{ code: string }>(api, '/users/register', { body: { email, password: `Secret-${randomUUID()}` } });
      expect(refused.status).toBe(500);
    } finally {
      await onAuthDatabase('ALTER TABLE users DROP CONSTRAINT e2e_refuse_every_user');
    }
    const logs = () => [system.gateway, ...(['auth', 'wallet', 'billing'] as const).map((name) => system.service(name))].map((service) => service.fullOutput).join('\n');
    // The failure itself is logged (that is what might have carried the values), with its constraint.
    await eventually(async () => (logs().includes('e2e_refuse_every_user') ? true : undefined), 'the refused INSERT to be logged', 10_000);
    expect(logs()).not.toContain(email);
    expect(logs()).not.toMatch(/\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}/);
  });

  async function onAuthDatabase(statement: string): Promise<void> {
    const client = new Client({ connectionString: system.databaseUrl('auth') });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }
});

function prefixed(prefix: string, tokens: Tokens): Record<string, string> {
  return { [`${prefix} access token`]: tokens.accessToken, [`${prefix} refresh token`]: tokens.refreshToken };
}
