import { readInfraAddresses, ServiceProcess, TestDatabase, TestSigningKeys, testSigningKeys, uniqueGroupPrefix } from '@bvs/platform/testing';

export type BackendService = 'auth' | 'wallet' | 'billing' | 'provider-sim';

export interface SystemOptions {
  readonly services: readonly BackendService[];
  /** Extra variables for the gateway, e.g. a low rate limit. */
  readonly gatewayEnv?: Readonly<Record<string, string>>;
  /** Extra variables per backend service. */
  readonly serviceEnv?: Partial<Record<BackendService, Readonly<Record<string, string>>>>;
}

/**
 * The services under test as real processes, each on its own fresh database, plus a gateway in
 * front: what users run, on the real PostgreSQL, Kafka and schema registry.
 */
export class RunningSystem {
  private constructor(
    readonly gateway: ServiceProcess,
    readonly services: ReadonlyMap<BackendService, ServiceProcess>,
    readonly keys: TestSigningKeys,
    private readonly databases: ReadonlyMap<BackendService, TestDatabase>,
    private readonly groupPrefix: string,
  ) {}

  static async start(options: SystemOptions): Promise<RunningSystem> {
    const infra = readInfraAddresses();
    const keys = testSigningKeys();
    const groupPrefix = uniqueGroupPrefix();
    const common = {
      LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'info',
      KAFKA_BROKERS: infra.KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL: infra.SCHEMA_REGISTRY_URL,
      KAFKA_GROUP_PREFIX: groupPrefix,
    };
    const databases = new Map<BackendService, TestDatabase>();
    const services = new Map<BackendService, ServiceProcess>();
    const startOne = async (name: BackendService, extra: Readonly<Record<string, string>> = {}) => {
      const database = await TestDatabase.create(name);
      databases.set(name, database);
      const own: Record<string, string> = name === 'auth' ? { JWT_PRIVATE_KEY: keys.privateKeyPem, JWT_KEY_ID: keys.keyId, BCRYPT_COST: '10' } : {};
      const env = { ...common, ...own, ...extra, ...options.serviceEnv?.[name], DATABASE_URL: database.url };
      services.set(name, await ServiceProcess.start(name, { env, readyPath: '/health/ready' }));
    };
    try {
      // Billing needs the simulator's address, so the simulator comes first.
      if (options.services.includes('provider-sim')) await startOne('provider-sim');
      const providerUrl = services.get('provider-sim')?.url;
      // Settled, not raced: when one fails, the catch below must see every sibling that started.
      const started = await Promise.allSettled(
        options.services
          .filter((name) => name !== 'provider-sim')
          .map((name) => startOne(name, name === 'billing' && providerUrl ? { PROVIDER_BASE_URL: providerUrl } : {})),
      );
      const failure = started.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
      const gateway = await ServiceProcess.start('gateway', {
        env: { ...common, JWT_PUBLIC_KEY: keys.publicKeyPem, JWT_KEY_ID: keys.keyId, AUTH_RATE_LIMIT: '1000', ...options.gatewayEnv },
        readyPath: '/api/health/ready',
      });
      return new RunningSystem(gateway, services, keys, databases, groupPrefix);
    } catch (error) {
      await Promise.all([...services.values()].map((service) => service.stop()));
      await Promise.all([...databases.values()].map((database) => database.drop()));
      throw error;
    }
  }

  /** Another gateway in front of the same services, e.g. with different limits. */
  async startExtraGateway(env: Readonly<Record<string, string>>): Promise<ServiceProcess> {
    const infra = readInfraAddresses();
    return ServiceProcess.start('gateway', {
      env: {
        LOG_LEVEL: 'info',
        KAFKA_BROKERS: infra.KAFKA_BROKERS,
        SCHEMA_REGISTRY_URL: infra.SCHEMA_REGISTRY_URL,
        // Its own group: a gateway reads only the replies addressed to its partitions.
        KAFKA_GROUP_PREFIX: `${this.groupPrefix}x`,
        JWT_PUBLIC_KEY: this.keys.publicKeyPem,
        JWT_KEY_ID: this.keys.keyId,
        ...env,
      },
      readyPath: '/api/health/ready',
    });
  }

  /** The service's own database, e.g. for the wallet's ledger audit. */
  databaseUrl(name: BackendService): string {
    const database = this.databases.get(name);
    if (!database) throw new Error(`${name} is not part of this system`);
    return database.url;
  }

  service(name: BackendService): ServiceProcess {
    const found = this.services.get(name);
    if (!found) throw new Error(`${name} is not part of this system`);
    return found;
  }

  async stop(): Promise<void> {
    await this.gateway.stop();
    await Promise.all([...this.services.values()].map((service) => service.stop()));
    await Promise.all([...this.databases.values()].map((database) => database.drop()));
  }
}
