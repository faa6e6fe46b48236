/**
 * What a service sends back over Kafka request-reply when it refuses or fails a request.
 * The gateway turns it into RFC 9457 problem details; `code` is the stable, documented part.
 */
export interface RpcErrorBody {
  /** Stable machine-readable code, `<AREA>.<REASON>`, e.g. `AUTH.EMAIL_TAKEN`. */
  readonly code: string;
  /** The HTTP status the edge should answer with (4xx: the caller's fault, 5xx: ours). */
  readonly status: number;
  /** Human-readable explanation; never contains secrets or personal data. */
  readonly message: string;
  /** Optional structured detail, e.g. which field was wrong. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export function isRpcErrorBody(value: unknown): value is RpcErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate['code'] === 'string' &&
    typeof candidate['status'] === 'number' &&
    typeof candidate['message'] === 'string'
  );
}

/** Kafka header carrying the gateway's request id on every request; it becomes the correlation id. */
export const RPC_REQUEST_ID_HEADER = 'x-request-id';
