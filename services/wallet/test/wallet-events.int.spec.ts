import { randomUUID } from 'node:crypto';
import {
  EVENT_TOPICS,
  EventByTopic,
  EventTopic,
  eventKeyOf,
  PAYMENT_COMPLETED,
  PAYMENT_FAILED,
  PaymentInitiation,
  USER_REGISTERED,
} from '@bvs/contracts';
import { EventSchemaRegistry, RunningService } from '@bvs/platform';
import { eventually, readInfraAddresses, testKafkaConfig, testServiceEnv } from '@bvs/platform/testing';
import { Kafka, Producer } from 'kafkajs';
import { startWalletService } from '../src/app';
import { LedgerHarness, origin } from './ledger-harness';

const infra = () => readInfraAddresses();
const metadata = <T extends string>(eventType: T, producer: string) => ({
  eventId: randomUUID(),
  eventType,
  occurredAt: new Date().toISOString(),
  correlationId: `it-${randomUUID()}`,
  causationId: null,
  producer,
});

/**
 * The wallet service running against the real broker and registry: events arrive as billing and
 * auth would send them (schema-encoded, keyed), twice and out of order, and the wallet's own
 * events leave through its outbox.
 */
describe('wallet service consuming and publishing events over the real Kafka', () => {
  let harness: LedgerHarness;
  let service: RunningService;
  let kafka: Kafka;
  let producer: Producer;
  let registry: EventSchemaRegistry;

  beforeAll(async () => {
    harness = await LedgerHarness.create('wallet_events');
    service = await startWalletService(testServiceEnv({ DATABASE_URL: harness.database.url }));
    registry = new EventSchemaRegistry(infra().SCHEMA_REGISTRY_URL);
    kafka = new Kafka(testKafkaConfig('wallet-events-it'));
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect();
    await service?.stop();
    await harness?.close();
  }, 60_000);

  async function publish<T extends EventTopic>(topic: T, event: EventByTopic[T]): Promise<void> {
    await producer.send({ topic, acks: -1, messages: [{ key: eventKeyOf(topic, event), value: await registry.encode(topic, event) }] });
  }

  async function statusOf(transactionId: string): Promise<string | undefined> {
    const rows = (await harness.dataSource.query('SELECT status FROM wallet_transactions WHERE id = $1', [transactionId])) as { status: string }[];
    return rows[0]?.status;
  }

  async function inboxCount(eventId: string): Promise<number> {
    const [{ count }] = (await harness.dataSource.query('SELECT COUNT(*)::int AS count FROM inbox WHERE event_id = $1', [eventId])) as [{ count: number }];
    return count;
  }

  async function fundedPayment(amount: bigint): Promise<{ userId: string; payment: PaymentInitiation }> {
    const userId = randomUUID();
    await harness.useCases.fundWallet.execute({ userId, amount: 10_000n, reference: 'seed' }, origin());
    const payment = await harness.useCases.initiatePayment.execute(
      { userId, amount, reference: randomUUID(), meterNumber: '45700000001', providerCode: 'ikeja-electric-prepaid' },
      origin(),
    );
    return { userId, payment };
  }

  const outcomeFacts = (userId: string, payment: PaymentInitiation) => ({
    paymentId: payment.paymentId,
    transactionId: payment.transactionId,
    walletId: payment.walletId,
    userId,
    amountMinor: BigInt(payment.amount),
    currency: payment.currency,
  });

  it('opens the wallet when user-registered arrives, once, even when first use races it', async () => {
    const userId = randomUUID();
    const event = { metadata: metadata(USER_REGISTERED, 'auth'), payload: { userId, email: `${userId}@example.com` } };
    await Promise.all([publish(EVENT_TOPICS.userRegistered, event), harness.useCases.openWallet.execute(userId), publish(EVENT_TOPICS.userRegistered, event)]);
    await eventually(async () => ((await inboxCount(event.metadata.eventId)) === 1 ? true : undefined), 'user-registered to be applied');
    const [{ count }] = (await harness.dataSource.query('SELECT COUNT(*)::int AS count FROM wallets WHERE user_id = $1', [userId])) as [{ count: number }];
    expect(count).toBe(1);
  });

  it('reverses a failed payment once though the failure arrives twice and a late success follows, and publishes payment-reversed', async () => {
    const { userId, payment } = await fundedPayment(3_000n);
    const failure = { metadata: metadata(PAYMENT_FAILED, 'billing'), payload: { ...outcomeFacts(userId, payment), reasonCode: 'PROVIDER.METER_BLOCKED', reasonMessage: 'Blocked.' } };
    const lateSuccess = {
      metadata: metadata(PAYMENT_COMPLETED, 'billing'),
      payload: { ...outcomeFacts(userId, payment), token: '12345678901234567890', units: '12.5', providerReference: 'late' },
    };
    await publish(EVENT_TOPICS.paymentFailed, failure);
    await publish(EVENT_TOPICS.paymentFailed, failure);
    await publish(EVENT_TOPICS.paymentFailed, { ...failure, metadata: metadata(PAYMENT_FAILED, 'billing') });
    await publish(EVENT_TOPICS.paymentCompleted, lateSuccess);

    await eventually(async () => ((await inboxCount(lateSuccess.metadata.eventId)) === 1 ? true : undefined), 'the late success to be consumed');
    expect(await statusOf(payment.transactionId)).toBe('REVERSED');
    const reversals = (await harness.dataSource.query('SELECT amount FROM wallet_transactions WHERE reverses_transaction_id = $1', [payment.transactionId])) as {
      amount: string;
    }[];
    expect(reversals).toEqual([{ amount: '3000' }]);
    expect(await harness.balanceOf(userId)).toEqual({ available: 10_000n, held: 0n });

    const published = await eventually(
      async () => {
        const rows = (await harness.dataSource.query(`SELECT published_at FROM outbox WHERE topic = $1 AND payload -> 'payload' ->> 'paymentId' = $2`, [
          EVENT_TOPICS.paymentReversed,
          payment.paymentId,
        ])) as { published_at: Date | null }[];
        return rows.length === 1 && rows[0]?.published_at ? rows : undefined;
      },
      'payment-reversed to be published',
    );
    expect(published).toHaveLength(1);
  });

  it('completes a payment once though success arrives twice and a late failure follows; never reverses it', async () => {
    const { userId, payment } = await fundedPayment(2_000n);
    const success = {
      metadata: metadata(PAYMENT_COMPLETED, 'billing'),
      payload: { ...outcomeFacts(userId, payment), token: '12345678901234567890', units: '8.3', providerReference: 'p-1' },
    };
    const lateFailure = { metadata: metadata(PAYMENT_FAILED, 'billing'), payload: { ...outcomeFacts(userId, payment), reasonCode: 'PROVIDER.TIMEOUT', reasonMessage: 'Late.' } };
    await publish(EVENT_TOPICS.paymentCompleted, success);
    await publish(EVENT_TOPICS.paymentCompleted, success);
    await publish(EVENT_TOPICS.paymentFailed, lateFailure);
    await publish(EVENT_TOPICS.paymentFailed, lateFailure);

    await eventually(async () => ((await inboxCount(lateFailure.metadata.eventId)) === 1 ? true : undefined), 'the late failure to be consumed');
    expect(await statusOf(payment.transactionId)).toBe('COMPLETED');
    expect(await harness.balanceOf(userId)).toEqual({ available: 8_000n, held: 0n });
    const reversals = (await harness.dataSource.query('SELECT id FROM wallet_transactions WHERE reverses_transaction_id = $1', [payment.transactionId])) as unknown[];
    expect(reversals).toEqual([]);
  });

  it('publishes wallet-funded and payment-requested from the outbox', async () => {
    const { payment } = await fundedPayment(1_000n);
    await eventually(
      async () => {
        const rows = (await harness.dataSource.query(
          `SELECT topic FROM outbox WHERE published_at IS NOT NULL AND (payload -> 'payload' ->> 'paymentId' = $1 OR (topic = $2 AND payload -> 'payload' ->> 'walletId' = $3))`,
          [payment.paymentId, EVENT_TOPICS.walletFunded, payment.walletId],
        )) as { topic: string }[];
        return rows.length === 2 ? rows : undefined;
      },
      'both events to be published',
    );
  });

  it('leaves a book the audit command passes', async () => {
    expect(await harness.runAuditCommand()).toEqual({ code: 0, output: expect.stringMatching(/0 drifting, 0 findings/) });
  });
});
