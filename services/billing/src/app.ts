import { BILLING_SERVICE as BILLING_GRPC_SERVICE, EVENT_TOPICS } from '@bvs/contracts';
import {
  AccessTokenEnv,
  accessTokenSettingsOf,
  AccessTokenVerifier,
  databaseDependencies,
  Environment,
  EventSchemaRegistry,
  kafkaClientConfig,
  KafkaIdentityEnv,
  loadConfig,
  RunningService,
  schemaRegistryDependency,
  startService,
} from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { AppModule, BILLING_SERVICE } from './app.module';
import { BillingEnv } from './config/billing-env';
import { BILLING_DATABASE } from './persistence/billing-database';

export async function startBillingService(source: Environment): Promise<RunningService> {
  const env = loadConfig(BillingEnv, source);
  const tokens = loadConfig(AccessTokenEnv, source);
  const verifier = await AccessTokenVerifier.create(accessTokenSettingsOf(tokens, tokens.JWT_PUBLIC_KEY));
  const kafkaConfig = kafkaClientConfig(env, loadConfig(KafkaIdentityEnv, source), BILLING_SERVICE);
  const kafka = new Kafka(kafkaConfig);
  const registry = new EventSchemaRegistry(env.SCHEMA_REGISTRY_URL);
  return startService({
    name: BILLING_SERVICE,
    env,
    kafka: { client: kafka, config: kafkaConfig },
    module: AppModule.register(env, kafka, registry),
    consumedTopics: [{ topic: EVENT_TOPICS.paymentRequested }],
    dependencies: [...databaseDependencies(env, BILLING_DATABASE), schemaRegistryDependency(registry)],
    grpc: { port: env.GRPC_PORT, services: [BILLING_GRPC_SERVICE], verifier },
  });
}
