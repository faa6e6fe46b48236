import { DynamicModule, Module } from '@nestjs/common';
import { READINESS_PATTERNS } from '@bvs/contracts';
import { databaseModule, EventSchemaRegistry, HealthModule, loggingModule, OutboxModule } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { WalletRequestHandlers } from './api/wallet-request.handlers';
import { WalletEnv } from './config/wallet-env';
import { WalletLedger } from './ledger/wallet-ledger.service';
import { WalletQueries } from './ledger/wallet-queries.service';
import { WalletEventsConsumer } from './messaging/wallet-events.consumer';
import { WALLET_DATABASE } from './persistence/wallet-database';

export const WALLET_SERVICE = 'wallet';

@Module({})
export class AppModule {
  static register(env: WalletEnv, kafka: Kafka, registry: EventSchemaRegistry): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule({ service: WALLET_SERVICE, level: env.LOG_LEVEL }),
        databaseModule(env, WALLET_DATABASE),
        HealthModule.register({ service: WALLET_SERVICE, kafka, database: true, readinessPattern: READINESS_PATTERNS.wallet }),
        OutboxModule.register({ service: WALLET_SERVICE, kafka, registry }),
      ],
      controllers: [WalletRequestHandlers],
      providers: [{ provide: WalletEnv, useValue: env }, { provide: Kafka, useValue: kafka }, WalletLedger, WalletQueries, WalletEventsConsumer],
    };
  }
}
