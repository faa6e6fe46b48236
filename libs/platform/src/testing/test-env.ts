import { randomBytes } from 'node:crypto';
import { readInfraAddresses } from './infrastructure';
import { kafkaIdentityEnv, TEST_KAFKA_IDENTITY } from './kafka-identities';
import { testSigningKeys } from './test-keys';

/**
 * Environment for a service started inside a test: the real infrastructure's addresses, port 0
 * for HTTP, gRPC and metrics (any free port; RunningService says which), a throwaway
 * token-verification key, the test's Kafka identity (a test that runs a service's own process
 * passes the service's, kafkaIdentityEnv), and a group suffix unique to the run so no two runs
 * share a consumer group.
 */
export function testServiceEnv(overrides: Readonly<Record<string, string>> = {}, groupSuffix = uniqueGroupSuffix()): Record<string, string> {
  const infra = readInfraAddresses();
  const keys = testSigningKeys();
  return {
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    METRICS_PORT: '0',
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    JWT_KEY_ID: keys.keyId,
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
    KAFKA_BROKERS: infra.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: infra.SCHEMA_REGISTRY_URL,
    KAFKA_GROUP_SUFFIX: groupSuffix,
    ...kafkaIdentityEnv(TEST_KAFKA_IDENTITY),
    ...overrides,
  };
}

/** Ends a service's group ids in a test (`wallet-events-t1a2b3c`), as KAFKA_GROUP_SUFFIX. */
export function uniqueGroupSuffix(): string {
  return `t${randomBytes(3).toString('hex')}`;
}

/** Starts the group ids a test makes for itself (`test-1a2b3c-tail`). */
export function uniqueGroupPrefix(): string {
  return `test-${randomBytes(3).toString('hex')}-`;
}
