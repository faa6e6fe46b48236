import { Environment, loadConfig, RunningService, startService } from '@bvs/platform';
import { AppModule, PROVIDER_SIM_SERVICE } from './app.module';
import { ProviderSimEnv } from './config/provider-sim-env';

export async function startProviderSim(source: Environment): Promise<RunningService> {
  const env = loadConfig(ProviderSimEnv, source);
  return startService({ name: PROVIDER_SIM_SERVICE, env, module: AppModule.register(env), consumedTopics: [] });
}
