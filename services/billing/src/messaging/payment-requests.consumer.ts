import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EVENT_TOPICS, PaymentRequestedEvent } from '@bvs/contracts';
import { EventConsumer, EventSchemaRegistry } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { BillingEnv } from '../config/billing-env';

/**
 * Turns each payment-requested event into a PENDING bill, in the same transaction as its inbox
 * row; the bill worker vends it from there. The bill's key is the payment id, so even an event
 * that bypassed the inbox could not create a second bill.
 */
@Injectable()
export class PaymentRequestsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer<typeof EVENT_TOPICS.paymentRequested>;

  constructor(@InjectDataSource() dataSource: DataSource, registry: EventSchemaRegistry, kafka: Kafka, env: BillingEnv) {
    this.consumer = new EventConsumer({
      kafka,
      registry,
      dataSource,
      groupId: `${env.KAFKA_GROUP_PREFIX}billing-payment-requests`,
      service: 'billing',
      topics: [EVENT_TOPICS.paymentRequested],
      maxAttempts: 12,
      retryMaxMs: 10_000,
      handle: (event, context) => recordPendingBill(context.manager, event),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}

export async function recordPendingBill(manager: EntityManager, event: PaymentRequestedEvent): Promise<void> {
  const payload = event.payload;
  await manager.query(
    `INSERT INTO bill_payments (id, user_id, wallet_id, transaction_id, status, amount, currency, meter_number, provider_code, client_reference, correlation_id)
     VALUES ($1, $2, $3, $4, 'PENDING', $5, $6, $7, $8, $9, $10)
     ON CONFLICT (id) DO NOTHING`,
    [
      payload.paymentId,
      payload.userId,
      payload.walletId,
      payload.transactionId,
      payload.amountMinor.toString(),
      payload.currency,
      payload.meterNumber,
      payload.providerCode,
      payload.clientReference,
      event.metadata.correlationId,
    ],
  );
}
