import { logLevel as KafkaLogLevel } from 'kafkajs';
import { brokerList, ServiceEnv } from '../config';

/** Bounded reconnects: a broker that stays away must surface as unreadiness, not an endless hang. */
const CLIENT_RETRY = { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 } as const;

export function kafkaClientConfig(env: ServiceEnv, clientId: string) {
  return {
    clientId: `${env.KAFKA_GROUP_PREFIX}${clientId}`,
    brokers: brokerList(env),
    retry: CLIENT_RETRY,
    connectionTimeout: 3_000,
    logLevel: KafkaLogLevel.WARN,
  };
}
