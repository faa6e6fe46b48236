import { EVENT_TOPICS, WALLET_SERVICE as WALLET_GRPC_SERVICE } from '@bvs/contracts';
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
import { AppModule, WALLET_SERVICE } from './app.module';
import { WalletEnv } from './config/wallet-env';
import { WALLET_DATABASE } from './persistence/wallet-database';

export async function startWalletService(source: Environment): Promise<RunningService> {
  const env = loadConfig(WalletEnv, source);
  const tokens = loadConfig(AccessTokenEnv, source);
  const verifier = await AccessTokenVerifier.create(accessTokenSettingsOf(tokens, tokens.JWT_PUBLIC_KEY));
  const kafkaConfig = kafkaClientConfig(env, loadConfig(KafkaIdentityEnv, source), WALLET_SERVICE);
  const kafka = new Kafka(kafkaConfig);
  const registry = new EventSchemaRegistry(env.SCHEMA_REGISTRY_URL);
  return startService({
    name: WALLET_SERVICE,
    env,
    kafka: { client: kafka, config: kafkaConfig },
    module: AppModule.register(env, kafka, registry),
    consumedTopics: [EVENT_TOPICS.userRegistered, EVENT_TOPICS.paymentCompleted, EVENT_TOPICS.paymentFailed].map((topic) => ({ topic })),
    dependencies: [...databaseDependencies(env, WALLET_DATABASE), schemaRegistryDependency(registry)],
    grpc: { port: env.GRPC_PORT, services: [WALLET_GRPC_SERVICE], verifier },
  });
}
