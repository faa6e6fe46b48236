import { READINESS_PATTERNS, WALLET_PATTERNS } from '@bvs/contracts';
import { Environment, EventSchemaRegistry, kafkaClientConfig, loadConfig, postgresDependency, RunningService, schemaRegistryDependency, startService } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { AppModule, WALLET_SERVICE } from './app.module';
import { WalletEnv } from './config/wallet-env';

export async function startWalletService(source: Environment): Promise<RunningService> {
  const env = loadConfig(WalletEnv, source);
  const kafka = new Kafka(kafkaClientConfig(env, WALLET_SERVICE));
  const registry = new EventSchemaRegistry(env.SCHEMA_REGISTRY_URL);
  return startService({
    name: WALLET_SERVICE,
    env,
    kafka,
    module: AppModule.register(env, kafka, registry),
    consumedTopics: [READINESS_PATTERNS.wallet, ...Object.values(WALLET_PATTERNS)].map((topic) => ({ topic })),
    dependencies: [postgresDependency(env.DATABASE_URL), schemaRegistryDependency(registry)],
  });
}
