import { SchemaRegistryError } from './schema-registry.error';

/**
 * The registry holds no version of `subject` equal to the contract this build was made with. Only
 * the deploy step registers schemas (npm run schemas:register, ADR 0007), so a service that starts
 * before it, or runs a contract the deploy step never registered, waits here: retriable, since the
 * deploy step may still be on its way.
 */
export class SchemaNotRegisteredError extends SchemaRegistryError {
  readonly code = 'SCHEMA_REGISTRY.SCHEMA_NOT_REGISTERED';
  readonly retriable = true;

  constructor(
    readonly subject: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`No registered schema under ${subject} matches this build's contract (the deploy step registers them: npm run schemas:register): ${detail}`, options);
  }
}
