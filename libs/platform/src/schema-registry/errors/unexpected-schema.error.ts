import { SchemaRegistryError } from './schema-registry.error';

/**
 * A message was written with a schema the topic's contract cannot read: another record type (a
 * message on the wrong topic) or a version the contract's schema cannot resolve. Dead-letter it.
 */
export class UnexpectedSchemaError extends SchemaRegistryError {
  readonly code = 'SCHEMA_REGISTRY.UNEXPECTED_SCHEMA';
  readonly retriable = false;

  constructor(
    readonly topic: string,
    readonly schemaId: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Message for ${topic} was written with schema id ${schemaId}, which its contract cannot read: ${detail}`, options);
  }
}
