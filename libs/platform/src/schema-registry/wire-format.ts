import { MalformedMessageError } from './errors/malformed-message.error';

/*
 * The Confluent wire format, which every Confluent-compatible (de)serializer in every language
 * reads: byte 0 is the magic byte 0, bytes 1-4 the schema id (big-endian signed int32), the rest
 * the Avro binary encoding of the value (no Avro container header).
 */

export const WIRE_MAGIC_BYTE = 0;
export const WIRE_HEADER_BYTES = 5;

export interface WireHeader {
  readonly schemaId: number;
  /** The Avro body (a view on the input buffer, not a copy). */
  readonly body: Buffer;
}

/** Splits a wire-format message into schema id and Avro body; {@link MalformedMessageError} if it is not one. */
export function readWireHeader(message: Buffer): WireHeader {
  if (!Buffer.isBuffer(message)) throw new MalformedMessageError('value is not a Buffer (a tombstone or a non-binary value?)');
  if (message.length < WIRE_HEADER_BYTES) {
    throw new MalformedMessageError(`${message.length} bytes, shorter than the ${WIRE_HEADER_BYTES}-byte header`);
  }
  const magic = message.readUInt8(0);
  if (magic !== WIRE_MAGIC_BYTE) throw new MalformedMessageError(`magic byte ${magic}, expected ${WIRE_MAGIC_BYTE}`);
  const schemaId = message.readInt32BE(1);
  if (schemaId <= 0) throw new MalformedMessageError(`schema id ${schemaId} is not positive`);
  return { schemaId, body: message.subarray(WIRE_HEADER_BYTES) };
}

/** Prefixes an Avro body with the magic byte and schema id. */
export function writeWireFormat(schemaId: number, body: Buffer): Buffer {
  if (!Number.isInteger(schemaId) || schemaId <= 0 || schemaId > 0x7fffffff) {
    throw new RangeError(`schema id ${schemaId} is not a positive int32`);
  }
  const header = Buffer.alloc(WIRE_HEADER_BYTES);
  header.writeUInt8(WIRE_MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}
