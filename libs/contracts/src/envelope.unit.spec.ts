import type { AvroField, AvroRecordSchema } from './avro/avro-schema';
import {
  defineEventSchema,
  EVENT_METADATA_FIELDS,
  EVENT_METADATA_SCHEMA,
  EVENTS_NAMESPACE,
  eventMetadataProblems,
  isOccurredAt,
  type EventMetadata,
} from './envelope';

const valid: EventMetadata = {
  eventId: '0b6f8f1e-6d0b-4f5e-9a7a-3f2d5c1e9b10',
  eventType: 'PaymentCompleted',
  occurredAt: '2025-01-31T12:34:56.789Z',
  correlationId: 'req-42',
  causationId: null,
  producer: 'billing',
};

describe('event envelope', () => {
  it('declares every metadata field in the Avro record, in order', () => {
    expect(EVENT_METADATA_SCHEMA.fields.map((field) => field.name)).toEqual([...EVENT_METADATA_FIELDS]);
  });

  it('makes every metadata field required except causationId, which is nullable and defaults to null', () => {
    for (const field of EVENT_METADATA_SCHEMA.fields) {
      if (field.name === 'causationId') {
        expect(field.type).toEqual(['null', 'string']);
        expect(field.default).toBeNull();
      } else {
        expect(field).not.toHaveProperty('default');
        expect(JSON.stringify(field.type)).not.toContain('null');
      }
      expect(field.doc?.length ?? 0).toBeGreaterThan(10);
    }
  });

  it('builds <Name> { metadata, payload } with the metadata inlined and no schema references', () => {
    const payloadFields: AvroField[] = [{ name: 'x', type: 'string' }];
    const schema = defineEventSchema({ name: 'ThingHappened', doc: 'A thing happened.', payloadFields });
    expect(schema.namespace).toBe(EVENTS_NAMESPACE);
    expect(schema.fields.map((field) => field.name)).toEqual(['metadata', 'payload']);
    expect(schema.fields[0]?.type).toBe(EVENT_METADATA_SCHEMA);
    const payload = schema.fields[1]?.type as AvroRecordSchema;
    expect(payload.name).toBe('ThingHappenedPayload');
    expect(payload.fields).toBe(payloadFields);
  });

  it('accepts valid metadata', () => {
    expect(eventMetadataProblems(valid)).toEqual([]);
    expect(eventMetadataProblems({ ...valid, causationId: 'evt-1' })).toEqual([]);
  });

  it.each(EVENT_METADATA_FIELDS.filter((name) => name !== 'causationId'))('reports a missing or empty %s', (name) => {
    const { [name]: _removed, ...missing } = valid;
    expect(eventMetadataProblems(missing)).toEqual([expect.stringContaining(`metadata.${name}`)]);
    expect(eventMetadataProblems({ ...valid, [name]: '' })).toEqual([expect.stringContaining(`metadata.${name}`)]);
  });

  it('requires causationId to be present (null allowed, undefined not)', () => {
    const { causationId: _removed, ...missing } = valid;
    expect(eventMetadataProblems(missing)).toEqual([expect.stringContaining('metadata.causationId')]);
  });

  it('checks the formats of eventId and occurredAt', () => {
    expect(eventMetadataProblems({ ...valid, eventId: 'not-a-uuid' })).toEqual([expect.stringContaining('eventId')]);
    expect(eventMetadataProblems({ ...valid, occurredAt: '2025-01-31T12:34:56Z' })).toEqual([expect.stringContaining('occurredAt')]);
    expect(eventMetadataProblems(null)).toEqual(['metadata: not an object']);
  });

  it('accepts exactly what toISOString writes as occurredAt', () => {
    expect(isOccurredAt(new Date(0).toISOString())).toBe(true);
    expect(isOccurredAt('2025-01-31T12:34:56.789+01:00')).toBe(false);
    expect(isOccurredAt('2025-02-30T00:00:00.000Z')).toBe(false);
    expect(isOccurredAt('2025-01-31 12:34:56.789Z')).toBe(false);
  });
});
