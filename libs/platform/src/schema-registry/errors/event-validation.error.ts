import { SchemaRegistryError } from './schema-registry.error';

/**
 * An event did not match its topic's schema when encoding (a missing field, a `number` where the
 * schema has a `long` and a `bigint` is required, ...). A bug in the producer; nothing was sent.
 */
export class EventValidationError extends SchemaRegistryError {
  readonly code = 'SCHEMA_REGISTRY.INVALID_EVENT';
  readonly retriable = false;

  constructor(
    readonly topic: string,
    /** Paths of the offending values, e.g. `['payload', 'amountMinor']`. */
    readonly paths: readonly (readonly string[])[],
    options?: { cause?: unknown },
  ) {
    const where = paths.length === 0 ? 'the event' : paths.map((path) => path.join('.') || '(root)').join(', ');
    super(`Event for ${topic} does not match its schema at: ${where}`, options);
  }
}
