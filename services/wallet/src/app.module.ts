import { DynamicModule, Module } from '@nestjs/common';
import { WALLET_SERVICE as WALLET_GRPC_SERVICE } from '@bvs/contracts';
import { AlertsModule, alertWebhookSettingsOf, databaseModule, EventSchemaRegistry, HealthModule, loggingModule, qualifiedServiceName, MetricsModule, OUTBOX_BACKLOG_GAUGE, OUTBOX_OLDEST_UNPUBLISHED_AGE_GAUGE, OutboxModule, retentionSettingsOf } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { WalletEnv } from './config/wallet-env';
import { WalletGrpcController } from './grpc/wallet.grpc-controller';
import { WalletEventsConsumer } from './messaging/wallet-events.consumer';
import { WALLET_DATABASE } from './persistence/wallet-database';
import { WALLET_PROVIDERS } from './wallet/wallet-use-cases';

export const WALLET_SERVICE = 'wallet';

@Module({})
export class AppModule {
  static register(env: WalletEnv, kafka: Kafka, registry: EventSchemaRegistry): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule({ service: WALLET_SERVICE, level: env.LOG_LEVEL }),
        databaseModule(env, WALLET_DATABASE),
        HealthModule.register({ service: WALLET_SERVICE, kafka, database: true, grpcServices: [qualifiedServiceName(WALLET_GRPC_SERVICE)] }),
        OutboxModule.register({ service: WALLET_SERVICE, kafka, registry, retention: retentionSettingsOf(env), minRoundIntervalMs: env.OUTBOX_RELAY_MIN_ROUND_INTERVAL_MS }),
        AlertsModule.register({ service: WALLET_SERVICE, webhook: alertWebhookSettingsOf(env) }),
        MetricsModule.register({
          service: WALLET_SERVICE,
          databaseGauges: [
            OUTBOX_BACKLOG_GAUGE,
            OUTBOX_OLDEST_UNPUBLISHED_AGE_GAUGE,
            // Both read only the pending payments, through their partial index: held money is what they hold (the audit checks it).
            {
              name: 'bvs_wallet_payments_pending',
              help: 'Payments accepted and not yet completed or reversed',
              query: `SELECT COUNT(*)::float8 AS value FROM wallet_transactions WHERE type = 'PAYMENT' AND status = 'PENDING'`,
            },
            {
              name: 'bvs_wallet_held_minor_units',
              help: 'Money held by payments in flight, all wallets, minor units',
              query: `SELECT COALESCE(SUM(amount), 0)::float8 AS value FROM wallet_transactions WHERE type = 'PAYMENT' AND status = 'PENDING'`,
            },
          ],
        }),
      ],
      controllers: [WalletGrpcController],
      providers: [{ provide: WalletEnv, useValue: env }, { provide: Kafka, useValue: kafka }, ...WALLET_PROVIDERS, WalletEventsConsumer],
    };
  }
}
