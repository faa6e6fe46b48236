import { databaseDependencies, Environment, loadConfig, RunningService, startService } from '@bvs/platform';
import { AppModule, PROVIDER_SIM_SERVICE } from './app.module';
import { defaultBehaviour } from './behaviour/default-behaviour';
import { ProviderSimEnv } from './config/provider-sim-env';
import { PROVIDER_SIM_DATABASE } from './persistence/provider-sim-database';

export async function startProviderSim(source: Environment): Promise<RunningService> {
  const env = loadConfig(ProviderSimEnv, source);
  const behaviour = defaultBehaviour(env);
  return startService({ name: PROVIDER_SIM_SERVICE, env, module: AppModule.register(env, behaviour), consumedTopics: [], dependencies: databaseDependencies(env, PROVIDER_SIM_DATABASE) });
}
