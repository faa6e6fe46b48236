/** How a refusal travels from a service to its caller; `code` is the stable, documented part. */
export interface ServiceErrorBody {
  /** Stable machine-readable code, `<AREA>.<REASON>`, e.g. `AUTH.INVALID_CREDENTIALS`. */
  readonly code: string;
  /** The HTTP status the edge answers with (4xx: the caller's fault, 5xx: ours). */
  readonly status: number;
  /** Human-readable explanation; never contains secrets or personal data. */
  readonly message: string;
  /** Optional structured detail, e.g. which field was wrong. */
  readonly details?: Readonly<Record<string, unknown>>;
}

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

  toBody(): ServiceErrorBody {
    return {
      code: this.code,
      status: this.status,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export const INTERNAL_ERROR: ServiceErrorBody = {
  code: 'INTERNAL.UNEXPECTED',
  status: 500,
  message: 'The service failed unexpectedly; the failure is logged with the request id.',
};
