/**
 * Kafka topic names of the public integration events.
 *
 * Naming: `<owner>.<event>.v<N>`. The owner is the only service that produces to the topic; the
 * event is a past-tense fact in kebab case; `v<N>` changes only for a break the schema registry's
 * BACKWARD_TRANSITIVE rule cannot absorb, and then both topics live side by side while consumers move over.
 *
 * Every topic has a dead-letter twin `<topic>.dlq` where a consumer parks a message it could not
 * handle after its bounded retries (the original bytes, key and headers, plus the failure).
 * Kafka carries these events only: calls a user waits on go over gRPC (proto/).
 */
/**
 * Partitions of every event topic (and its dead-letter twin). They bound how many replicas of a
 * consuming service share the work, so every HorizontalPodAutoscaler maximum in deploy/ stays at
 * or below this (a unit test checks it); more partitions later is possible, fewer is not.
 */
export const EVENT_TOPIC_PARTITIONS = 12;

export const EVENT_TOPICS = {
  userRegistered: 'auth.user-registered.v1',
  walletFunded: 'wallet.wallet-funded.v1',
  paymentRequested: 'wallet.payment-requested.v1',
  paymentCompleted: 'billing.payment-completed.v1',
  paymentFailed: 'billing.payment-failed.v1',
  paymentReversed: 'wallet.payment-reversed.v1',
} as const;

/** Any event topic of the catalogue, e.g. `'wallet.payment-requested.v1'`. */
export type EventTopic = (typeof EVENT_TOPICS)[keyof typeof EVENT_TOPICS];

/** Every event topic, in the order of {@link EVENT_TOPICS}. */
export const ALL_EVENT_TOPICS: readonly EventTopic[] = Object.freeze(Object.values(EVENT_TOPICS));

export const DEAD_LETTER_SUFFIX = '.dlq';

/** The dead-letter topic of `topic`, e.g. `'billing.payment-failed.v1.dlq'`. */
export type DeadLetterTopic<T extends string = EventTopic> = `${T}${typeof DEAD_LETTER_SUFFIX}`;

/** Name of the dead-letter topic for `topic`: `<topic>.dlq`. Refuses a name that already is one. */
export function deadLetterTopicOf<T extends string>(topic: T): DeadLetterTopic<T> {
  if (topic.length === 0) throw new Error('deadLetterTopicOf: empty topic name');
  if (isDeadLetterTopic(topic)) throw new Error(`deadLetterTopicOf: ${topic} is already a dead-letter topic`);
  return `${topic}${DEAD_LETTER_SUFFIX}`;
}

export function isDeadLetterTopic(topic: string): topic is DeadLetterTopic<string> {
  return topic.endsWith(DEAD_LETTER_SUFFIX);
}

/** The topic a dead-letter topic belongs to: `'x.y.v1.dlq'` -> `'x.y.v1'`. */
export function sourceTopicOf<T extends string>(deadLetterTopic: DeadLetterTopic<T>): T {
  return deadLetterTopic.slice(0, -DEAD_LETTER_SUFFIX.length) as T;
}

export function isEventTopic(topic: string): topic is EventTopic {
  return (ALL_EVENT_TOPICS as readonly string[]).includes(topic);
}

/**
 * The schema registry subject of a topic's values under Confluent's default TopicNameStrategy:
 * `<topic>-value`. Any Confluent-compatible serializer, in any language, looks schemas up there.
 */
export type ValueSubject<T extends string = EventTopic> = `${T}-value`;

export function valueSubjectOf<T extends string>(topic: T): ValueSubject<T> {
  return `${topic}-value`;
}
