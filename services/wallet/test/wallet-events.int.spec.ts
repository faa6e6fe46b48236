import { randomUUID } from 'node:crypto';
import {
  EVENT_TOPICS,
  EventByTopic,
  EventTopic,
  eventKeyOf,
  PAYMENT_COMPLETED,
  PAYMENT_FAILED,
  PAYMENT_REQUESTED,
  PAYMENT_REVERSED,
  PaymentInitiation,
  USER_REGISTERED,
  WALLET_FUNDED,
} from '@bvs/contracts';
import { EventSchemaRegistry, RunningService } from '@bvs/platform';
import { EventTail, eventually, readInfraAddresses, testKafkaConfig, testServiceEnv } from '@bvs/platform/testing';
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
  // What the wallet publishes, read back from Kafka: opened before any test acts.
  let published: EventTail;

  beforeAll(async () => {
    published = await EventTail.open([EVENT_TOPICS.walletFunded, EVENT_TOPICS.paymentRequested, EVENT_TOPICS.paymentReversed], 'wallet-events-it-reader');
    harness = await LedgerHarness.create('wallet_events');
    // Its group starts at the topics' present end: the outcomes of every earlier test and system on this broker are not its own.
    service = await startWalletService(testServiceEnv({ DATABASE_URL: harness.database.url, KAFKA_NEW_GROUP_STARTS_AT: 'latest' }));
    registry = new EventSchemaRegistry(infra().SCHEMA_REGISTRY_URL);
    kafka = new Kafka(testKafkaConfig('wallet-events-it'));
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    await published?.close();
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

  /** The id of the one event the wallet wrote to its outbox for `topic` and wallet `walletId`. */
  async function outboxEventId(topic: EventTopic, walletId: string): Promise<string> {
    const rows = (await harness.dataSource.query('SELECT event_id FROM outbox WHERE topic = $1 AND message_key = $2', [topic, walletId])) as { event_id: string }[];
    expect(rows).toHaveLength(1);
    return rows[0]?.event_id ?? '';
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
    const reversals = (await harness.dataSource.query('SELECT id, amount FROM wallet_transactions WHERE reverses_transaction_id = $1', [payment.transactionId])) as {
      id: string;
      amount: string;
    }[];
    expect(reversals).toEqual([{ id: expect.any(String), amount: '3000' }]);
    expect(await harness.balanceOf(userId)).toEqual({ available: 10_000n, held: 0n });

    // The reversal as a consumer reads it off Kafka (found by its key, the wallet id), decoded by the registry.
    const [reversed] = await published.waitForKey(EVENT_TOPICS.paymentReversed, payment.walletId);
    const eventId = await outboxEventId(EVENT_TOPICS.paymentReversed, payment.walletId);
    expect(reversed?.headers).toMatchObject({ 'event-id': eventId, 'event-type': PAYMENT_REVERSED, 'correlation-id': failure.metadata.correlationId });
    expect(reversed?.event).toEqual({
      metadata: {
        eventId,
        eventType: PAYMENT_REVERSED,
        occurredAt: expect.any(String),
        correlationId: failure.metadata.correlationId,
        causationId: failure.metadata.eventId,
        producer: 'wallet',
      },
      payload: {
        paymentId: payment.paymentId,
        originalTransactionId: payment.transactionId,
        reversalTransactionId: reversals[0]?.id,
        walletId: payment.walletId,
        userId,
        amountMinor: 3_000n,
        currency: payment.currency,
      },
    });
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

  it('publishes wallet-funded and payment-requested through the outbox to Kafka: keyed by wallet, decodable, carrying the ledger facts', async () => {
    const userId = randomUUID();
    const fundingOrigin = origin();
    const funding = await harness.useCases.fundWallet.execute({ userId, amount: 10_000n, reference: `fund-${userId}` }, fundingOrigin);
    const paymentOrigin = origin();
    const payment = await harness.useCases.initiatePayment.execute(
      { userId, amount: 1_000n, reference: `pay-${userId}`, meterNumber: '45700000001', providerCode: 'ikeja-electric-prepaid' },
      paymentOrigin,
    );
    const metadataOf = (eventType: string, eventId: string, correlationId: string) => ({
      eventId,
      eventType,
      occurredAt: expect.any(String),
      correlationId,
      causationId: null,
      producer: 'wallet',
    });

    const [funded] = await published.waitForKey(EVENT_TOPICS.walletFunded, payment.walletId);
    const fundedId = await outboxEventId(EVENT_TOPICS.walletFunded, payment.walletId);
    expect(funded?.headers).toMatchObject({ 'event-id': fundedId, 'event-type': WALLET_FUNDED, 'correlation-id': fundingOrigin.correlationId });
    expect(funded?.event).toEqual({
      metadata: metadataOf(WALLET_FUNDED, fundedId, fundingOrigin.correlationId),
      payload: {
        walletId: payment.walletId,
        userId,
        transactionId: funding.transaction.id,
        amountMinor: 10_000n,
        currency: payment.currency,
        reference: `fund-${userId}`,
        availableAfterMinor: 10_000n,
        processorReference: null,
      },
    });

    const [requested] = await published.waitForKey(EVENT_TOPICS.paymentRequested, payment.walletId);
    const requestedId = await outboxEventId(EVENT_TOPICS.paymentRequested, payment.walletId);
    expect(requested?.headers).toMatchObject({ 'event-id': requestedId, 'event-type': PAYMENT_REQUESTED, 'correlation-id': paymentOrigin.correlationId });
    expect(requested?.event).toEqual({
      metadata: metadataOf(PAYMENT_REQUESTED, requestedId, paymentOrigin.correlationId),
      payload: {
        paymentId: payment.paymentId,
        transactionId: payment.transactionId,
        walletId: payment.walletId,
        userId,
        amountMinor: 1_000n,
        currency: payment.currency,
        meterNumber: '45700000001',
        providerCode: 'ikeja-electric-prepaid',
        clientReference: `pay-${userId}`,
      },
    });
  });

  it('leaves a book the audit command passes', async () => {
    expect(await harness.runAuditCommand()).toEqual({ code: 0, output: expect.stringMatching(/0 drifting, 0 findings/) });
  });
});
