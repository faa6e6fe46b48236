import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { jsonNestingDepth } from './json-depth';
import { ProblemError } from './problem-error';
import { writeProblem } from './problem-details.filter';

/**
 * JSON body parsing as route middleware, so it runs after the request logger and request id:
 * a refused body (too large, malformed, not JSON) is answered as problem+json and logged like
 * any other request, instead of falling through to Express's HTML error page.
 */
/**
 * Objects and arrays nested deeper than this are refused before parsing. Every body of this API is
 * one flat object (depth 1); the bound leaves room and keeps recursion in the parser and the
 * validators shallow.
 */
export const MAX_JSON_DEPTH = 16;

class JsonTooDeep extends Error {}

/** A request whose JSON body was parsed here, with the bytes it was parsed from (a webhook's signature covers those). */
export type RequestWithRawBody = Request & { [RAW_BODY]?: Buffer };
const RAW_BODY = Symbol('raw JSON body');

/** The body exactly as it arrived, when it was JSON. */
export function rawBodyOf(request: RequestWithRawBody): Buffer | undefined {
  return request[RAW_BODY];
}

export function jsonBodyMiddleware(limitBytes: number) {
  const parse = express.json({
    limit: limitBytes,
    strict: true,
    verify: (request, _response, body) => {
      if (jsonNestingDepth(body) > MAX_JSON_DEPTH) throw new JsonTooDeep();
      // Kept by reference (the parser already holds these bytes): a signed webhook is checked against them.
      (request as RequestWithRawBody)[RAW_BODY] = body;
    },
  });
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
  if (error instanceof JsonTooDeep) {
    return new ProblemError(400, 'REQUEST.TOO_DEEP', 'Bad Request', `Objects and arrays in the body must not nest deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  const type = (error as { type?: string }).type;
  if (type === 'entity.too.large') {
    return new ProblemError(413, 'REQUEST.TOO_LARGE', 'Content Too Large', `The body must not exceed ${limitBytes} bytes.`);
  }
  if (type === 'entity.parse.failed') {
    return new ProblemError(400, 'REQUEST.MALFORMED_JSON', 'Bad Request', 'The body is not valid JSON.');
  }
  return new ProblemError(400, 'REQUEST.UNREADABLE_BODY', 'Bad Request', 'The body could not be read.');
}
