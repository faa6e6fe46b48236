import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { INTERNAL_ERROR, ServiceError, type ServiceErrorBody } from '@bvs/platform';
import { isProcessorPath, processorErrorBody } from '../processor/http/processor-error-body';

/** How long a client should wait after a 503; short, because the simulator is never really down. */
const RETRY_AFTER_SECONDS = 1;

const HTTP_CODES: Readonly<Record<number, string>> = {
  400: 'REQUEST.INVALID',
  404: 'ROUTE.NOT_FOUND',
  405: 'ROUTE.METHOD_NOT_ALLOWED',
  413: 'REQUEST.TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
};

/**
 * Every error leaves as JSON `{ code, status, message, details? }` with a stable code, whatever
 * raised it: our refusals, the framework's (unknown route, malformed JSON), or a bug (500, logged).
 * Under /processor it leaves in Paystack's shape instead, `{ status: false, message }`, since that
 * API imitates Paystack's for clients written against the real one.
 */
@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorResponseFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const body = this.toBody(exception);
    // A dropped connection (timeout simulation) or a half-sent answer has no one left to tell.
    if (response.headersSent || response.destroyed) return;
    if (body.status === 503) response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    response.status(body.status).json(isProcessorPath(http.getRequest<Request>().path) ? processorErrorBody(body) : body);
  }

  private toBody(exception: unknown): ServiceErrorBody {
    if (exception instanceof ServiceError) return exception.toBody();
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      return { code: HTTP_CODES[status] ?? 'REQUEST.INVALID', status, message: exception.message };
    }
    this.logger.error({ err: exception }, 'Request failed');
    return INTERNAL_ERROR;
  }
}
