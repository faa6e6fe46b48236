import { SchemaRegistryError } from './schema-registry.error';

/**
 * The registry refused a request for a reason none of the specific errors covers (401/403, an
 * unexpected 4xx). Usually configuration: wrong URL path, credentials, or API version.
 */
export class SchemaRegistryRequestError extends SchemaRegistryError {
  readonly code = 'SCHEMA_REGISTRY.REQUEST_REFUSED';
  readonly retriable = false;

  constructor(
    readonly status: number | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Schema registry refused the request${status === undefined ? '' : ` (HTTP ${status})`}: ${detail}`, options);
  }
}
