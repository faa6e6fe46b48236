import {
  EVENT_CONTRACTS,
  eventMetadataProblems,
  type AvroType,
  type AvroUnionSchema,
  type EventByTopic,
  type EventTopic,
} from '@bvs/contracts';
import type { Type } from 'avsc';
import { EventValidationError, parseAvroSchema } from '../schema-registry';

/*
 * How an event sits in `outbox.payload` (jsonb) without losing a unit of money.
 *
 * Events carry Avro `long`s as `bigint`, which JSON cannot hold and a JS number would round past
 * 2^53. They are stored as decimal strings and turned back into `bigint` at relay time, guided by
 * the topic's Avro schema: only a field the schema declares a plain `long` is revived, so a string
 * field that happens to hold digits (a meter number, a token) stays a string. Storing JSON rather
 * than encoded bytes keeps enqueueing free of registry calls (a registry outage never fails a
 * payment) and keeps the rows readable to an operator.
 *
 * The form is checked at enqueue time, inside the caller's transaction: the event must match its
 * schema, and the stored form must revive to exactly the same Avro bytes. A row that passes can
 * always be encoded later, so a malformed event fails the business transaction that made it
 * instead of becoming a poison row that holds up the outbox.
 */

/** The JSON object stored in `outbox.payload`. */
export type OutboxPayload = Record<string, unknown>;

const contractTypes = new Map<EventTopic, Type>();

function contractType(topic: EventTopic): Type {
  let type = contractTypes.get(topic);
  if (type === undefined) {
    type = parseAvroSchema(EVENT_CONTRACTS[topic].schema);
    contractTypes.set(topic, type);
  }
  return type;
}

/**
 * Validates `event` against `topic`'s contract and returns its stored form. Throws
 * `EventValidationError` (nothing written) when the event does not fit the topic.
 */
export function toOutboxPayload<T extends EventTopic>(topic: T, event: EventByTopic[T]): OutboxPayload {
  const contract = EVENT_CONTRACTS[topic];
  const metadataPaths = eventMetadataProblems(event.metadata).map((problem) => (problem.split(':')[0] ?? 'metadata').split('.'));
  if (event.metadata.eventType !== contract.eventType) metadataPaths.push(['metadata', 'eventType']);
  if (metadataPaths.length > 0) throw new EventValidationError(topic, metadataPaths);

  const type = contractType(topic);
  const schemaPaths: string[][] = [];
  type.isValid(event, { errorHook: (path) => schemaPaths.push(path) });
  if (schemaPaths.length > 0) throw new EventValidationError(topic, schemaPaths);

  const payload = JSON.parse(JSON.stringify(event, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))) as OutboxPayload;
  if (!type.toBuffer(fromOutboxPayload(topic, payload)).equals(type.toBuffer(event))) {
    // Only reachable through a schema this revival cannot read unambiguously (a union of string and long).
    throw new Error(`toOutboxPayload: the schema of ${topic} cannot be stored losslessly as JSON; extend outbox-payload.ts`);
  }
  return payload;
}

/** The event back from its stored form, `long`s as `bigint` again. Not validated: encoding does that. */
export function fromOutboxPayload<T extends EventTopic>(topic: T, payload: unknown): EventByTopic[T] {
  return reviveLongs(EVENT_CONTRACTS[topic].schema, payload) as EventByTopic[T];
}

function reviveLongs(type: AvroType, value: unknown): unknown {
  if (isUnion(type)) {
    if (value === null) return null;
    const branches = type.filter((branch) => branch !== 'null' && !(typeof branch === 'object' && 'type' in branch && branch.type === 'null'));
    const [only] = branches;
    return branches.length === 1 && only !== undefined ? reviveLongs(only, value) : value;
  }
  if (typeof type === 'string') return type === 'long' ? toBigInt(value) : value;
  switch (type.type) {
    case 'record': {
      if (!isObject(value)) return value;
      const revived: Record<string, unknown> = { ...value };
      for (const field of type.fields) {
        if (field.name in revived) revived[field.name] = reviveLongs(field.type, revived[field.name]);
      }
      return revived;
    }
    case 'array':
      return Array.isArray(value) ? value.map((item: unknown) => reviveLongs(type.items, item)) : value;
    case 'map':
      return isObject(value) ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reviveLongs(type.values, item)])) : value;
    case 'enum':
      return value;
    default:
      // Same rule as the codec's bigint hook: a long with a logical type stays what avsc makes of it.
      return type.type === 'long' && type.logicalType === undefined ? toBigInt(value) : value;
  }
}

function toBigInt(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+$/.test(value) ? BigInt(value) : value;
}

function isUnion(type: AvroType): type is AvroUnionSchema {
  return Array.isArray(type);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
