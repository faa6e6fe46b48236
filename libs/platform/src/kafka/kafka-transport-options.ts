import { KafkaConfig, logLevel as KafkaLogLevel } from 'kafkajs';
import { brokerList, kafkaGroupId, KafkaIdentityEnv, ServiceEnv } from '../config';

/** Bounded reconnects: a broker that stays away must surface as unreadiness, not an endless hang. */
const CLIENT_RETRY = { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 } as const;

/** A service's Kafka client: its brokers, and its own SCRAM identity (never anonymous). */
export function kafkaClientConfig(env: ServiceEnv, identity: KafkaIdentityEnv, clientId: string): KafkaConfig {
  return {
    clientId: kafkaGroupId(env, clientId),
    brokers: brokerList(env),
    sasl: { mechanism: 'scram-sha-512', username: identity.KAFKA_SASL_USERNAME, password: identity.KAFKA_SASL_PASSWORD },
    retry: CLIENT_RETRY,
    connectionTimeout: 3_000,
    logLevel: KafkaLogLevel.WARN,
  };
}
