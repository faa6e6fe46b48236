import { randomBytes } from 'node:crypto';
import { readInfraAddresses } from './infrastructure';
import { testSigningKeys } from './test-keys';

/**
 * Environment for a service started inside a test: the real infrastructure's addresses, port 0
 * for HTTP and gRPC (any free port), a throwaway token-verification key, and a group prefix
 * unique to the run so no two runs share a consumer group.
 */
export function testServiceEnv(overrides: Readonly<Record<string, string>> = {}, groupPrefix = uniqueGroupPrefix()): Record<string, string> {
  const infra = readInfraAddresses();
  const keys = testSigningKeys();
  return {
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    JWT_KEY_ID: keys.keyId,
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
    KAFKA_BROKERS: infra.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: infra.SCHEMA_REGISTRY_URL,
    KAFKA_GROUP_PREFIX: groupPrefix,
    ...overrides,
  };
}

export function uniqueGroupPrefix(): string {
  return `t${randomBytes(3).toString('hex')}-`;
}
