import { Type } from 'avsc';
import { ALL_EVENT_CONTRACTS, ALL_EVENT_TOPICS, EVENT_CONTRACTS, EVENT_TOPICS, eventMetadataProblems } from '@bvs/contracts';
import {
  BIGINT_LONG_TYPE,
  MalformedMessageError,
  parseAvroSchema,
  readWireHeader,
  writeWireFormat,
} from '../src/schema-registry';
import { BEYOND_SAFE_INTEGER, sampleEvent } from '../src/schema-registry/testing';

const AMOUNTS = [0n, 1n, -1n, 150_000n, BEYOND_SAFE_INTEGER, 2n ** 63n - 1n, -(2n ** 63n), 9_007_199_254_740_993n];

describe('Avro long <-> bigint', () => {
  const record = parseAvroSchema({
    type: 'record',
    name: 'Money',
    fields: [
      { name: 'amountMinor', type: 'long' },
      { name: 'objectForm', type: { type: 'long' } },
      { name: 'optional', type: ['null', 'long'], default: null },
      { name: 'list', type: { type: 'array', items: 'long' } },
      { name: 'defaulted', type: 'long', default: 7 },
    ],
  });

  it.each(AMOUNTS)('round-trips %p exactly, in every position a long can take', (amount) => {
    const value = { amountMinor: amount, objectForm: amount, optional: amount, list: [amount, 0n, amount], defaulted: amount };
    const decoded = record.fromBuffer(record.toBuffer(value));
    expect(decoded).toEqual(value);
    expect(typeof decoded.amountMinor).toBe('bigint');
  });

  it('writes the standard Avro zig-zag encoding, so other languages read the same number', () => {
    const plain = Type.forSchema('long'); // avsc's own long: numbers only, |n| <= 2^52
    const ours = parseAvroSchema({ type: 'record', name: 'L', fields: [{ name: 'v', type: 'long' }] });
    for (const n of [0, 1, -1, 150_000, 2 ** 52, -(2 ** 52)]) {
      expect(ours.toBuffer({ v: BigInt(n) })).toEqual(plain.toBuffer(n));
      expect(ours.fromBuffer(plain.toBuffer(n))).toEqual({ v: BigInt(n) });
    }
  });

  it('refuses numbers and out-of-range bigints instead of coercing them', () => {
    expect(() => record.toBuffer({ amountMinor: 5, objectForm: 1n, optional: null, list: [], defaulted: 1n })).toThrow();
    expect(() => record.toBuffer({ amountMinor: 2n ** 63n, objectForm: 1n, optional: null, list: [], defaulted: 1n })).toThrow();
    expect(BIGINT_LONG_TYPE.isValid(1)).toBe(false);
    expect(BIGINT_LONG_TYPE.isValid(1n)).toBe(true);
  });

  it('reads a field default (JSON number) as a bigint when resolving an older writer', () => {
    const older = parseAvroSchema({ type: 'record', name: 'Money', fields: [{ name: 'amountMinor', type: 'long' }] });
    const newer = parseAvroSchema({
      type: 'record',
      name: 'Money',
      fields: [
        { name: 'amountMinor', type: 'long' },
        { name: 'feeMinor', type: 'long', default: 0 },
      ],
    });
    const decoded = newer.fromBuffer(older.toBuffer({ amountMinor: BEYOND_SAFE_INTEGER }), newer.createResolver(older));
    expect(decoded).toEqual({ amountMinor: BEYOND_SAFE_INTEGER, feeMinor: 0n });
  });

  it('can parse the same named schema repeatedly (no shared avsc registry: no "duplicate type name")', () => {
    const schema = EVENT_CONTRACTS[EVENT_TOPICS.paymentRequested].schema;
    expect(() => {
      parseAvroSchema(schema);
      parseAvroSchema(schema);
    }).not.toThrow();
  });

  it('leaves a long with a logical type to avsc', () => {
    const stamped = parseAvroSchema({
      type: 'record',
      name: 'Stamped',
      fields: [{ name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }],
    });
    expect(stamped.fromBuffer(stamped.toBuffer({ at: 1_700_000_000_000 }))).toEqual({ at: 1_700_000_000_000 });
  });
});

describe('contract schemas with avsc', () => {
  it.each(ALL_EVENT_TOPICS)('%s parses as Avro and round-trips its sample event, bigints included', (topic) => {
    const type = parseAvroSchema(EVENT_CONTRACTS[topic].schema);
    expect(type.name).toBe(`dev.billvending.events.v1.${EVENT_CONTRACTS[topic].eventType}`);
    const event = sampleEvent(topic);
    const paths: string[] = [];
    expect(type.isValid(event, { errorHook: (path) => paths.push(path.join('.')) })).toBe(true);
    expect(paths).toEqual([]);
    expect(eventMetadataProblems(event.metadata)).toEqual([]);
    expect(type.fromBuffer(type.toBuffer(event))).toEqual(event);
  });

  it('parses with plain avsc too (no custom type needed to read our schemas)', () => {
    for (const { schema } of ALL_EVENT_CONTRACTS) expect(() => Type.forSchema(JSON.parse(JSON.stringify(schema)))).not.toThrow();
  });

  it('names the offending field when an amount is a number', () => {
    const type = parseAvroSchema(EVENT_CONTRACTS[EVENT_TOPICS.walletFunded].schema);
    const event = sampleEvent(EVENT_TOPICS.walletFunded);
    const paths: string[] = [];
    const bad = { ...event, payload: { ...event.payload, amountMinor: 100 } };
    expect(type.isValid(bad, { errorHook: (path) => paths.push(path.join('.')) })).toBe(false);
    expect(paths).toEqual(['payload.amountMinor']);
  });

  it('refuses an event without required metadata', () => {
    const type = parseAvroSchema(EVENT_CONTRACTS[EVENT_TOPICS.userRegistered].schema);
    const event = sampleEvent(EVENT_TOPICS.userRegistered);
    const { correlationId: _dropped, ...metadata } = event.metadata;
    expect(type.isValid({ ...event, metadata })).toBe(false);
  });
});

describe('Confluent wire format', () => {
  it('is magic byte 0, a big-endian int32 schema id, then the Avro body', () => {
    const message = writeWireFormat(0x01020304, Buffer.from([0xaa, 0xbb]));
    expect([...message]).toEqual([0, 1, 2, 3, 4, 0xaa, 0xbb]);
    const { schemaId, body } = readWireHeader(message);
    expect(schemaId).toBe(0x01020304);
    expect([...body]).toEqual([0xaa, 0xbb]);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['shorter than the header', Buffer.from([0, 0, 0, 1])],
    ['a wrong magic byte', Buffer.from([1, 0, 0, 0, 1, 2])],
    ['a non-positive schema id', Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 2])],
    ['JSON text', Buffer.from('{"eventId":"x"}')],
  ])('refuses %s with MalformedMessageError', (_label, bytes) => {
    expect(() => readWireHeader(bytes)).toThrow(MalformedMessageError);
  });

  it('refuses a null value (tombstone)', () => {
    expect(() => readWireHeader(null as unknown as Buffer)).toThrow(MalformedMessageError);
  });

  it('refuses schema ids that do not fit the header', () => {
    expect(() => writeWireFormat(0, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => writeWireFormat(2 ** 31, Buffer.alloc(0))).toThrow(RangeError);
  });
});
