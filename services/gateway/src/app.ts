import { Environment, kafkaClientConfig, loadConfig, replyTopicOf, RunningService, startService } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { AppModule, GATEWAY_SERVICE } from './app.module';
import { GatewayEnv } from './config/gateway-env';
import { configureHttp } from './http/configure-http';
import { GATEWAY_REQUEST_PATTERNS } from './messaging/service-requests';

export async function startGateway(source: Environment): Promise<RunningService> {
  const env = loadConfig(GatewayEnv, source);
  const kafka = new Kafka(kafkaClientConfig(env, GATEWAY_SERVICE));
  return startService({
    name: GATEWAY_SERVICE,
    env,
    kafka,
    module: AppModule.register(env, kafka),
    consumedTopics: [],
    producedTopics: GATEWAY_REQUEST_PATTERNS.flatMap((pattern) => [{ topic: pattern }, { topic: replyTopicOf(pattern) }]),
    httpPrefix: 'api',
    configureHttp: configureHttp(env),
    bodyParser: false,
  });
}
