import {
  ConfluentSchemaRegistryArgumentError,
  ConfluentSchemaRegistryCompatibilityError,
  ConfluentSchemaRegistryInvalidSchemaError,
  ConfluentSchemaRegistryValidationError,
} from '@kafkajs/confluent-schema-registry/dist/errors';
import { InvalidSchemaError } from './errors/invalid-schema.error';
import { SchemaIncompatibleError } from './errors/schema-incompatible.error';
import { SchemaRegistryRequestError } from './errors/schema-registry-request.error';
import { SchemaRegistryUnavailableError } from './errors/schema-registry-unavailable.error';
import { SchemaNotRegisteredError } from './errors/schema-not-registered.error';
import { SchemaRegistryError } from './errors/schema-registry.error';
import { SubjectCompatibilityMismatchError } from './errors/subject-compatibility-mismatch.error';
import { UnknownSchemaError } from './errors/unknown-schema.error';

/** What the failed call was doing; decides what a 404 or a 409 means. */
export type RegistryOperation =
  | { readonly kind: 'register'; readonly subject: string }
  | { readonly kind: 'lookup'; readonly subject: string }
  | { readonly kind: 'fetch-schema'; readonly schemaId: number };

/**
 * The client reports an HTTP failure as a `ResponseError` (not exported by the library) carrying
 * `status`. Network failures and timeouts arrive as status 400 with the socket error in the text,
 * because mappersmith turns client-side errors into a synthetic 400 response.
 */
interface ClientResponseError extends Error {
  readonly status: number;
}

function isClientResponseError(error: unknown): error is ClientResponseError {
  return error instanceof Error && error.name === 'ResponseError' && typeof (error as { status?: unknown }).status === 'number';
}

const NETWORK_FAILURE = /\b(ECONNREFUSED|ECONNRESET|ECONNABORTED|ETIMEDOUT|EPIPE|EHOSTUNREACH|EHOSTDOWN|ENETUNREACH|ENOTFOUND|EAI_AGAIN|socket hang up)\b|\bTimeout \(\d+ms\)/i;

/** True when an error message describes a failure to reach the registry rather than its answer. */
export function isNetworkFailureMessage(message: string): boolean {
  return NETWORK_FAILURE.test(message);
}

/**
 * Turns what @kafkajs/confluent-schema-registry (and mappersmith under it) throws into this
 * library's named errors. Errors it does not recognise (bugs) are returned unchanged so they stay
 * loud. The original error is kept as `cause`.
 */
export function translateRegistryError(error: unknown, operation: RegistryOperation): unknown {
  if (error instanceof SchemaRegistryError) return error;
  const subject = operation.kind === 'fetch-schema' ? undefined : operation.subject;
  const schemaId = operation.kind === 'fetch-schema' ? operation.schemaId : undefined;

  if (error instanceof ConfluentSchemaRegistryCompatibilityError) {
    return new SubjectCompatibilityMismatchError(subject ?? '(unknown)', error.message, { cause: error });
  }
  if (error instanceof ConfluentSchemaRegistryInvalidSchemaError || error instanceof ConfluentSchemaRegistryArgumentError) {
    return operation.kind === 'register'
      ? new InvalidSchemaError(subject, error.message, { cause: error })
      : new UnknownSchemaError(schemaId, `the registry returned a schema that cannot be parsed: ${error.message}`, { cause: error });
  }
  if (error instanceof ConfluentSchemaRegistryValidationError) {
    return new InvalidSchemaError(subject, error.message, { cause: error });
  }
  if (isClientResponseError(error)) {
    const { status, message } = error;
    if (status === 409 && operation.kind === 'register') return new SchemaIncompatibleError(operation.subject, message, { cause: error });
    if (status === 422) return new InvalidSchemaError(subject, message, { cause: error });
    if (status === 404 && operation.kind === 'lookup') return new SchemaNotRegisteredError(operation.subject, message, { cause: error });
    if (status === 404) return new UnknownSchemaError(schemaId, message, { cause: error });
    if (status === 408 || status === 429 || status >= 500) return new SchemaRegistryUnavailableError(status, message, { cause: error });
    if (isNetworkFailureMessage(message)) return new SchemaRegistryUnavailableError(undefined, message, { cause: error });
    return new SchemaRegistryRequestError(status, message, { cause: error });
  }
  if (error instanceof Error && isNetworkFailureMessage(error.message)) {
    return new SchemaRegistryUnavailableError(undefined, error.message, { cause: error });
  }
  return error;
}
