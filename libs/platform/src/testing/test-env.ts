import { randomBytes } from 'node:crypto';
import { readInfraAddresses } from './infrastructure';

/**
 * Environment for a service started inside a test: the real infrastructure's addresses, port 0
 * (any free port), and a group prefix unique to the run so no two runs share a consumer group.
 */
export function testServiceEnv(overrides: Readonly<Record<string, string>> = {}, groupPrefix = uniqueGroupPrefix()): Record<string, string> {
  const infra = readInfraAddresses();
  return {
    HTTP_PORT: '0',
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
