import { SchemaRegistryError } from './schema-registry.error';

/**
 * The subject exists with a compatibility level other than the one this helper registers with
 * (BACKWARD by default). Happens when a subject was created outside this helper: Apicurio answers
 * an existing subject without its own rule with the global default (often NONE). Set the subject's
 * level once (`PUT /config/<subject>`) or delete the stray subject; never weaken the rule silently.
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
