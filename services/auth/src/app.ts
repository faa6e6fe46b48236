import { AUTH_PATTERNS, READINESS_PATTERNS } from '@bvs/contracts';
import { Environment, EventSchemaRegistry, kafkaClientConfig, loadConfig, postgresDependency, RunningService, schemaRegistryDependency, startService } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { AppModule, AUTH_SERVICE } from './app.module';
import { AuthEnv } from './config/auth-env';

export async function startAuthService(source: Environment): Promise<RunningService> {
  const env = loadConfig(AuthEnv, source);
  const kafka = new Kafka(kafkaClientConfig(env, AUTH_SERVICE));
  const registry = new EventSchemaRegistry(env.SCHEMA_REGISTRY_URL);
  return startService({
    name: AUTH_SERVICE,
    env,
    kafka,
    module: AppModule.register(env, kafka, registry),
    consumedTopics: [READINESS_PATTERNS.auth, ...Object.values(AUTH_PATTERNS)].map((topic) => ({ topic })),
    dependencies: [postgresDependency(env.DATABASE_URL), schemaRegistryDependency(registry)],
  });
}
