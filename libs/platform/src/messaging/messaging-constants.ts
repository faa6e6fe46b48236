/** The channel enqueueEvent notifies on commit and the relay listens on, to publish without polling delay. */
export const OUTBOX_CHANNEL = 'bvs_outbox';

/**
 * Session advisory lock that makes one relay per database the publisher, so rows of one key leave
 * in id order even with several replicas. Advisory locks are scoped to the database, so services
 * sharing a PostgreSQL server do not contend. Distinct from the migration lock (7_317_001).
 */
export const OUTBOX_RELAY_LOCK_KEY = 7_317_002;

/** Kafka headers every published event carries (the Avro value stays the source of truth). */
export const EVENT_HEADERS = {
  eventId: 'event-id',
  eventType: 'event-type',
  correlationId: 'correlation-id',
} as const;

/** Headers a consumer adds when it parks a message on `<topic>.dlq`, next to the original ones. */
export const DEAD_LETTER_HEADERS = {
  reason: 'dlq-reason',
  attempts: 'dlq-attempts',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  consumer: 'dlq-consumer',
} as const;

/** The `alert` field of the log line written for every dead-lettered message; alerting keys on it. */
export const DEAD_LETTER_ALERT = 'DEAD_LETTER';

/** Where a consumer group with no committed offsets starts reading (EventConsumerOptions.newGroupStartsAt). */
export const NEW_GROUP_STARTS = ['earliest', 'latest'] as const;
export type NewGroupStart = (typeof NEW_GROUP_STARTS)[number];
