import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { CallAbandonedError, RemoteServiceError, ServiceTimeoutError, ServiceUnavailableError } from '@bvs/platform';
import type { Request, Response } from 'express';
import { ProblemError } from './problem-error';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, problemTypeOf } from './problem-details';

/** Seconds a client should wait before retrying when a service behind the gateway is slow or away. */
export const RETRY_AFTER_SECONDS = 5;
/** nginx's status for a request whose client hung up before the answer: never seen by a client, only by our own logs. */
const CLIENT_CLOSED_REQUEST = 499;

const HTTP_CODES: Readonly<Record<number, string>> = {
  400: 'REQUEST.INVALID',
  401: 'AUTH.UNAUTHENTICATED',
  403: 'AUTH.FORBIDDEN',
  404: 'ROUTE.NOT_FOUND',
  405: 'ROUTE.METHOD_NOT_ALLOWED',
  413: 'REQUEST.TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/**
 * Every error leaves the gateway as problem+json with a stable code and the request id: ours,
 * the services' (their code and 4xx status kept), and the framework's. 5xx means our fault only.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<Request & { id?: unknown }>();
    const response = context.getResponse<Response>();
    const problem = this.toProblem(exception);
    this.logCause(exception, problem);
    writeProblem(response, problem, request);
  }

  /**
   * A failure on our side is logged with its cause at error level. A 503 is a refusal, not a
   * failure: nothing was done and the client was told when to come back (a store out of reach, a
   * backend shedding load). Under load there are many, each with its cause, so they go at warn
   * level, and error lines stay the ones someone must read. A backend that timed out or had no
   * instance says nothing beyond the access log's status.
   */
  private logCause(exception: unknown, problem: ProblemError): void {
    if (problem.status < 500 || exception instanceof ServiceTimeoutError || exception instanceof ServiceUnavailableError) return;
    if (problem.status === HttpStatus.SERVICE_UNAVAILABLE) this.logger.warn({ err: exception }, 'Request refused for now');
    else this.logger.error({ err: exception }, 'Request failed');
  }

  private toProblem(exception: unknown): ProblemError {
    if (exception instanceof ProblemError) return exception;
    if (exception instanceof RemoteServiceError) {
      const status = exception.status >= 400 && exception.status <= 599 ? exception.status : HttpStatus.BAD_GATEWAY;
      const field = exception.details?.['field'];
      const errors = typeof field === 'string' ? [{ field, messages: [exception.message] }] : undefined;
      const headers: Record<string, string> = status === HttpStatus.SERVICE_UNAVAILABLE ? { 'Retry-After': String(RETRY_AFTER_SECONDS) } : {};
      return new ProblemError(status, exception.code, titleOf(status), exception.message, headers, errors);
    }
    if (exception instanceof ServiceTimeoutError) {
      return new ProblemError(
        HttpStatus.GATEWAY_TIMEOUT,
        'SERVICE.TIMEOUT',
        titleOf(HttpStatus.GATEWAY_TIMEOUT),
        'A service did not answer in time. The request may still complete; retrying with the same reference is safe.',
        { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      );
    }
    if (exception instanceof CallAbandonedError) {
      // Nobody reads this answer (the client hung up); the access log records the request as aborted.
      return new ProblemError(CLIENT_CLOSED_REQUEST, 'REQUEST.CLIENT_CLOSED', 'Client Closed Request', 'The client closed the connection before the answer.');
    }
    if (exception instanceof ServiceUnavailableError) {
      return new ProblemError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'SERVICE.UNAVAILABLE',
        titleOf(HttpStatus.SERVICE_UNAVAILABLE),
        'A service needed for this request is unavailable. Try again shortly.',
        { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      );
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = HTTP_CODES[status] ?? (status >= 500 ? 'INTERNAL.UNEXPECTED' : 'REQUEST.INVALID');
      return new ProblemError(status, code, titleOf(status), status >= 500 ? 'The request failed on our side.' : exception.message);
    }
    return new ProblemError(
      HttpStatus.INTERNAL_SERVER_ERROR,
      'INTERNAL.UNEXPECTED',
      titleOf(500),
      'The request failed on our side; the failure is logged with the request id.',
    );
  }
}

export function writeProblem(response: Response, problem: ProblemError, request: Request & { id?: unknown }): void {
  const requestId = String(request.id ?? response.getHeader('x-request-id') ?? '');
  const body: ProblemDetails = {
    type: problemTypeOf(problem.code),
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance: request.originalUrl.split('?')[0] ?? request.originalUrl,
    code: problem.code,
    requestId,
    ...(problem.errors ? { errors: problem.errors.map((error) => ({ field: error.field, messages: [...error.messages] })) } : {}),
  };
  for (const [name, value] of Object.entries(problem.headers)) response.setHeader(name, value);
  response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

function titleOf(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
