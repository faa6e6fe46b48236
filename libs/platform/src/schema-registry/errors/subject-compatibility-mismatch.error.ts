import { SchemaRegistryError } from './schema-registry.error';

/**
 * The subject is under a compatibility level that the helper's own (BACKWARD_TRANSITIVE by
 * default) does not include, such as FORWARD or FULL: raising it to the helper's level would let
 * through changes the subject's level refuses, so the helper does not touch it. Also what the
 * client library reports when the level changes between the helper setting it and registering.
 * Decide which level is meant, and set it (`PUT /config/<subject>`) or the helper's on purpose.
 */
export class SubjectCompatibilityMismatchError extends SchemaRegistryError {
  readonly code = 'SCHEMA_REGISTRY.COMPATIBILITY_MISMATCH';
  readonly retriable = false;

  constructor(
    readonly subject: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Subject ${subject} has a different compatibility level than expected: ${detail}`, options);
  }
}
