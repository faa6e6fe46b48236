import {
  eventually,
  localInfrastructureIsControllable,
  readInfraAddresses,
  ServiceProcess,
  startLocalInfrastructurePart,
  stopLocalInfrastructurePart,
  TestDatabase,
  kafkaIdentityEnv,
  SERVICE_KAFKA_IDENTITIES,
  testSigningKeys,
  uniqueGroupSuffix,
} from '@bvs/platform/testing';

/** How long the registry stays away: longer than a cold registry's slowest answer, well inside the default deadline. */
const REGISTRY_OUTAGE_MS = 15_000;
const PROBE_INTERVAL_MS = 1_000;

interface StartingReport {
  status: string;
  waitingFor?: Record<string, string>;
}

const keys = testSigningKeys();
/** Wallet verifies callers' tokens and connects to Kafka as itself: it needs both to start, whatever the test. */
const verification = () => ({ JWT_PUBLIC_KEY: keys.publicKeyPem, JWT_KEY_ID: keys.keyId, ...kafkaIdentityEnv(SERVICE_KAFKA_IDENTITIES.wallet) });

const commonEnv = () => {
  const infra = readInfraAddresses();
  return { LOG_LEVEL: 'warn', KAFKA_BROKERS: infra.KAFKA_BROKERS, SCHEMA_REGISTRY_URL: infra.SCHEMA_REGISTRY_URL, KAFKA_GROUP_SUFFIX: uniqueGroupSuffix() };
};

const status = (url: string): Promise<number> =>
  fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.status,
    () => 0,
  );

describe('a service waits for its dependencies at start-up', () => {
  const databases: TestDatabase[] = [];
  const processes: ServiceProcess[] = [];

  afterAll(async () => {
    await Promise.all(processes.map((service) => service.stop()));
    await Promise.all(databases.map((database) => database.drop()));
  });

  // Stops the project's own registry, so it needs the one deploy/local/infra.sh runs (always the
  // case in CI and on machines without Docker); with containers or given addresses it is skipped.
  const withLocalRegistry = localInfrastructureIsControllable() ? it : it.skip;

  withLocalRegistry(
    'started while the registry is down, it stays live and not ready, then becomes ready once the registry starts 15 s later',
    async () => {
      const database = await TestDatabase.create('wallet');
      databases.push(database);
      stopLocalInfrastructurePart('schema-registry');
      try {
        const wallet = await ServiceProcess.spawn('wallet', { ...commonEnv(), ...verification(), DATABASE_URL: database.url });
        processes.push(wallet);
        await eventually(async () => ((await status(`${wallet.url}/health/live`)) === 200 ? true : undefined), 'the starting wallet to answer its liveness probe');

        // Through the whole outage the process keeps waiting: alive, live, not ready, and saying why.
        const outageEnds = Date.now() + REGISTRY_OUTAGE_MS;
        let observations = 0;
        while (Date.now() < outageEnds) {
          expect(wallet.running).toBe(true);
          expect(await status(`${wallet.url}/health/live`)).toBe(200);
          const ready = await fetch(`${wallet.url}/health/ready`);
          expect(ready.status).toBe(503);
          const report = (await ready.json()) as StartingReport;
          expect(report.status).toBe('starting');
          expect(Object.keys(report.waitingFor ?? {})).toContain('schema-registry');
          observations += 1;
          await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
        }
        expect(observations).toBeGreaterThanOrEqual(REGISTRY_OUTAGE_MS / PROBE_INTERVAL_MS / 2);

        startLocalInfrastructurePart('schema-registry');
        await wallet.waitUntilReady('/health/ready', 60_000);
        const report = (await (await fetch(`${wallet.url}/health/ready`)).json()) as { status: string; components: Record<string, string> };
        expect(report).toMatchObject({ status: 'up', components: { database: 'up', kafka: 'up' } });
      } finally {
        // The other suites need the registry whatever happened here.
        startLocalInfrastructurePart('schema-registry');
      }
    },
    150_000,
  );

  it('exits with the cause once its deadline passes while a dependency stays away', async () => {
    const database = await TestDatabase.create('wallet');
    databases.push(database);
    const { code, output } = await ServiceProcess.runToExit(
      'wallet',
      // Nothing listens on port 1: a registry that never comes.
      { ...commonEnv(), ...verification(), HTTP_PORT: '0', GRPC_PORT: '0', DATABASE_URL: database.url, SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1/apis/ccompat/v7', STARTUP_DEADLINE_MS: '3000' },
      60_000,
    );
    expect(code).toBe(1);
    expect(output).toMatch(/schema-registry was still unavailable after \d+ ms and \d+ attempts/);
  }, 90_000);

  it('waits for its database as well, and exits naming it when it never answers', async () => {
    const { code, output } = await ServiceProcess.runToExit(
      'provider-sim',
      { ...commonEnv(), HTTP_PORT: '0', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/bvs_nowhere', STARTUP_DEADLINE_MS: '2000' },
      60_000,
    );
    expect(code).toBe(1);
    expect(output).toMatch(/postgresql was still unavailable after \d+ ms and \d+ attempts: .*ECONNREFUSED/);
  }, 90_000);
});
