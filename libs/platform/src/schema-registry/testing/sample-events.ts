import { randomUUID } from 'node:crypto';
import {
  EVENT_CONTRACTS,
  EVENT_TOPICS,
  type EventByTopic,
  type EventMetadata,
  type EventTopic,
  type EventTypeOf,
} from '@bvs/contracts';

/** 2^53 + 1: the first integer a JS number cannot hold; amounts above it prove the bigint mapping. */
export const BEYOND_SAFE_INTEGER = 2n ** 53n + 1n;

function metadataFor<T extends EventTopic>(topic: T, causationId: string | null): EventMetadata<EventTypeOf<T>> {
  return {
    eventId: randomUUID(),
    eventType: EVENT_CONTRACTS[topic].eventType,
    occurredAt: new Date().toISOString(),
    correlationId: randomUUID(),
    causationId,
    producer: EVENT_CONTRACTS[topic].owner,
  };
}

/**
 * A valid event for `topic` with fresh ids and amounts beyond 2^53, for tests of producers,
 * consumers and the codec. Not a realistic amount: a realistic one would not exercise the mapping.
 */
export function sampleEvent<T extends EventTopic>(topic: T): EventByTopic[T] {
  const walletId = randomUUID();
  const userId = randomUUID();
  const paymentId = randomUUID();
  const transactionId = randomUUID();
  const amountMinor = BEYOND_SAFE_INTEGER + 2n;
  const samples: { [K in EventTopic]: () => EventByTopic[K] } = {
    [EVENT_TOPICS.userRegistered]: () => ({
      metadata: metadataFor(EVENT_TOPICS.userRegistered, null),
      payload: { userId, email: `user-${userId.slice(0, 8)}@example.test` },
    }),
    [EVENT_TOPICS.walletFunded]: () => ({
      metadata: metadataFor(EVENT_TOPICS.walletFunded, null),
      payload: {
        walletId,
        userId,
        transactionId,
        amountMinor,
        currency: 'NGN',
        reference: `fund-${randomUUID()}`,
        availableAfterMinor: 2n ** 63n - 1n,
        processorReference: `bvs-fund-${transactionId}`,
      },
    }),
    [EVENT_TOPICS.paymentRequested]: () => ({
      metadata: metadataFor(EVENT_TOPICS.paymentRequested, null),
      payload: {
        paymentId,
        transactionId,
        walletId,
        userId,
        amountMinor,
        currency: 'NGN',
        meterNumber: '45067812345',
        providerCode: 'ikeja-electric-prepaid',
        clientReference: `pay-${randomUUID()}`,
      },
    }),
    [EVENT_TOPICS.paymentCompleted]: () => ({
      metadata: metadataFor(EVENT_TOPICS.paymentCompleted, randomUUID()),
      payload: {
        paymentId,
        transactionId,
        walletId,
        userId,
        amountMinor,
        currency: 'NGN',
        token: '12345678901234567890',
        units: '31.7',
        providerReference: `prov-${randomUUID()}`,
      },
    }),
    [EVENT_TOPICS.paymentFailed]: () => ({
      metadata: metadataFor(EVENT_TOPICS.paymentFailed, randomUUID()),
      payload: {
        paymentId,
        transactionId,
        walletId,
        userId,
        amountMinor,
        currency: 'NGN',
        reasonCode: 'PROVIDER.METER_BLOCKED',
        reasonMessage: 'The meter is blocked by the distribution company.',
      },
    }),
    [EVENT_TOPICS.paymentReversed]: () => ({
      metadata: metadataFor(EVENT_TOPICS.paymentReversed, randomUUID()),
      payload: {
        paymentId,
        originalTransactionId: transactionId,
        reversalTransactionId: randomUUID(),
        walletId,
        userId,
        amountMinor,
        currency: 'NGN',
      },
    }),
  };
  return samples[topic]();
}
