import { READINESS_PATTERNS } from '@bvs/contracts';
import { Environment, kafkaClientConfig, loadConfig, RunningService, startService } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { AppModule, WALLET_SERVICE } from './app.module';
import { WalletEnv } from './config/wallet-env';

export async function startWalletService(source: Environment): Promise<RunningService> {
  const env = loadConfig(WalletEnv, source);
  const kafka = new Kafka(kafkaClientConfig(env, WALLET_SERVICE));
  return startService({
    name: WALLET_SERVICE,
    env,
    kafka,
    module: AppModule.register(env, kafka),
    consumedTopics: [{ topic: READINESS_PATTERNS.wallet }],
  });
}
