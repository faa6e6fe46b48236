import { SchemaRegistryError } from './schema-registry.error';

/**
 * Bytes that are not a Confluent wire-format Avro message (no magic byte 0, shorter than the
 * 5-byte header, or an Avro body the writer schema cannot read). A poison message: dead-letter it.
 */
export class MalformedMessageError extends SchemaRegistryError {
  readonly code = 'SCHEMA_REGISTRY.MALFORMED_MESSAGE';
  readonly retriable = false;

  constructor(detail: string, options?: { cause?: unknown }) {
    super(`Not a readable wire-format message: ${detail}`, options);
  }
}
