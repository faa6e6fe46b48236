import { Type, types } from 'avsc';

type AvroParseOptions = NonNullable<Parameters<typeof Type.forSchema>[1]>;
type AvscSchema = Parameters<typeof Type.forSchema>[0];

/*
 * Avro `long` <-> JS `bigint`, exactly.
 *
 * avsc's default `long` is a JS number and refuses anything outside ±2^53 ("potential precision
 * loss"). Money is `long` minor units and must survive any value, so every plain `long` is read
 * as, and must be written from, a `bigint` (a `number` is refused, never coerced: an amount that
 * reached the codec as a float is a bug upstream).
 *
 * Why a type hook and not avsc's `registry: { long: ... }` option: avsc writes every named type it
 * parses into that registry object, and @kafkajs/confluent-schema-registry passes the same options
 * object to every parse. The second schema with the same record name (a new version, or a schema
 * fetched by id for decoding) would then fail with "duplicate type name". A hook keeps no state.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function isInt64(value: unknown): value is bigint {
  return typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX;
}

/** The avsc type used for every plain `long`: 8 bytes little-endian in, `bigint` out. */
export const BIGINT_LONG_TYPE: types.LongType = types.LongType.__with({
  fromBuffer: (buffer: Buffer): bigint => buffer.readBigInt64LE(0),
  toBuffer: (value: bigint): Buffer => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64LE(value, 0);
    return buffer;
  },
  // JSON appears only in schema defaults (`"default": 0`) and avsc's JSON helpers.
  fromJSON: (json: unknown): bigint => {
    if (typeof json === 'number' && Number.isSafeInteger(json)) return BigInt(json);
    if (typeof json === 'string' && /^-?\d+$/.test(json)) return BigInt(json);
    if (typeof json === 'bigint') return json;
    throw new TypeError(`not an Avro long: ${String(json)}`);
  },
  toJSON: (value: bigint): number => {
    // JSON numbers in JS are doubles: refuse rather than round.
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new RangeError(`long ${value} cannot be written as a JSON number without losing precision`);
    }
    return Number(value);
  },
  isValid: (value: unknown): boolean => isInt64(value),
  compare: (left: bigint, right: bigint): number => (left === right ? 0 : left < right ? -1 : 1),
});

/**
 * avsc `typeHook` that swaps in {@link BIGINT_LONG_TYPE} for `"long"` and `{ "type": "long" }`.
 * A `long` carrying a logical type (e.g. `timestamp-millis`) is left to avsc.
 */
export function bigintLongTypeHook(schema: AvscSchema): Type | undefined {
  if (schema === 'long') return BIGINT_LONG_TYPE;
  if (typeof schema === 'object' && schema !== null && !Array.isArray(schema)) {
    const candidate = schema as { type?: unknown; logicalType?: unknown };
    if (candidate.type === 'long' && candidate.logicalType === undefined) return BIGINT_LONG_TYPE;
  }
  return undefined;
}

/**
 * The avsc options every schema is parsed with, here and inside the registry client: bigint longs,
 * and records as plain data objects (no avsc methods on their prototype).
 */
export function avroParseOptions(): AvroParseOptions {
  return { typeHook: bigintLongTypeHook, omitRecordMethods: true };
}

/** Parses an Avro schema with {@link avroParseOptions}; what the codec and the tests use. */
export function parseAvroSchema(schema: object): Type {
  return Type.forSchema(schema as AvscSchema, avroParseOptions());
}
