import { randomUUID } from 'node:crypto';
import { EVENT_TOPICS } from '@bvs/contracts';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, KafkaConfig, LogEntry, logLevel, ResourcePatternTypes } from 'kafkajs';
import { readInfraAddresses, SERVICE_KAFKA_IDENTITIES, testKafkaConfig } from '../src/testing';

/*
 * The broker every test runs against authenticates each client and authorizes each request
 * against deploy/kafka/access.conf (ADR 0006). What the review found, a forged payment-failed or
 * payment-requested event, must be refused at the broker: a refusal here is the broker's own
 * answer, seen next to the same identity being let through where its ACLs allow.
 */

/** Fail at once: a refusal retried would only make the test slow. */
const NO_RETRIES = { retries: 0 } as const;

function clientAs(identity: string, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({ ...testKafkaConfig(`kafka-access-it-${randomUUID().slice(0, 8)}`, identity), retry: NO_RETRIES, connectionTimeout: 3_000, ...overrides });
}

interface KafkaJsError {
  readonly name?: string;
  readonly type?: string;
  readonly originalError?: unknown;
  readonly cause?: unknown;
  readonly errors?: readonly unknown[];
}

/** The innermost error's protocol type or class name: kafkajs wraps refusals in retry and aggregate errors. */
async function refusalOf(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
  } catch (error) {
    let inner = error as KafkaJsError;
    for (;;) {
      const next = inner.originalError ?? inner.cause ?? inner.errors?.[0];
      if (!next) break;
      inner = next as KafkaJsError;
    }
    return inner.type ?? inner.name ?? String(inner);
  }
  throw new Error('the broker let it through');
}

async function produceAs(identity: string, topic: string): Promise<void> {
  // kafkajs wants retries for an idempotent producer; an authorization refusal is never retried.
  const producer = clientAs(identity).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: 1 } });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: 'forged', value: 'not an event' }] });
  } finally {
    await producer.disconnect();
  }
}

async function withAdminAs<T>(identity: string, action: (admin: ReturnType<Kafka['admin']>) => Promise<T>, overrides: Partial<KafkaConfig> = {}): Promise<T> {
  const admin = clientAs(identity, overrides).admin({ retry: NO_RETRIES });
  await admin.connect();
  try {
    return await action(admin);
  } finally {
    await admin.disconnect();
  }
}

describe('Kafka lets in only known identities, and each only where its ACLs allow', () => {
  it('answers a client with valid credentials (the control for every refusal below)', async () => {
    const topics = await withAdminAs(SERVICE_KAFKA_IDENTITIES.wallet, (admin) => admin.fetchTopicOffsets(EVENT_TOPICS.walletFunded));
    expect(topics.length).toBeGreaterThan(0);
  });

  it('refuses an anonymous client', async () => {
    const anonymous = new Kafka({ clientId: 'kafka-access-it-anonymous', brokers: readInfraAddresses().KAFKA_BROKERS.split(','), retry: NO_RETRIES, connectionTimeout: 3_000, logLevel: logLevel.NOTHING });
    const admin = anonymous.admin({ retry: NO_RETRIES });
    // The SASL listener answers nothing but the handshake before authentication and drops the connection.
    expect(await refusalOf(async () => {
      await admin.connect();
      await admin.listTopics();
    })).toMatch(/KafkaJSConnection(Closed)?Error|KafkaJSConnectionError|KafkaJSRequestTimeoutError/);
    await admin.disconnect();
  });

  it('refuses a known identity with the wrong password', async () => {
    const impostor = new Kafka({ ...testKafkaConfig('kafka-access-it-impostor', SERVICE_KAFKA_IDENTITIES.billing), sasl: { mechanism: 'scram-sha-512', username: SERVICE_KAFKA_IDENTITIES.billing, password: 'not-the-password' }, retry: NO_RETRIES });
    const admin = impostor.admin({ retry: NO_RETRIES });
    expect(await refusalOf(() => admin.connect())).toBe('KafkaJSSASLAuthenticationError');
    await admin.disconnect();
  });

  it("refuses the wallet's identity writing billing's payment-failed topic (a forged refund)", async () => {
    expect(await refusalOf(() => produceAs(SERVICE_KAFKA_IDENTITIES.wallet, EVENT_TOPICS.paymentFailed))).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it("refuses billing's identity writing the wallet's payment-requested topic (a vend with nothing held)", async () => {
    expect(await refusalOf(() => produceAs(SERVICE_KAFKA_IDENTITIES.billing, EVENT_TOPICS.paymentRequested))).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it("refuses auth's identity writing billing's payment-completed topic", async () => {
    expect(await refusalOf(() => produceAs(SERVICE_KAFKA_IDENTITIES.auth, EVENT_TOPICS.paymentCompleted))).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it("refuses the wallet's identity using billing's consumer group, and lets it use its own", async () => {
    // kafkajs reports a refused coordinator lookup only as "coordinator not found"; the broker's own
    // answer is in the client's debug log, so the test reads it there.
    const refusals: string[] = [];
    const logCreator = () => ({ log }: LogEntry) => {
      const error = (log as { error?: KafkaJsError }).error;
      // Only refusals: a first lookup on a fresh broker also logs COORDINATOR_NOT_AVAILABLE while __consumer_offsets is made.
      if (error?.type?.endsWith('_AUTHORIZATION_FAILED')) refusals.push(error.type);
    };
    const describeAs = (groupId: string) =>
      withAdminAs(
        SERVICE_KAFKA_IDENTITIES.wallet,
        async (admin) => {
          // A fresh admin client knows no brokers until it has read the cluster's metadata.
          await admin.fetchTopicMetadata({ topics: [EVENT_TOPICS.walletFunded] });
          return admin.describeGroups([groupId]);
        },
        { logLevel: logLevel.DEBUG, logCreator },
      );

    const own = await describeAs(`wallet-events-${randomUUID().slice(0, 8)}`);
    expect(own.groups).toHaveLength(1);
    expect(refusals).toEqual([]);
    expect(await refusalOf(() => describeAs(`billing-payment-requests-${randomUUID().slice(0, 8)}`))).toBe('KafkaJSGroupCoordinatorNotFound');
    expect(refusals).toContain('GROUP_AUTHORIZATION_FAILED');
  });

  it('refuses a service creating a topic or granting itself an ACL', async () => {
    const topic = `wallet.undeclared-${randomUUID().slice(0, 8)}.v1`;
    expect(await refusalOf(() => withAdminAs(SERVICE_KAFKA_IDENTITIES.wallet, (admin) => admin.createTopics({ topics: [{ topic }] })))).toBe('TOPIC_AUTHORIZATION_FAILED');
    const grant = {
      resourceType: AclResourceTypes.TOPIC,
      resourceName: EVENT_TOPICS.paymentFailed,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: `User:${SERVICE_KAFKA_IDENTITIES.wallet}`,
      host: '*',
      operation: AclOperationTypes.WRITE,
      permissionType: AclPermissionTypes.ALLOW,
    };
    expect(await refusalOf(() => withAdminAs(SERVICE_KAFKA_IDENTITIES.wallet, (admin) => admin.createAcls({ acl: [grant] })))).toBe('CLUSTER_AUTHORIZATION_FAILED');
  });
});
