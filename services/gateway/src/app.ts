import { AccessTokenEnv, Environment, loadConfig, RunningService, startService } from '@bvs/platform';
import { AppModule, GATEWAY_SERVICE } from './app.module';
import { BackendClients } from './backends/backend-clients';
import { GatewayEnv } from './config/gateway-env';
import { configureHttp } from './http/configure-http';

export async function startGateway(source: Environment): Promise<RunningService> {
  const env = loadConfig(GatewayEnv, source);
  const tokens = loadConfig(AccessTokenEnv, source);
  // Channels connect lazily: the gateway starts whatever state its backends are in, and its
  // readiness reports them.
  const backends = new BackendClients(env);
  return startService({
    name: GATEWAY_SERVICE,
    env,
    module: AppModule.register(env, tokens, backends),
    consumedTopics: [],
    httpPrefix: 'api',
    configureHttp: configureHttp(env),
    bodyParser: false,
  });
}
