import { randomBytes } from 'node:crypto';
import {
  kafkaIdentityEnv,
  readInfraAddresses,
  reserveFreePort,
  SERVICE_KAFKA_IDENTITIES,
  ServiceProcess,
  TestDatabase,
  TestSigningKeys,
  testSigningKeys,
  uniqueGroupSuffix,
} from '@bvs/platform/testing';

export type BackendService = 'auth' | 'wallet' | 'billing' | 'provider-sim';

/** The services the gateway calls over gRPC. */
const BACKENDS = ['auth', 'wallet', 'billing'] as const;

export interface SystemOptions {
  readonly services: readonly BackendService[];
  /** Extra variables for the gateway, e.g. a low rate limit. */
  readonly gatewayEnv?: Readonly<Record<string, string>>;
  /** Extra variables per backend service. */
  readonly serviceEnv?: Partial<Record<BackendService, Readonly<Record<string, string>>>>;
  /** Instances of auth, wallet and billing each (default 1); the gateway balances over all of them. */
  readonly replicas?: number;
}

/**
 * Limits far above what any test sends, so only the tests about limits meet them (with a gateway
 * of their own, lower limits and a fresh REDIS_KEY_PREFIX).
 */
const GENEROUS_LIMITS = { AUTH_RATE_LIMIT: '1000', USER_RATE_LIMIT: '100000', FAILED_LOGIN_LIMIT: '1000' } as const;

/**
 * The services under test as real processes, each on its own fresh database, plus a gateway in
 * front: what users run, on the real PostgreSQL, Kafka and schema registry.
 */
export class RunningSystem {
  private constructor(
    readonly gateway: ServiceProcess,
    /** Every instance of each service, the first one first. */
    private readonly instancesOf: ReadonlyMap<BackendService, ServiceProcess[]>,
    readonly keys: TestSigningKeys,
    private readonly databases: ReadonlyMap<BackendService, TestDatabase>,
    /** The simulator's merchant key, which billing sends: a secret the tests look for where it must not be. */
    readonly providerApiKey: string,
    /** Starts this system's keys in the shared Redis (limits, ended sessions), apart from every other run's. */
    readonly redisKeyPrefix: string,
    /** The payment processor's secret key (the simulator's and the wallet's): it signs webhooks, so tests can forge nothing else. */
    readonly processorSecretKey: string,
    /** The simulator's admin token, for switching its instant sandbox payment off. */
    readonly simulatorAdminToken: string,
  ) {}

  static async start(options: SystemOptions): Promise<RunningSystem> {
    const infra = readInfraAddresses();
    const keys = testSigningKeys();
    const groupSuffix = uniqueGroupSuffix();
    const redisKeyPrefix = `e2e-${groupSuffix}:`;
    const providerApiKey = randomBytes(24).toString('hex');
    const processorSecretKey = `sk_test_${randomBytes(24).toString('hex')}`;
    const simulatorAdminToken = randomBytes(24).toString('hex');
    // The processor simulator calls the gateway's webhook, so the gateway's port is known before anything starts.
    const gatewayPort = await reserveFreePort();
    const common = {
      LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'info',
      KAFKA_BROKERS: infra.KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL: infra.SCHEMA_REGISTRY_URL,
      KAFKA_GROUP_SUFFIX: groupSuffix,
      // Its consumer groups start at the topics' present end: earlier systems' events on the shared broker are not its own.
      KAFKA_NEW_GROUP_STARTS_AT: 'latest',
      REDIS_KEY_PREFIX: redisKeyPrefix,
    };
    const databases = new Map<BackendService, TestDatabase>();
    const services = new Map<BackendService, ServiceProcess[]>();
    const startOne = async (name: BackendService, extra: Readonly<Record<string, string>> = {}) => {
      const database = await TestDatabase.create(name);
      databases.set(name, database);
      // Auth signs; every other service only verifies, with the public half.
      const own: Record<string, string> =
        name === 'auth' ? { JWT_PRIVATE_KEY: keys.privateKeyPem, JWT_KEY_ID: keys.keyId, BCRYPT_COST: '10' } : { JWT_PUBLIC_KEY: keys.publicKeyPem, JWT_KEY_ID: keys.keyId };
      // Money comes in as users' money does: a charge at the processor simulator, whose sandbox card pays at once,
      // then its signed webhook through the gateway. The simulator answers the vending API only with its merchant key.
      const sandbox: Record<string, string> = {};
      if (name === 'provider-sim') {
        Object.assign(sandbox, {
          API_KEY: providerApiKey,
          ADMIN_TOKEN: simulatorAdminToken,
          PROCESSOR_SECRET_KEY: processorSecretKey,
          PROCESSOR_WEBHOOK_URL: `http://127.0.0.1:${gatewayPort}/api/webhooks/paystack`,
          PROCESSOR_AUTO_PAY: 'true',
        });
      }
      if (name === 'billing') sandbox['PROVIDER_API_KEY'] = providerApiKey;
      // Each service connects to Kafka as itself, so every flow runs through the broker's ACLs.
      const kafkaIdentity = name === 'provider-sim' ? {} : kafkaIdentityEnv(SERVICE_KAFKA_IDENTITIES[name]);
      const env = { ...common, ...own, ...kafkaIdentity, ...sandbox, ...extra, ...options.serviceEnv?.[name], DATABASE_URL: database.url };
      const count = (BACKENDS as readonly string[]).includes(name) ? (options.replicas ?? 1) : 1;
      const instances: ServiceProcess[] = [];
      services.set(name, instances);
      // One at a time, recorded as each starts, so a failure leaves nothing running unseen.
      for (let index = 0; index < count; index += 1) instances.push(await ServiceProcess.start(name, { env, readyPath: '/health/ready' }));
    };
    try {
      // Billing needs the simulator's address, so the simulator comes first.
      if (options.services.includes('provider-sim')) await startOne('provider-sim');
      const providerUrl = services.get('provider-sim')?.[0]?.url;
      // Settled, not raced: when one fails, the catch below must see every sibling that started.
      const started = await Promise.allSettled(
        options.services
          .filter((name) => name !== 'provider-sim')
          .map((name) => startOne(name, addressesOfSimulator(name, providerUrl, processorSecretKey))),
      );
      const failure = started.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
      const gateway = await ServiceProcess.start('gateway', {
        httpPort: gatewayPort,
        env: { ...common, ...backendTargetsOf(services), JWT_PUBLIC_KEY: keys.publicKeyPem, JWT_KEY_ID: keys.keyId, ...GENEROUS_LIMITS, ...options.gatewayEnv },
        // Ready means every backend SERVING; a system started without some backend can only be live.
        readyPath: BACKENDS.every((name) => services.has(name)) ? '/api/health/ready' : '/api/health/live',
      });
      return new RunningSystem(gateway, services, keys, databases, providerApiKey, redisKeyPrefix, processorSecretKey, simulatorAdminToken);
    } catch (error) {
      await Promise.all([...services.values()].flat().map((service) => service.stop()));
      await Promise.all([...databases.values()].map((database) => database.drop()));
      throw error;
    }
  }

