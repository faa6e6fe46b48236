import type { RpcErrorBody } from '@bvs/contracts';

/** The service answered and refused or failed the request; carries its stable code. */
export class RemoteServiceError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    readonly pattern: string,
    body: RpcErrorBody,
  ) {
    super(body.message);
    this.name = 'RemoteServiceError';
    this.code = body.code;
    this.status = body.status;
    this.details = body.details;
  }
}

/**
 * No answer within the deadline. The request may still take effect later, so callers must
 * not assume it failed: mutating requests are made safe to retry by their client reference.
 */
export class ServiceTimeoutError extends Error {
  constructor(
    readonly pattern: string,
    readonly timeoutMs: number,
  ) {
    super(`No reply to ${pattern} within ${timeoutMs} ms`);
    this.name = 'ServiceTimeoutError';
  }
}

/** The request could not be sent at all (broker down, reply topic not assigned yet). */
export class ServiceUnavailableError extends Error {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`Could not send ${pattern}: ${reason}`);
    this.name = 'ServiceUnavailableError';
  }
}
