import type { AvroRecordSchema, AvroType } from './avro/avro-schema';
import { EVENTS_NAMESPACE } from './envelope';
import {
  ALL_EVENT_CONTRACTS,
  EVENT_CONTRACTS,
  eventKeyOf,
  recordNameOf,
  topicOfEventType,
  type EventByTopic,
} from './event-catalog';
import { ALL_EVENT_TOPICS, EVENT_TOPICS } from './topics';

const PAYLOAD_FIELDS: Record<string, string[]> = {
  [EVENT_TOPICS.userRegistered]: ['userId', 'email'],
  [EVENT_TOPICS.walletFunded]: ['walletId', 'userId', 'transactionId', 'amountMinor', 'currency', 'reference', 'availableAfterMinor', 'processorReference'],
  [EVENT_TOPICS.paymentRequested]: [
    'paymentId',
    'transactionId',
    'walletId',
    'userId',
    'amountMinor',
    'currency',
    'meterNumber',
    'providerCode',
    'clientReference',
  ],
  [EVENT_TOPICS.paymentCompleted]: [
    'paymentId',
    'transactionId',
    'walletId',
    'userId',
    'amountMinor',
    'currency',
    'token',
    'units',
    'providerReference',
  ],
  [EVENT_TOPICS.paymentFailed]: ['paymentId', 'transactionId', 'walletId', 'userId', 'amountMinor', 'currency', 'reasonCode', 'reasonMessage'],
  [EVENT_TOPICS.paymentReversed]: [
    'paymentId',
    'originalTransactionId',
    'reversalTransactionId',
    'walletId',
    'userId',
    'amountMinor',
    'currency',
  ],
};

function payloadOf(schema: AvroRecordSchema): AvroRecordSchema {
  const payload = schema.fields.find((field) => field.name === 'payload')?.type;
  if (typeof payload !== 'object' || Array.isArray(payload) || payload === null || !('fields' in payload)) {
    throw new Error(`${schema.name} has no payload record`);
  }
  return payload as AvroRecordSchema;
}

function primitiveNames(type: AvroType): string[] {
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return (type as readonly AvroType[]).flatMap(primitiveNames);
  const complex = type as Exclude<AvroType, string | readonly AvroType[]>;
  switch (complex.type) {
    case 'record':
      return complex.fields.flatMap((field) => primitiveNames(field.type));
    case 'array':
      return primitiveNames(complex.items);
    case 'map':
      return primitiveNames(complex.values);
    case 'enum':
      return ['enum'];
    default:
      return [complex.type];
  }
}

describe('event catalogue', () => {
  it('has one contract per topic, keyed by its own topic', () => {
    expect(Object.keys(EVENT_CONTRACTS).sort()).toEqual([...ALL_EVENT_TOPICS].sort());
    for (const contract of ALL_EVENT_CONTRACTS) {
      expect(EVENT_CONTRACTS[contract.topic]).toBe(contract);
      expect(contract.valueSubject).toBe(`${contract.topic}-value`);
      expect(contract.deadLetterTopic).toBe(`${contract.topic}.dlq`);
      expect(contract.topic.startsWith(`${contract.owner}.`)).toBe(true);
    }
  });

  it('names each record after its event type in the v1 namespace, with a doc', () => {
    for (const { topic, eventType, schema } of ALL_EVENT_CONTRACTS) {
      expect(schema.type).toBe('record');
      expect(schema.name).toBe(eventType);
      expect(schema.namespace).toBe(EVENTS_NAMESPACE);
      expect(recordNameOf(topic)).toBe(`dev.billvending.events.v1.${eventType}`);
      expect(schema.doc?.length ?? 0).toBeGreaterThan(20);
      expect(topicOfEventType(eventType)).toBe(topic);
    }
    expect(topicOfEventType('NoSuchEvent')).toBeUndefined();
  });

  it.each(ALL_EVENT_TOPICS)('%s has exactly the agreed payload fields, each documented', (topic) => {
    const payload = payloadOf(EVENT_CONTRACTS[topic].schema);
    expect(payload.fields.map((field) => field.name)).toEqual(PAYLOAD_FIELDS[topic]);
    for (const field of payload.fields) expect(field.doc?.length ?? 0).toBeGreaterThan(5);
    expect(payload.fields.map((field) => field.name)).toContain(EVENT_CONTRACTS[topic].keyField);
  });

  it('keeps money exact: amounts are long, and no float or double appears anywhere', () => {
    for (const { schema } of ALL_EVENT_CONTRACTS) {
      expect(primitiveNames(schema)).not.toEqual(expect.arrayContaining(['float']));
      expect(primitiveNames(schema)).not.toEqual(expect.arrayContaining(['double']));
      for (const field of payloadOf(schema).fields) {
        if (field.name.endsWith('Minor')) expect(field.type).toBe('long');
        if (field.type === 'long') expect(field.name).toMatch(/Minor$/);
      }
    }
  });

  it('keys wallet events by walletId and user events by userId', () => {
    const event: EventByTopic['billing.payment-failed.v1'] = {
      metadata: {
        eventId: '0b6f8f1e-6d0b-4f5e-9a7a-3f2d5c1e9b10',
        eventType: 'PaymentFailed',
        occurredAt: '2025-01-31T12:34:56.789Z',
        correlationId: 'req-1',
        causationId: null,
        producer: 'billing',
      },
      payload: {
        paymentId: 'p-1',
        transactionId: 't-1',
        walletId: 'w-1',
        userId: 'u-1',
        amountMinor: 150_000n,
        currency: 'NGN',
        reasonCode: 'PROVIDER.METER_BLOCKED',
        reasonMessage: 'Meter blocked',
      },
    };
    expect(eventKeyOf(EVENT_TOPICS.paymentFailed, event)).toBe('w-1');
    expect(EVENT_CONTRACTS[EVENT_TOPICS.userRegistered].keyField).toBe('userId');
    for (const { topic, keyField } of ALL_EVENT_CONTRACTS) {
      if (topic !== EVENT_TOPICS.userRegistered) expect(keyField).toBe('walletId');
    }
  });

  it('is serialisable as the JSON a registry stores (no functions, no cycles)', () => {
    for (const { schema } of ALL_EVENT_CONTRACTS) {
      expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    }
  });
});
