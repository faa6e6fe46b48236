import { DynamicModule, Module } from '@nestjs/common';
import { BILLING_SERVICE as BILLING_GRPC_SERVICE } from '@bvs/contracts';
import { AlertsModule, alertWebhookSettingsOf, databaseModule, EventSchemaRegistry, HealthModule, loggingModule, qualifiedServiceName, MetricsModule, MetricsRegistry, OUTBOX_BACKLOG_GAUGE, OUTBOX_OLDEST_UNPUBLISHED_AGE_GAUGE, OutboxModule, retentionSettingsOf } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { BillQueries } from './bills/bill-queries.service';
import { BillWorker } from './bills/bill-worker';
import { SettleBillHandler } from './bills/commands/settle-bill/settle-bill.handler';
import { VendBillHandler } from './bills/commands/vend-bill/vend-bill.handler';
import { PaymentRequestsConsumer } from './bills/events/record-requested-payment/payment-requests.consumer';
import { RecordRequestedPaymentHandler } from './bills/events/record-requested-payment/record-requested-payment.handler';
import { MeterChecks } from './bills/meter-checks.service';
import { BillArrivalListener } from './bills/persistence/bill-arrival-listener';
import { BillHistoryRepository } from './bills/persistence/bill-history.repository';
import { BillRepository } from './bills/persistence/bill-repository';
import { ReconcilePendingBillsHandler } from './bills/reconcile/reconcile-pending-bills.handler';
import { BillingEnv } from './config/billing-env';
import { BillingGrpcController } from './grpc/billing.grpc-controller';
import { BILLING_DATABASE } from './persistence/billing-database';
import { HttpVendingProvider } from './provider/http-vending-provider';
import { VendingProvider } from './provider/vending-provider';

export const BILLING_SERVICE = 'billing';

@Module({})
export class AppModule {
  static register(env: BillingEnv, kafka: Kafka, registry: EventSchemaRegistry): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule({ service: BILLING_SERVICE, level: env.LOG_LEVEL }),
        databaseModule(env, BILLING_DATABASE),
        HealthModule.register({ service: BILLING_SERVICE, kafka, database: true, grpcServices: [qualifiedServiceName(BILLING_GRPC_SERVICE)] }),
        OutboxModule.register({ service: BILLING_SERVICE, kafka, registry, retention: retentionSettingsOf(env), minRoundIntervalMs: env.OUTBOX_RELAY_MIN_ROUND_INTERVAL_MS }),
        AlertsModule.register({ service: BILLING_SERVICE, webhook: alertWebhookSettingsOf(env) }),
        MetricsModule.register({
          service: BILLING_SERVICE,
          databaseGauges: [
            OUTBOX_BACKLOG_GAUGE,
            OUTBOX_OLDEST_UNPUBLISHED_AGE_GAUGE,
            // Only PENDING bills are read, through the partial index of pending bills, so a read costs what is in
            // flight, never the whole table; settled bills are counted as they settle (bvs_bills_settled_total).
            { name: 'bvs_bills_pending', help: 'Bill payments still PENDING', query: "SELECT COUNT(*)::float8 AS value FROM bill_payments WHERE status = 'PENDING'" },
            {
              name: 'bvs_bills_pending_oldest_seconds',
              help: 'Age of the oldest PENDING bill payment, seconds',
              query: "SELECT COALESCE(EXTRACT(EPOCH FROM now() - MIN(created_at)), 0)::float8 AS value FROM bill_payments WHERE status = 'PENDING'",
            },
          ],
        }),
      ],
      controllers: [BillingGrpcController],
      providers: [
        { provide: BillingEnv, useValue: env },
        { provide: Kafka, useValue: kafka },
        { provide: VendingProvider, useFactory: (metrics: MetricsRegistry) => new HttpVendingProvider(env, metrics), inject: [MetricsRegistry] },
        BillRepository,
        BillArrivalListener,
        BillHistoryRepository,
        RecordRequestedPaymentHandler,
        SettleBillHandler,
        VendBillHandler,
        ReconcilePendingBillsHandler,
        MeterChecks,
        BillQueries,
        BillWorker,
        PaymentRequestsConsumer,
      ],
    };
  }
}
