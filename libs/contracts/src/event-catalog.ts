import type { AvroRecordSchema } from './avro/avro-schema';
import { avroFullName } from './avro/avro-schema';
import {
  PAYMENT_COMPLETED,
  PAYMENT_COMPLETED_SCHEMA,
  PAYMENT_FAILED,
  PAYMENT_FAILED_SCHEMA,
  PAYMENT_REQUESTED,
  PAYMENT_REQUESTED_SCHEMA,
  PAYMENT_REVERSED,
  PAYMENT_REVERSED_SCHEMA,
  USER_REGISTERED,
  USER_REGISTERED_SCHEMA,
  WALLET_FUNDED,
  WALLET_FUNDED_SCHEMA,
  type PaymentCompletedEvent,
  type PaymentFailedEvent,
  type PaymentRequestedEvent,
  type PaymentReversedEvent,
  type UserRegisteredEvent,
  type WalletFundedEvent,
} from './events';
import {
  ALL_EVENT_TOPICS,
  deadLetterTopicOf,
  EVENT_TOPICS,
  valueSubjectOf,
  type DeadLetterTopic,
  type EventTopic,
  type ValueSubject,
} from './topics';

/**
 * Which event travels on which topic. Producers and consumers type their messages through this map,
 * so a payment-completed handler cannot be handed a wallet-funded event.
 */
export interface EventByTopic {
  'auth.user-registered.v1': UserRegisteredEvent;
  'wallet.wallet-funded.v1': WalletFundedEvent;
  'wallet.payment-requested.v1': PaymentRequestedEvent;
  'billing.payment-completed.v1': PaymentCompletedEvent;
  'billing.payment-failed.v1': PaymentFailedEvent;
  'wallet.payment-reversed.v1': PaymentReversedEvent;
}

/** Any integration event of the catalogue (a union discriminated by `metadata.eventType`). */
export type AnyIntegrationEvent = EventByTopic[EventTopic];

export type EventTypeOf<T extends EventTopic> = EventByTopic[T]['metadata']['eventType'];
export type EventType = EventTypeOf<EventTopic>;
export type PayloadOf<T extends EventTopic> = EventByTopic[T]['payload'];

/** Payload fields holding a string: the candidates for a message key. */
export type StringFieldOf<P> = { [K in keyof P]-?: P[K] extends string ? K : never }[keyof P] & string;

/** The service that owns (alone produces to) a topic. */
export type EventOwner = 'auth' | 'wallet' | 'billing';

/** Everything a producer, consumer or registry needs to know about one topic. */
export interface EventContract<T extends EventTopic> {
  readonly topic: T;
  readonly eventType: EventTypeOf<T>;
  readonly owner: EventOwner;
  /** The payload field whose value is the Kafka message key (so its events keep their order). */
  readonly keyField: StringFieldOf<PayloadOf<T>>;
  /** The self-contained Avro schema of the topic's values. */
  readonly schema: AvroRecordSchema;
  /** Registry subject of the values under TopicNameStrategy: `<topic>-value`. */
  readonly valueSubject: ValueSubject<T>;
  /** Where consumers park what they could not handle: `<topic>.dlq`. */
  readonly deadLetterTopic: DeadLetterTopic<T>;
}

function contract<T extends EventTopic>(
  topic: T,
  eventType: EventTypeOf<T>,
  owner: EventOwner,
  keyField: StringFieldOf<PayloadOf<T>>,
  schema: AvroRecordSchema,
): EventContract<T> {
  return Object.freeze({
    topic,
    eventType,
    owner,
    keyField,
    schema,
    valueSubject: valueSubjectOf(topic),
    deadLetterTopic: deadLetterTopicOf(topic),
  });
}

/**
 * The catalogue. Keys: a user's events by `userId`; every event about a wallet's money by
 * `walletId`, so one wallet's events stay in order on one partition and the wallet service's
 * consumers never race each other on the same wallet row (its optimistic-lock `version`).
 */
export const EVENT_CONTRACTS: { readonly [T in EventTopic]: EventContract<T> } = Object.freeze({
  [EVENT_TOPICS.userRegistered]: contract(EVENT_TOPICS.userRegistered, USER_REGISTERED, 'auth', 'userId', USER_REGISTERED_SCHEMA),
  [EVENT_TOPICS.walletFunded]: contract(EVENT_TOPICS.walletFunded, WALLET_FUNDED, 'wallet', 'walletId', WALLET_FUNDED_SCHEMA),
  [EVENT_TOPICS.paymentRequested]: contract(
    EVENT_TOPICS.paymentRequested,
    PAYMENT_REQUESTED,
    'wallet',
    'walletId',
    PAYMENT_REQUESTED_SCHEMA,
  ),
  [EVENT_TOPICS.paymentCompleted]: contract(
    EVENT_TOPICS.paymentCompleted,
    PAYMENT_COMPLETED,
    'billing',
    'walletId',
    PAYMENT_COMPLETED_SCHEMA,
  ),
  [EVENT_TOPICS.paymentFailed]: contract(EVENT_TOPICS.paymentFailed, PAYMENT_FAILED, 'billing', 'walletId', PAYMENT_FAILED_SCHEMA),
  [EVENT_TOPICS.paymentReversed]: contract(
    EVENT_TOPICS.paymentReversed,
    PAYMENT_REVERSED,
    'wallet',
    'walletId',
    PAYMENT_REVERSED_SCHEMA,
  ),
});

export function eventContractOf<T extends EventTopic>(topic: T): EventContract<T> {
  return EVENT_CONTRACTS[topic];
}

/** Every contract, in the order of `EVENT_TOPICS`. */
export const ALL_EVENT_CONTRACTS: readonly EventContract<EventTopic>[] = Object.freeze(
  ALL_EVENT_TOPICS.map((topic) => EVENT_CONTRACTS[topic] as EventContract<EventTopic>),
);

/** The Kafka message key of an event on `topic` (the value of the topic's `keyField`). */
export function eventKeyOf<T extends EventTopic>(topic: T, event: EventByTopic[T]): string {
  const { keyField } = EVENT_CONTRACTS[topic];
  return (event.payload as PayloadOf<T>)[keyField] as string;
}

/** The topic an event type travels on, e.g. `PaymentFailed` -> `billing.payment-failed.v1`. */
export function topicOfEventType(eventType: string): EventTopic | undefined {
  return ALL_EVENT_CONTRACTS.find((candidate) => candidate.eventType === eventType)?.topic;
}

/** Fully qualified Avro record name of a topic's values, e.g. `dev.billvending.events.v1.PaymentFailed`. */
export function recordNameOf(topic: EventTopic): string {
  return avroFullName(EVENT_CONTRACTS[topic].schema);
}
