import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { ProblemError } from './problem-error';
import { writeProblem } from './problem-details.filter';

/**
 * JSON body parsing as route middleware, so it runs after the request logger and request id:
 * a refused body (too large, malformed, not JSON) is answered as problem+json and logged like
 * any other request, instead of falling through to Express's HTML error page.
 */
export function jsonBodyMiddleware(limitBytes: number) {
  const parse = express.json({ limit: limitBytes, strict: true });
  return (request: Request, response: Response, next: NextFunction): void => {
    if (hasBody(request) && !request.is('application/json')) {
      writeProblem(
        response,
        new ProblemError(415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type', 'Send the body as application/json.'),
        request,
      );
      return;
    }
    parse(request, response, (error?: unknown) => {
      if (error === undefined || error === null) return next();
      writeProblem(response, bodyProblem(error, limitBytes), request);
    });
  };
}

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

function bodyProblem(error: unknown, limitBytes: number): ProblemError {
  const type = (error as { type?: string }).type;
  if (type === 'entity.too.large') {
    return new ProblemError(413, 'REQUEST.TOO_LARGE', 'Content Too Large', `The body must not exceed ${limitBytes} bytes.`);
  }
  if (type === 'entity.parse.failed') {
    return new ProblemError(400, 'REQUEST.MALFORMED_JSON', 'Bad Request', 'The body is not valid JSON.');
  }
  return new ProblemError(400, 'REQUEST.UNREADABLE_BODY', 'Bad Request', 'The body could not be read.');
}
