import { DynamicModule, Module } from '@nestjs/common';
import { READINESS_PATTERNS } from '@bvs/contracts';
import { databaseModule, EventSchemaRegistry, HealthModule, loggingModule, MetricsModule, MetricsRegistry, OUTBOX_BACKLOG_GAUGE, OutboxModule } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { BillingRequestHandlers } from './api/billing-request.handlers';
import { BillQueries } from './bills/bill-queries.service';
import { BillWorker } from './bills/bill-worker';
import { MeterChecks } from './bills/meter-checks.service';
import { BillingEnv } from './config/billing-env';
import { PaymentRequestsConsumer } from './messaging/payment-requests.consumer';
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
        HealthModule.register({ service: BILLING_SERVICE, kafka, database: true, readinessPattern: READINESS_PATTERNS.billing }),
        OutboxModule.register({ service: BILLING_SERVICE, kafka, registry }),
        MetricsModule.register({
          service: BILLING_SERVICE,
          databaseGauges: [
            OUTBOX_BACKLOG_GAUGE,
            { name: 'bvs_bills', help: 'Bill payments by status', labelNames: ['status'], query: 'SELECT status, COUNT(*)::float8 AS value FROM bill_payments GROUP BY status' },
            {
              name: 'bvs_bills_pending_oldest_seconds',
              help: 'Age of the oldest PENDING bill payment',
              query: "SELECT COALESCE(EXTRACT(EPOCH FROM now() - MIN(created_at)), 0)::float8 AS value FROM bill_payments WHERE status = 'PENDING'",
            },
          ],
        }),
      ],
      controllers: [BillingRequestHandlers],
      providers: [
        { provide: BillingEnv, useValue: env },
        { provide: Kafka, useValue: kafka },
        { provide: VendingProvider, useFactory: (metrics: MetricsRegistry) => new HttpVendingProvider(env, metrics), inject: [MetricsRegistry] },
        MeterChecks,
        BillQueries,
        BillWorker,
        PaymentRequestsConsumer,
      ],
    };
  }
}
