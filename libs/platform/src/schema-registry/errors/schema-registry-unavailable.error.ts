import { SchemaRegistryError } from './schema-registry.error';

/**
 * The registry could not be reached or answered with a server error, after the client's bounded
 * retries (reads only) and within the per-request timeout. The same call may succeed later:
 * consumers should pause and retry, not dead-letter.
 */
export class SchemaRegistryUnavailableError extends SchemaRegistryError {
  readonly code = 'SCHEMA_REGISTRY.UNAVAILABLE';
  readonly retriable = true;

  constructor(
    readonly status: number | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Schema registry unavailable${status === undefined ? '' : ` (HTTP ${status})`}: ${detail}`, options);
  }
}
