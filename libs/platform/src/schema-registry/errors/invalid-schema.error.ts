import { SchemaRegistryError } from './schema-registry.error';

/** The schema itself is not valid Avro (refused locally by the parser, or by the registry with 422). */
export class InvalidSchemaError extends SchemaRegistryError {
  readonly code = 'SCHEMA_REGISTRY.INVALID_SCHEMA';
  readonly retriable = false;

  constructor(
    readonly subject: string | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Invalid Avro schema${subject === undefined ? '' : ` for subject ${subject}`}: ${detail}`, options);
  }
}
