import { createPublicKey } from 'node:crypto';
import { AUTH_SERVICE as AUTH_GRPC_SERVICE } from '@bvs/contracts';
import {
  accessTokenSettingsOf,
  AccessTokenVerifier,
  createRedisClient,
  databaseDependencies,
  Environment,
  EventSchemaRegistry,
  kafkaClientConfig,
  KafkaIdentityEnv,
  loadConfig,
  RedisEnv,
  RunningService,
  schemaRegistryDependency,
  startService,
  TokenIdentityEnv,
} from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { AppModule, AUTH_SERVICE } from './app.module';
import { AuthEnv } from './config/auth-env';
import { AUTH_DATABASE } from './persistence/auth-database';

export async function startAuthService(source: Environment): Promise<RunningService> {
  const env = loadConfig(AuthEnv, source);
  const identity = loadConfig(TokenIdentityEnv, source);
  const kafkaConfig = kafkaClientConfig(env, loadConfig(KafkaIdentityEnv, source), AUTH_SERVICE);
  const kafka = new Kafka(kafkaConfig);
  const registry = new EventSchemaRegistry(env.SCHEMA_REGISTRY_URL);
  // Auth checks the tokens it is shown like every other service: with the public half of its key.
  const publicKeyPem = createPublicKey(env.JWT_PRIVATE_KEY).export({ type: 'spki', format: 'pem' }).toString();
  const verifier = await AccessTokenVerifier.create(accessTokenSettingsOf(identity, publicKeyPem));
  const redisEnv = loadConfig(RedisEnv, source);
  const redis = createRedisClient(redisEnv.REDIS_URL, AUTH_SERVICE);
  return startService({
    name: AUTH_SERVICE,
    env,
    kafka: { client: kafka, config: kafkaConfig },
    module: AppModule.register(env, identity, kafka, registry, { client: redis, keyPrefix: redisEnv.REDIS_KEY_PREFIX }),
    consumedTopics: [],
    dependencies: [...databaseDependencies(env, AUTH_DATABASE), schemaRegistryDependency(registry)],
    grpc: { port: env.GRPC_PORT, services: [AUTH_GRPC_SERVICE], verifier },
  });
}
