import { logLevel as KafkaLogLevel } from 'kafkajs';
import { KafkaOptions, Transport } from '@nestjs/microservices';
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

/** Nest appends this to the server's consumer group id. */
export const SERVER_GROUP_SUFFIX = '-server';

export function serverGroupId(env: ServiceEnv, serviceName: string): string {
  return `${env.KAFKA_GROUP_PREFIX}${serviceName}${SERVER_GROUP_SUFFIX}`;
}

/**
 * The request-reply server of a service. Its consumer group is the service name (Nest appends
 * `-server`), so replicas of one service share the work and each request is answered once.
 */
export function kafkaServerOptions(env: ServiceEnv, serviceName: string): KafkaOptions {
  return {
    transport: Transport.KAFKA,
    options: {
      client: kafkaClientConfig(env, serviceName),
      consumer: {
        groupId: `${env.KAFKA_GROUP_PREFIX}${serviceName}`,
        sessionTimeout: 30_000,
        heartbeatInterval: 3_000,
        allowAutoTopicCreation: false,
      },
      producer: { allowAutoTopicCreation: false },
      subscribe: { fromBeginning: false },
      postfixId: SERVER_GROUP_SUFFIX,
    },
  };
}
