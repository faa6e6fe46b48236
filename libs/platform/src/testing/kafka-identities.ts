import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KafkaConfig, logLevel } from 'kafkajs';
import { stopIdleRequestQueuePolling } from '../kafka/request-queue-polling';
import { readInfraAddresses } from './infrastructure';

/**
 * The identity tests and local tools connect as (deploy/local/kafka/test-access.conf). It exists on
 * the local broker only, may read and write the event topics, and is never a service's identity:
 * services under test get their own (see {@link kafkaIdentityEnv}), so the broker's ACLs are what
 * the end-to-end flows run through.
 */
export const TEST_KAFKA_IDENTITY = 'bvs-test';

/** The Kafka user each service runs as (deploy/kafka/access.conf). */
export const SERVICE_KAFKA_IDENTITIES = { auth: 'bvs-auth', wallet: 'bvs-wallet', billing: 'bvs-billing' } as const;

export interface KafkaCredentials {
  readonly username: string;
  readonly password: string;
}

/** The SCRAM credentials infra.sh made for `identity`, read from KAFKA_CREDENTIALS_DIR. */
export function kafkaCredentials(identity: string): KafkaCredentials {
  const password = readFileSync(path.join(readInfraAddresses().KAFKA_CREDENTIALS_DIR, identity), 'utf8').trim();
  return { username: identity, password };
}

/** The environment a service process needs to connect as `identity`. */
export function kafkaIdentityEnv(identity: string): Record<'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD', string> {
  const { username, password } = kafkaCredentials(identity);
  return { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password };
}

/**
 * A kafkajs configuration for the local broker, as the test identity unless another is named; the
 * test's clients poll no more than a service's do (`stopIdleRequestQueuePolling`).
 */
export function testKafkaConfig(clientId: string, identity: string = TEST_KAFKA_IDENTITY): KafkaConfig {
  stopIdleRequestQueuePolling();
  return {
    clientId,
    brokers: readInfraAddresses().KAFKA_BROKERS.split(','),
    sasl: { mechanism: 'scram-sha-512', ...kafkaCredentials(identity) },
    logLevel: logLevel.NOTHING,
  };
}
