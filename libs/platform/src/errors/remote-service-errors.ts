import type { ServiceErrorBody } from './service-error';

/**
 * What a caller (the gateway) sees when it calls a service. `method` names the call, e.g.
 * `bvs.wallet.v1.WalletService/FundWallet`.
 */

/** The service answered and refused or failed the request; carries its stable code. */
export class RemoteServiceError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    readonly method: string,
    body: ServiceErrorBody,
    /** The gRPC status the call ended with. */
    readonly grpcStatus: number,
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
    readonly method: string,
    readonly timeoutMs: number,
  ) {
    super(`No answer to ${method} within ${timeoutMs} ms`);
    this.name = 'ServiceTimeoutError';
  }
}

/** The request could not be delivered (no instance of the service answers). */
export class ServiceUnavailableError extends Error {
  constructor(
    readonly method: string,
    readonly reason: string,
  ) {
    super(`Could not call ${method}: ${reason}`);
    this.name = 'ServiceUnavailableError';
  }
}

/**
 * The call was cancelled, or never made, because whoever it was made for stopped waiting (an HTTP
 * client that hung up). Like a timeout, a call already sent may still take effect.
 */
export class CallAbandonedError extends Error {
  constructor(readonly method: string) {
    super(`${method} was cancelled: its caller stopped waiting`);
    this.name = 'CallAbandonedError';
  }
}
