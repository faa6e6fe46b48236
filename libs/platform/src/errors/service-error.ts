import type { RpcErrorBody } from '@bvs/contracts';

/**
 * A refusal or failure the service means to report, with a stable code. Anything else that is
 * thrown is a bug and reaches the caller only as `INTERNAL.UNEXPECTED`.
 */
export class ServiceError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'ServiceError';
  }

  toBody(): RpcErrorBody {
    return {
      code: this.code,
      status: this.status,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export const INTERNAL_ERROR: RpcErrorBody = {
  code: 'INTERNAL.UNEXPECTED',
  status: 500,
  message: 'The service failed unexpectedly; the failure is logged with the request id.',
};
