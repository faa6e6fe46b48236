import { KafkaConfig, logLevel as KafkaLogLevel } from 'kafkajs';
import { brokerList, kafkaGroupId, KafkaIdentityEnv, ServiceEnv } from '../config';
import { stopIdleRequestQueuePolling } from './request-queue-polling';

/** Bounded reconnects: a broker that stays away must surface as unreadiness, not an endless hang. */
const CLIENT_RETRY = { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 } as const;

/**
 * A service's Kafka client: its brokers, and its own SCRAM identity (never anonymous). Every
 * process that talks to Kafka builds its config here first, so this is where kafkajs's idle
 * polling is stopped (`stopIdleRequestQueuePolling`).
 */
export function kafkaClientConfig(env: ServiceEnv, identity: KafkaIdentityEnv, clientId: string): KafkaConfig {
  stopIdleRequestQueuePolling();
  return {
    clientId: kafkaGroupId(env, clientId),
    brokers: brokerList(env),
    sasl: { mechanism: 'scram-sha-512', username: identity.KAFKA_SASL_USERNAME, password: identity.KAFKA_SASL_PASSWORD },
    retry: CLIENT_RETRY,
    connectionTimeout: 3_000,
    logLevel: KafkaLogLevel.WARN,
  };
}
