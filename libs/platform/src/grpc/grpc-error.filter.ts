import { ArgumentsHost, Catch, Logger, RpcExceptionFilter } from '@nestjs/common';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { Observable, throwError } from 'rxjs';
import { INTERNAL_ERROR, ServiceError, ServiceErrorBody } from '../errors';
import { isDatabaseUnavailable } from '../persistence/database-unavailable';
import { errorMetadataOf, grpcStatusForHttp } from './grpc-status-mapping';

/** What grpc-js sends when a handler fails: the status, its text, and the trailing metadata. */
interface GrpcErrorReply {
  readonly code: number;
  readonly details: string;
  readonly metadata: ReturnType<typeof errorMetadataOf>;
}

/** The database is away or every pooled connection stayed busy: nothing was written, and the same request may be sent again. */
const DATABASE_UNAVAILABLE: ServiceErrorBody = {
  code: 'SERVICE.UNAVAILABLE',
  status: 503,
  message: 'The service cannot reach its database right now; send the same request again shortly.',
};

/**
 * Turns whatever a gRPC handler throws into a gRPC error. A ServiceError keeps its code and HTTP
 * status (in metadata, see grpc-status-mapping). A database that cannot be reached, or a pool with
 * no connection to spare, is 503 (UNAVAILABLE): the request did nothing and may be retried.
 * Anything else is a bug: it is logged here with its stack and the caller learns only that it
 * failed, so no internals leak over the wire.
 */
@Catch()
export class GrpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(GrpcErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    // A protocol-level answer built on purpose (the health service's NOT_FOUND) goes out as it is.
    if (exception instanceof RpcException && isGrpcStatusError(exception.getError())) return throwError(() => exception.getError());
    const body = this.bodyOf(exception, host);
    const reply: GrpcErrorReply = { code: grpcStatusForHttp(body.status), details: body.message, metadata: errorMetadataOf(body) };
    return throwError(() => reply);
  }

  private bodyOf(exception: unknown, host: ArgumentsHost): ServiceErrorBody {
    if (exception instanceof ServiceError) return exception.toBody();
    const call = host.getArgByIndex<ServerUnaryCall<unknown, unknown> | undefined>(2);
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn({ err: exception, method: call?.getPath?.() }, 'Database unavailable to a gRPC handler; answered 503');
      return DATABASE_UNAVAILABLE;
    }
    this.logger.error({ err: exception, method: call?.getPath?.() }, 'Unhandled error in a gRPC handler');
    return INTERNAL_ERROR;
  }
}

function isGrpcStatusError(error: unknown): error is { code: number; message: string } {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number';
}
