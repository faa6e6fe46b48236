import { READINESS_PATTERNS } from '@bvs/contracts';
import { Environment, kafkaClientConfig, loadConfig, RunningService, startService } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { AppModule, AUTH_SERVICE } from './app.module';
import { AuthEnv } from './config/auth-env';

export async function startAuthService(source: Environment): Promise<RunningService> {
  const env = loadConfig(AuthEnv, source);
  const kafka = new Kafka(kafkaClientConfig(env, AUTH_SERVICE));
  return startService({
    name: AUTH_SERVICE,
    env,
    kafka,
    module: AppModule.register(env, kafka),
    consumedTopics: [{ topic: READINESS_PATTERNS.auth }],
  });
}
