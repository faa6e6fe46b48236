import { HttpStatus } from '@nestjs/common';
import { InFlightLimit } from '@bvs/platform';
import type { NextFunction, Request, Response } from 'express';
import { ProblemError } from './problem-error';
import { writeProblem } from './problem-details.filter';

/** Probes must answer whatever the load: a liveness probe refused for load would restart a busy gateway. */
const EXEMPT_PATH = /^\/api\/health\//;

/**
 * Bounds the requests this gateway works on at once. When the machine is out of CPU, an unbounded
 * number of requests in flight is a queue whose wait grows until every client times out
 * (docs/benchmarks.md, runs that fell over at 200/s offered); past the bound a request is refused
 * at once with a 503 the client retries, which costs a fraction of the work of serving it.
 *
 * Route middleware, after the request logger, so refusals are logged like any other answer;
 * `onRefused` is told of each one (the gateway counts them for its metrics).
 */
export function requestAdmissionMiddleware(admission: InFlightLimit, onRefused: () => void) {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (EXEMPT_PATH.test(request.originalUrl)) return next();
    if (!admission.tryAcquire()) {
      onRefused();
      writeProblem(response, overloaded(admission.limit), request);
      return;
    }
    // 'close' follows every response, answered or abandoned by the client, exactly once.
    response.once('close', () => admission.release());
    next();
  };
}

function overloaded(maxInFlight: number): ProblemError {
  return new ProblemError(
    HttpStatus.SERVICE_UNAVAILABLE,
    'SERVICE.UNAVAILABLE',
    'Service Unavailable',
    `The gateway is working on its limit of ${maxInFlight} requests. Try again shortly; nothing was done.`,
    { 'Retry-After': '1' },
  );
}
