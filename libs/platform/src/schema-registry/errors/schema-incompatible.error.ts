import { SchemaRegistryError } from './schema-registry.error';

/**
 * The registry refused a new schema version because it breaks the subject's compatibility rule
 * (BACKWARD_TRANSITIVE: consumers on the new schema must still read every message written with
 * any earlier one, e.g. a field added without a default). Fix the schema, or publish a new
 * `.v<N+1>` topic.
 */
export class SchemaIncompatibleError extends SchemaRegistryError {
  readonly code = 'SCHEMA_REGISTRY.SCHEMA_INCOMPATIBLE';
  readonly retriable = false;

  constructor(
    readonly subject: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Schema for subject ${subject} is incompatible with its earlier versions: ${detail}`, options);
  }
}