  /** Another gateway in front of the same services, e.g. with different limits. */
  async startExtraGateway(env: Readonly<Record<string, string>>, waitFor: 'ready' | 'live' = 'ready'): Promise<ServiceProcess> {
    return ServiceProcess.start('gateway', {
      env: {
        LOG_LEVEL: 'info',
        REDIS_KEY_PREFIX: this.redisKeyPrefix,
        ...GENEROUS_LIMITS,
        ...backendTargetsOf(this.instancesOf),
        JWT_PUBLIC_KEY: this.keys.publicKeyPem,
        JWT_KEY_ID: this.keys.keyId,
        ...env,
      },
      readyPath: waitFor === 'ready' && BACKENDS.every((name) => this.instancesOf.has(name)) ? '/api/health/ready' : '/api/health/live',
    });
  }

  /** The service's own database, e.g. for the wallet's ledger audit. */
  databaseUrl(name: BackendService): string {
    const database = this.databases.get(name);
    if (!database) throw new Error(`${name} is not part of this system`);
    return database.url;
  }

  /** The (first) instance of a service. */
  service(name: BackendService): ServiceProcess {
    const found = this.instancesOf.get(name)?.[0];
    if (!found) throw new Error(`${name} is not part of this system`);
    return found;
  }

  /** Starts the (first) instance of a stopped or killed service again, on the same ports, and uses it from now on. */
  async restartService(name: BackendService): Promise<ServiceProcess> {
    const instances = this.instancesOf.get(name);
    const stopped = instances?.[0];
    if (!instances || !stopped) throw new Error(`${name} is not part of this system`);
    const again = await stopped.startAgain('/health/ready');
    instances[0] = again;
    return again;
  }

  instances(name: BackendService): readonly ServiceProcess[] {
    return this.instancesOf.get(name) ?? [];
  }

  async stop(): Promise<void> {
    await this.gateway.stop();
    await Promise.all([...this.instancesOf.values()].flat().map((service) => service.stop()));
    await Promise.all([...this.databases.values()].map((database) => database.drop()));
  }
}

/**
 * Where billing finds the vending API and the wallet the payment processor: both are the simulator,
 * when it runs. Without it the wallet has no processor and cannot be funded.
 */
function addressesOfSimulator(name: BackendService, simulatorUrl: string | undefined, processorSecretKey: string): Record<string, string> {
  if (!simulatorUrl) return {};
  if (name === 'billing') return { PROVIDER_BASE_URL: simulatorUrl };
  if (name === 'wallet') return { PAYMENT_PROCESSOR_BASE_URL: `${simulatorUrl}/processor`, PAYMENT_PROCESSOR_SECRET_KEY: processorSecretKey };
  return {};
}

/**
 * The gateway's gRPC targets: every instance of each backend that runs, as one `ipv4:` list for
 * round-robin; a backend that does not run points nowhere (port 1).
 */
function backendTargetsOf(services: ReadonlyMap<BackendService, readonly ServiceProcess[]>): Record<string, string> {
  const target = (name: BackendService) => {
    const addresses = (services.get(name) ?? []).map((instance) => instance.grpcTarget.replace(/^ipv4:/, ''));
    return addresses.length > 0 ? `ipv4:${addresses.join(',')}` : 'ipv4:127.0.0.1:1';
  };
  return { AUTH_GRPC_TARGET: target('auth'), WALLET_GRPC_TARGET: target('wallet'), BILLING_GRPC_TARGET: target('billing') };
}
