import type { AvroField, AvroRecordSchema } from './avro/avro-schema';

/**
 * The envelope every integration event travels in.
 *
 * An event value on the wire is one Avro record with two fields:
 *
 * ```
 * <EventName> {
 *   metadata: EventMetadata   // the same fields for every event, described below
 *   payload:  <EventName>Payload  // the facts of this event, described with each event
 * }
 * ```
 *
 * The metadata is inlined in every schema (not a schema reference): each subject stands alone, so a
 * consumer in any language needs exactly one schema id to read a message, and Apicurio's
 * Confluent-compatible API (which has gaps with references) serves it fully.
 *
 * Kafka headers repeat `event-id`, `event-type` and `correlation-id` (so routers, dead-letter
 * tooling and log shippers can act without the schema) and carry the W3C `traceparent`. The Avro
 * value is the source of truth; a header that disagrees with it is a producer bug.
 */
export interface EventMetadata<TEventType extends string = string> {
  /**
   * The unique identifier of this event, a UUID (RFC 9562, lower case, any version; producers use
   * v4 or v7). Consumers use it to process an event only once: delivery is at least once, and a
   * redelivered event carries the same `eventId`. It is set once, when the producer records the
   * event (in the outbox row), and never changes on re-sends.
   */
  readonly eventId: string;
  /**
   * The type name of the event in PascalCase and the past tense, e.g. `PaymentCompleted`. Equal to
   * the unqualified Avro record name, and fixed per topic (see `EVENT_CONTRACTS`). Lets a consumer
   * of several topics, or a dead-letter tool, dispatch without knowing the topic.
   */
  readonly eventType: TEventType;
  /**
   * When the fact happened in the producing service, i.e. when its database transaction recorded
   * it, not when it was published. ISO-8601 in UTC with millisecond precision and a `Z` suffix,
   * exactly as `Date.prototype.toISOString()` writes it: `2025-01-31T12:34:56.789Z`.
   *
   * Chosen over Avro `timestamp-millis` because the text is exact, sorts lexically, reads the same
   * in logs, dead-letter dumps and every language without logical-type support, and keeps the
   * TypeScript type a plain string instead of a 64-bit integer.
   */
  readonly occurredAt: string;
  /**
   * Ties together everything done for one user intent: the gateway's request id (or the first
   * event's id when there was no request), copied unchanged into every command and event that
   * follows. Opaque text; logs and traces are searched by it.
   */
  readonly correlationId: string;
  /**
   * The `eventId` (or request id) of the message that directly caused this event, e.g. a
   * `PaymentFailed` event's id in the `PaymentReversed` it led to. `null` when the event was caused
   * by a user request rather than by another message.
   */
  readonly causationId: string | null;
  /**
   * The name of the service that produced the event (`auth`, `wallet`, `billing`): the owner in the
   * topic name. Helps tell a genuine event from a replay or a test tool's message.
   */
  readonly producer: string;
}

/** An integration event: the common metadata and the event's own facts. */
export interface IntegrationEvent<TEventType extends string, TPayload> {
  readonly metadata: EventMetadata<TEventType>;
  readonly payload: TPayload;
}

/** Namespace of every event record (and of the records nested in them). Versioned with the topics. */
export const EVENTS_NAMESPACE = 'dev.billvending.events.v1';

/** Fields of the metadata a producer must always set, in schema order. `causationId` may be null. */
export const EVENT_METADATA_FIELDS = ['eventId', 'eventType', 'occurredAt', 'correlationId', 'causationId', 'producer'] as const;

/** The Avro form of {@link EventMetadata}; inlined into every event schema. */
export const EVENT_METADATA_SCHEMA: AvroRecordSchema = {
  type: 'record',
  name: 'EventMetadata',
  namespace: EVENTS_NAMESPACE,
  doc: 'Envelope fields common to every integration event of the Bill Vending Service.',
  fields: [
    {
      name: 'eventId',
      type: { type: 'string', logicalType: 'uuid' },
      doc: 'Unique id of this event (UUID). Consumers deduplicate on it; re-sends keep it.',
    },
    {
      name: 'eventType',
      type: 'string',
      doc: 'PascalCase past-tense type name, equal to the unqualified record name, e.g. PaymentCompleted.',
    },
    {
      name: 'occurredAt',
      type: 'string',
      doc: 'When the producer recorded the fact: ISO-8601 UTC with milliseconds and Z, e.g. 2025-01-31T12:34:56.789Z.',
    },
    {
      name: 'correlationId',
      type: 'string',
      doc: 'Id of the originating request, copied into every message that follows from it.',
    },
    {
      name: 'causationId',
      type: ['null', 'string'],
      default: null,
      doc: 'Id of the message that directly caused this event; null when a user request caused it.',
    },
    {
      name: 'producer',
      type: 'string',
      doc: 'Name of the producing service (auth, wallet, billing).',
    },
  ],
};

export interface EventSchemaDefinition {
  /** PascalCase past-tense name; becomes the record name and the `eventType`. */
  readonly name: string;
  /** What happened and who should care; published with the schema. */
  readonly doc: string;
  /** The event's own facts. Amounts are `long` minor units; never float or double. */
  readonly payloadFields: readonly AvroField[];
}

/**
 * Builds the self-contained Avro schema of one event: `<name> { metadata, payload }` in
 * {@link EVENTS_NAMESPACE}, with the metadata record inlined.
 */
export function defineEventSchema(definition: EventSchemaDefinition): AvroRecordSchema {
  return {
    type: 'record',
    name: definition.name,
    namespace: EVENTS_NAMESPACE,
    doc: definition.doc,
    fields: [
      { name: 'metadata', type: EVENT_METADATA_SCHEMA, doc: 'Envelope: identity, time, correlation and origin of the event.' },
      {
        name: 'payload',
        type: {
          type: 'record',
          name: `${definition.name}Payload`,
          namespace: EVENTS_NAMESPACE,
          doc: `Facts of ${definition.name}.`,
          fields: definition.payloadFields,
        },
        doc: 'The facts of this event.',
      },
    ],
  };
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_UTC_MILLIS_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function isEventId(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** True for `YYYY-MM-DDTHH:mm:ss.sssZ` naming a real instant (what `toISOString()` writes). */
export function isOccurredAt(value: string): boolean {
  return ISO_UTC_MILLIS_PATTERN.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
}

/**
 * What is wrong with a value meant to be {@link EventMetadata}; empty when nothing is. For producers
 * to check before they record an event, and for consumers to reject a malformed one early.
 */
export function eventMetadataProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['metadata: not an object'];
  const fields = value as Record<string, unknown>;
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const field = fields[name];
    if (typeof field !== 'string' || field.length === 0) {
      problems.push(`metadata.${name}: required non-empty string`);
      return undefined;
    }
    return field;
  };
  const eventId = text('eventId');
  if (eventId !== undefined && !isEventId(eventId)) problems.push('metadata.eventId: not a lower-case UUID');
  text('eventType');
  const occurredAt = text('occurredAt');
  if (occurredAt !== undefined && !isOccurredAt(occurredAt)) {
    problems.push('metadata.occurredAt: not ISO-8601 UTC with milliseconds (YYYY-MM-DDTHH:mm:ss.sssZ)');
  }
  text('correlationId');
  const causationId = fields['causationId'];
  if (causationId !== null && (typeof causationId !== 'string' || causationId.length === 0)) {
    problems.push('metadata.causationId: required, a non-empty string or null');
  }
  text('producer');
  return problems;
}
