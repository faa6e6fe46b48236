import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EVENT_TOPICS } from '@bvs/contracts';
import { EventConsumer, EventSchemaRegistry, kafkaGroupId, MetricsRegistry, Alerts, deadLetterAlert } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { BillingEnv } from '../../../config/billing-env';
import { RecordRequestedPaymentHandler } from './record-requested-payment.handler';

/**
 * Delivers each payment-requested event to its handler in the same transaction as its inbox row
 * (events fetched together share one transaction).
 * The bill's key is the payment id, so even an event that bypassed the inbox could not create a
 * second bill.
 */
@Injectable()
export class PaymentRequestsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer<typeof EVENT_TOPICS.paymentRequested>;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    registry: EventSchemaRegistry,
    kafka: Kafka,
    env: BillingEnv,
    metrics: MetricsRegistry,
    alerts: Alerts,
    recordPayment: RecordRequestedPaymentHandler,
  ) {
    this.consumer = new EventConsumer({
      kafka,
      registry,
      dataSource,
      groupId: kafkaGroupId(env, 'billing-payment-requests'),
      service: 'billing',
      topics: [EVENT_TOPICS.paymentRequested],
      maxAttempts: 12,
      retryMaxMs: 10_000,
      partitionsInParallel: env.EVENT_PARTITIONS_IN_PARALLEL,
      transactionsInParallel: env.EVENT_TRANSACTIONS_IN_PARALLEL,
      newGroupStartsAt: env.KAFKA_NEW_GROUP_STARTS_AT,
      metrics,
      onDeadLetter: (parked) => alerts.raise(deadLetterAlert(parked)),
      maxEventsPerTransaction: env.EVENTS_PER_TRANSACTION,
      minFetchIntervalMs: env.EVENT_FETCH_MIN_INTERVAL_MS,
      handle: (event, context) => recordPayment.handle(event, context.manager),
      handleSlice: (_topic, events, manager) => recordPayment.handleAll(events, manager),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
