import { ArgumentsHost, Catch, Logger, RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { isRpcErrorBody, RpcErrorBody } from '@bvs/contracts';
import { Observable, throwError } from 'rxjs';
import { INTERNAL_ERROR, ServiceError } from '../errors';

/**
 * Turns whatever a message handler throws into the reply body the gateway understands.
 * A ServiceError keeps its code; anything else is a bug: it is logged here with its stack and
 * the caller learns only that it failed, so no internals leak over the wire.
 */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(RpcErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): Observable<RpcErrorBody> {
    return throwError(() => this.toBody(exception, host));
  }

  private toBody(exception: unknown, host: ArgumentsHost): RpcErrorBody {
    if (exception instanceof ServiceError) return exception.toBody();
    if (exception instanceof RpcException) {
      const error = exception.getError();
      if (isRpcErrorBody(error)) return error;
    }
    const pattern = host.getType() === 'rpc' ? String(host.switchToRpc().getContext<{ getTopic?: () => string }>().getTopic?.()) : 'unknown';
    this.logger.error({ err: exception, pattern }, 'Unhandled error in a message handler');
    return INTERNAL_ERROR;
  }
}
