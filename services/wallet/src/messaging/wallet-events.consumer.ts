import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EVENT_TOPICS, EventByTopic } from '@bvs/contracts';
import { EventConsumer, EventContext, EventSchemaRegistry, kafkaGroupId, type SliceEvent, MetricsRegistry, Alerts, deadLetterAlert } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { WalletEnv } from '../config/wallet-env';
import { OpenWalletHandler } from '../wallet/commands/open-wallet/open-wallet.handler';
import { ReverseFailedPaymentHandler } from '../wallet/consumers/reverse-failed-payment/reverse-failed-payment.handler';
import { SettleCompletedPaymentHandler } from '../wallet/consumers/settle-completed-payment/settle-completed-payment.handler';

const CONSUMED_TOPICS = [EVENT_TOPICS.userRegistered, EVENT_TOPICS.paymentCompleted, EVENT_TOPICS.paymentFailed] as const;
type ConsumedTopic = (typeof CONSUMED_TOPICS)[number];

/**
 * The events the wallet acts on. Each is applied in the same transaction as its inbox row (several
 * events share one transaction when they arrive together), so a redelivered event changes nothing;
 * the ledger's own state checks make the order of arrival irrelevant too (a completed payment is
 * never reversed, a reversed one never completed).
 */
@Injectable()
export class WalletEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WalletEventsConsumer.name);
  private readonly consumer: EventConsumer<ConsumedTopic>;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    registry: EventSchemaRegistry,
    kafka: Kafka,
    env: WalletEnv,
    metrics: MetricsRegistry,
    alerts: Alerts,
    private readonly openWallet: OpenWalletHandler,
    private readonly settleCompletedPayment: SettleCompletedPaymentHandler,
    private readonly reverseFailedPayment: ReverseFailedPaymentHandler,
  ) {
    this.consumer = new EventConsumer({
      kafka,
      registry,
      dataSource,
      groupId: kafkaGroupId(env, 'wallet-events'),
      service: 'wallet',
      topics: CONSUMED_TOPICS,
      // Generous: a database blip must not send a payment's outcome to the dead-letter topic.
      maxAttempts: 12,
      retryMaxMs: 10_000,
      partitionsInParallel: env.EVENT_PARTITIONS_IN_PARALLEL,
      transactionsInParallel: env.EVENT_TRANSACTIONS_IN_PARALLEL,
      newGroupStartsAt: env.KAFKA_NEW_GROUP_STARTS_AT,
      metrics,
      onDeadLetter: (parked) => alerts.raise(deadLetterAlert(parked)),
      maxEventsPerTransaction: env.EVENTS_PER_TRANSACTION,
      minFetchIntervalMs: env.EVENT_FETCH_MIN_INTERVAL_MS,
      handle: (event, context) => this.apply(event, context),
      handleSlice: (topic, events, manager) => this.applySlice(topic, events, manager),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }

  /** A slice of one topic's events, applied with a few statements for the whole slice. */
  private async applySlice(topic: ConsumedTopic, events: readonly SliceEvent<ConsumedTopic>[], manager: EntityManager): Promise<void> {
    switch (topic) {
      case EVENT_TOPICS.userRegistered: {
        const userIds = events.map(({ event }) => (event as EventByTopic[typeof EVENT_TOPICS.userRegistered]).payload.userId);
        const wallets = await this.openWallet.executeAll(userIds, manager);
        for (const userId of userIds) this.logger.log({ userId, walletId: wallets.get(userId)?.id }, 'Wallet ready for registered user');
        return;
      }
      case EVENT_TOPICS.paymentCompleted:
        return this.settleCompletedPayment.handleAll(
          manager,
          events.map(({ event, traceparent }) => ({ event: event as EventByTopic[typeof EVENT_TOPICS.paymentCompleted], traceparent })),
        );
      case EVENT_TOPICS.paymentFailed:
        return this.reverseFailedPayment.handleAll(
          manager,
          events.map(({ event, traceparent }) => ({ event: event as EventByTopic[typeof EVENT_TOPICS.paymentFailed], traceparent })),
        );
    }
  }

  private async apply(event: EventByTopic[ConsumedTopic], context: EventContext<ConsumedTopic>): Promise<void> {
    switch (context.topic) {
      case EVENT_TOPICS.userRegistered: {
        const { userId } = (event as EventByTopic[typeof EVENT_TOPICS.userRegistered]).payload;
        const wallet = await this.openWallet.execute(userId, context.manager);
        this.logger.log({ userId, walletId: wallet.id }, 'Wallet ready for registered user');
        return;
      }
      case EVENT_TOPICS.paymentCompleted:
        return this.settleCompletedPayment.handle(context.manager, event as EventByTopic[typeof EVENT_TOPICS.paymentCompleted]);
      case EVENT_TOPICS.paymentFailed:
        return this.reverseFailedPayment.handle(context.manager, event as EventByTopic[typeof EVENT_TOPICS.paymentFailed]);
    }
  }
}
