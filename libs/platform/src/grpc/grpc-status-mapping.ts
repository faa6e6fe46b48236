import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import type { ServiceErrorBody } from '../errors';

/**
 * A refusal keeps its stable code and HTTP status across gRPC in trailing metadata, so the gateway
 * answers exactly what it answered before the move to gRPC. The gRPC status alongside is the
 * standard one for that HTTP status, for any other gRPC client.
 */
export const ERROR_CODE_METADATA = 'bvs-error-code';
export const HTTP_STATUS_METADATA = 'bvs-http-status';
export const ERROR_DETAILS_METADATA = 'bvs-error-details';
/** Caps what a service may put in the details metadata: headers are not a payload channel. */
const MAX_DETAILS_BYTES = 4_096;

export function grpcStatusForHttp(httpStatus: number): GrpcStatus {
  switch (httpStatus) {
    case 400:
    case 422:
      return GrpcStatus.INVALID_ARGUMENT;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.NOT_FOUND;
    case 409:
      return GrpcStatus.ALREADY_EXISTS;
    case 412:
      return GrpcStatus.FAILED_PRECONDITION;
    case 429:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 501:
      return GrpcStatus.UNIMPLEMENTED;
    case 503:
      return GrpcStatus.UNAVAILABLE;
    case 504:
      return GrpcStatus.DEADLINE_EXCEEDED;
    default:
      return httpStatus >= 400 && httpStatus < 500 ? GrpcStatus.FAILED_PRECONDITION : GrpcStatus.INTERNAL;
  }
}

/** The HTTP status for a gRPC status that came without our metadata (e.g. from grpc-js itself). */
export function httpStatusForGrpc(code: GrpcStatus): number {
  switch (code) {
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.OUT_OF_RANGE:
      return 400;
    case GrpcStatus.UNAUTHENTICATED:
      return 401;
    case GrpcStatus.PERMISSION_DENIED:
      return 403;
    case GrpcStatus.NOT_FOUND:
      return 404;
    case GrpcStatus.ALREADY_EXISTS:
    case GrpcStatus.ABORTED:
      return 409;
    case GrpcStatus.FAILED_PRECONDITION:
      return 412;
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return 429;
    case GrpcStatus.UNIMPLEMENTED:
      return 501;
    case GrpcStatus.UNAVAILABLE:
      return 503;
    case GrpcStatus.DEADLINE_EXCEEDED:
      return 504;
    default:
      return 500;
  }
}

export function errorMetadataOf(body: ServiceErrorBody): Metadata {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA, body.code);
  metadata.set(HTTP_STATUS_METADATA, String(body.status));
  if (body.details) {
    const json = JSON.stringify(body.details);
    if (Buffer.byteLength(json) <= MAX_DETAILS_BYTES) metadata.set(ERROR_DETAILS_METADATA, json);
  }
  return metadata;
}

/** Reads our refusal back from a gRPC error's metadata; undefined when it carries none. */
export function errorBodyFromMetadata(metadata: Metadata | undefined, message: string): ServiceErrorBody | undefined {
  const code = metadata?.get(ERROR_CODE_METADATA)[0];
  const status = Number(metadata?.get(HTTP_STATUS_METADATA)[0]);
  if (typeof code !== 'string' || !Number.isInteger(status) || status < 400 || status > 599) return undefined;
  const rawDetails = metadata?.get(ERROR_DETAILS_METADATA)[0];
  let details: Readonly<Record<string, unknown>> | undefined;
  if (typeof rawDetails === 'string') {
    try {
      const parsed: unknown = JSON.parse(rawDetails);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) details = parsed as Record<string, unknown>;
    } catch {
      // Details that do not parse are dropped; the code and status still hold.
    }
  }
  return { code, status, message, ...(details ? { details } : {}) };
}
