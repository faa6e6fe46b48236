import { DynamicModule, Module } from '@nestjs/common';
import { READINESS_PATTERNS } from '@bvs/contracts';
import { databaseModule, HealthModule, loggingModule } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { WalletEnv } from './config/wallet-env';
import { WALLET_DATABASE } from './persistence/wallet-database';

export const WALLET_SERVICE = 'wallet';

@Module({})
export class AppModule {
  static register(env: WalletEnv, kafka: Kafka): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule({ service: WALLET_SERVICE, level: env.LOG_LEVEL }),
        databaseModule(env, WALLET_DATABASE),
        HealthModule.register({ service: WALLET_SERVICE, kafka, database: true, readinessPattern: READINESS_PATTERNS.wallet }),
      ],
    };
  }
}
