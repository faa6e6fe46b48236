import { AccessTokenEnv, createRedisClient, Environment, loadConfig, RedisEnv, RunningService, startService } from '@bvs/platform';
import { AppModule, GATEWAY_SERVICE } from './app.module';
import { BackendClients } from './backends/backend-clients';
import { GatewayEnv } from './config/gateway-env';
import { API_PREFIX, configureHttp } from './http/configure-http';

export async function startGateway(source: Environment): Promise<RunningService> {
  const env = loadConfig(GatewayEnv, source);
  const tokens = loadConfig(AccessTokenEnv, source);
  // Channels connect lazily: the gateway starts whatever state its backends are in, and its
  // readiness reports them.
  const backends = new BackendClients(env);
  // Limits and ended sessions, shared with every replica and auth. Connects in the background and
  // reconnects on its own; until it answers, readiness says so and limited routes answer 503.
  const redisEnv = loadConfig(RedisEnv, source);
  const redis = createRedisClient(redisEnv.REDIS_URL, GATEWAY_SERVICE);
  return startService({
    name: GATEWAY_SERVICE,
    env,
    module: AppModule.register(env, tokens, backends, { client: redis, keyPrefix: redisEnv.REDIS_KEY_PREFIX }),
    consumedTopics: [],
    httpPrefix: API_PREFIX,
    configureHttp: configureHttp(env),
    bodyParser: false,
  });
}
