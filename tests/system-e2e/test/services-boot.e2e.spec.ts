import { kafkaIdentityEnv, readInfraAddresses, SERVICE_KAFKA_IDENTITIES, ServiceProcess, TestDatabase, testSigningKeys, uniqueGroupSuffix } from '@bvs/platform/testing';

const DATABASE_SERVICES = ['auth', 'wallet', 'billing', 'provider-sim'] as const;

interface Readiness {
  status: string;
  components: Record<string, string>;
}

describe('every service boots as its own process on the real infrastructure', () => {
  const databases: TestDatabase[] = [];
  const running = new Map<string, ServiceProcess>();
  const infra = () => readInfraAddresses();
  const groupSuffix = uniqueGroupSuffix();
  const keys = testSigningKeys();
  const verifies = { JWT_PUBLIC_KEY: keys.publicKeyPem, JWT_KEY_ID: keys.keyId };
  const serviceOnlyEnv: Readonly<Record<string, Record<string, string>>> = {
    auth: { JWT_PRIVATE_KEY: keys.privateKeyPem, JWT_KEY_ID: keys.keyId, ...kafkaIdentityEnv(SERVICE_KAFKA_IDENTITIES.auth) },
    wallet: { ...verifies, ...kafkaIdentityEnv(SERVICE_KAFKA_IDENTITIES.wallet) },
    billing: { ...verifies, ...kafkaIdentityEnv(SERVICE_KAFKA_IDENTITIES.billing) },
  };

  const commonEnv = () => ({
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: infra().KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: infra().SCHEMA_REGISTRY_URL,
    KAFKA_GROUP_SUFFIX: groupSuffix,
  });

  beforeAll(async () => {
    // Settled, not raced: a service that fails must not leave its siblings running unrecorded.
    const started = await Promise.allSettled(
      DATABASE_SERVICES.map(async (name) => {
        const database = await TestDatabase.create(name);
        databases.push(database);
        running.set(name, await ServiceProcess.start(name, { env: { ...commonEnv(), ...serviceOnlyEnv[name], DATABASE_URL: database.url }, readyPath: '/health/ready' }));
      }),
    );
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    const targets = {
      AUTH_GRPC_TARGET: service('auth').grpcTarget,
      WALLET_GRPC_TARGET: service('wallet').grpcTarget,
      BILLING_GRPC_TARGET: service('billing').grpcTarget,
    };
    running.set('gateway', await ServiceProcess.start('gateway', { env: { ...commonEnv(), ...verifies, ...targets }, readyPath: '/api/health/ready' }));
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...running.values()].map((service) => service.stop()));
    await Promise.all(databases.map((database) => database.drop()));
  }, 60_000);

  const service = (name: string): ServiceProcess => {
    const found = running.get(name);
    if (!found) throw new Error(`${name} is not running`);
    return found;
  };

  it.each(DATABASE_SERVICES)('%s is live and ready, with its database checked', async (name) => {
    const live = await fetch(`${service(name).url}/health/live`);
    expect(live.status).toBe(200);

    const ready = await fetch(`${service(name).url}/health/ready`);
    expect(ready.status).toBe(200);
    const report = (await ready.json()) as Readiness;
    expect(report.status).toBe('up');
    expect(report.components['database']).toBe('up');
  });

  it.each(['auth', 'wallet', 'billing'])('%s reports its Kafka connection up', async (name) => {
    const report = (await (await fetch(`${service(name).url}/health/ready`)).json()) as Readiness;
    expect(report.components['kafka']).toBe('up');
  });

  it('gateway asks every service for its readiness with the standard gRPC health check and gets each answer', async () => {
    const response = await fetch(`${service('gateway').url}/api/health/services`);
    const body = (await response.json()) as { status: string; services: { service: string; status: string }[] };
    expect(response.status).toBe(200);
    expect(body.status).toBe('up');
    expect(body.services.map((entry) => [entry.service, entry.status])).toEqual([
      ['auth', 'up'],
      ['wallet', 'up'],
      ['billing', 'up'],
    ]);
  });

  it('gateway echoes the caller request id and makes one when none is sent', async () => {
    const echoed = await fetch(`${service('gateway').url}/api/health/live`, { headers: { 'x-request-id': 'e2e-check-1' } });
    expect(echoed.headers.get('x-request-id')).toBe('e2e-check-1');
    const generated = await fetch(`${service('gateway').url}/api/health/live`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gateway serves Swagger UI and the OpenAPI document', async () => {
    const ui = await fetch(`${service('gateway').url}/api/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
    const document = (await (await fetch(`${service('gateway').url}/api/docs-json`)).json()) as { openapi: string };
    expect(document.openapi).toMatch(/^3\./);
  });

  it('a service with a bad variable refuses to start and names it', async () => {
    const { code, output } = await ServiceProcess.runToExit('wallet', {
      ...commonEnv(),
      HTTP_PORT: '0',
      DATABASE_URL: 'not-a-url',
    });
    expect(code).toBe(1);
    expect(output).toContain('DATABASE_URL');
  });

  it('a service deployed without an address refuses to start and names it, rather than look on this machine', async () => {
    const { code, output } = await ServiceProcess.runToExit('billing', {
      ...commonEnv(),
      ...serviceOnlyEnv['billing'],
      NODE_ENV: 'production',
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      DATABASE_URL: 'postgres://billing@127.0.0.1/bvs_billing',
    });
    expect(code).toBe(1);
    expect(output).toContain('PROVIDER_BASE_URL must be set (with NODE_ENV=production it has no default');
  });

  it('a service that cannot reach Kafka by its start-up deadline exits naming Kafka instead of hanging', async () => {
    // A closed port stands in for a broker outage without stopping the broker under the other tests.
    const database = await TestDatabase.create('outage');
    databases.push(database);
    const { code, output } = await ServiceProcess.runToExit(
      'auth',
      { ...commonEnv(), ...serviceOnlyEnv['auth'], HTTP_PORT: '0', GRPC_PORT: '0', KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: database.url, STARTUP_DEADLINE_MS: '3000' },
      60_000,
    );
    expect(code).toBe(1);
    expect(output).toMatch(/kafka was still unavailable after \d+ ms and \d+ attempts: .*(ECONNREFUSED|Connection error)/i);
  }, 90_000);

  it('stops gracefully on SIGTERM', async () => {
    const exitCode = await service('provider-sim').stop();
    running.delete('provider-sim');
    expect(exitCode).toBe(0);
  });
});
