/**
 * Base of every failure the schema-registry helper reports. `code` is stable (`SCHEMA_REGISTRY.*`);
 * `retriable` says whether the same call may succeed later unchanged (the registry was unreachable
 * or overloaded) or whether something must change first (a schema, a message, the code).
 */
export abstract class SchemaRegistryError extends Error {
  abstract readonly code: string;
  abstract readonly retriable: boolean;

  protected constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
