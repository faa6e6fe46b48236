import { SchemaRegistryError } from './schema-registry.error';

/**
 * The registry does not know the schema id a message names (or the subject asked for). A message
 * written against another registry, or a registry that lost its storage; retrying does not help,
 * so consumers dead-letter the message.
 */
export class UnknownSchemaError extends SchemaRegistryError {
  readonly code = 'SCHEMA_REGISTRY.UNKNOWN_SCHEMA';
  readonly retriable = false;

  constructor(
    readonly schemaId: number | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Unknown schema${schemaId === undefined ? '' : ` id ${schemaId}`}: ${detail}`, options);
  }
}
