import { BILLING_PATTERNS, READINESS_PATTERNS } from '@bvs/contracts';
import { Environment, EventSchemaRegistry, kafkaClientConfig, loadConfig, postgresDependency, RunningService, schemaRegistryDependency, startService } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { AppModule, BILLING_SERVICE } from './app.module';
import { BillingEnv } from './config/billing-env';

export async function startBillingService(source: Environment): Promise<RunningService> {
  const env = loadConfig(BillingEnv, source);
  const kafka = new Kafka(kafkaClientConfig(env, BILLING_SERVICE));
  const registry = new EventSchemaRegistry(env.SCHEMA_REGISTRY_URL);
  return startService({
    name: BILLING_SERVICE,
    env,
    kafka,
    module: AppModule.register(env, kafka, registry),
    consumedTopics: [READINESS_PATTERNS.billing, ...Object.values(BILLING_PATTERNS)].map((topic) => ({ topic })),
    dependencies: [postgresDependency(env.DATABASE_URL), schemaRegistryDependency(registry)],
  });
}
