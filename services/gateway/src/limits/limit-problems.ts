import { HttpStatus } from '@nestjs/common';
import { RedisUnavailableError } from '@bvs/platform';
import { ProblemError } from '../http/problem-error';

/** 429 with the seconds left in the window, rounded up so a client that waits them gets through. */
export function tooManyRequests(retryAfterMs: number, scope: string): ProblemError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1_000));
  return new ProblemError(HttpStatus.TOO_MANY_REQUESTS, 'RATE_LIMITED', 'Too Many Requests', `Too many requests ${scope}; try again in ${seconds} s.`, {
    'Retry-After': String(seconds),
  });
}

/** Limits and revocations live in Redis; without it the gateway refuses rather than guess. */
export function redisUnavailable(error: unknown): unknown {
  if (!(error instanceof RedisUnavailableError)) return error;
  const problem = new ProblemError(HttpStatus.SERVICE_UNAVAILABLE, 'SERVICE.UNAVAILABLE', 'Service Unavailable', 'A store this request needs is unavailable. Try again shortly.', {
    'Retry-After': '1',
  });
  // For the log line only (the client sees the problem): a timeout and a refused connection call for
  // different fixes. Messages only: an ioredis reply error carries the command's arguments, and a
  // revocation key names a session.
  problem.cause = new Error(messagesOf(error));
  return problem;
}

/** An error's message followed by its causes' messages. */
function messagesOf(error: unknown): string {
  const messages: string[] = [];
  for (let link: unknown = error; link instanceof Error && messages.length < MAX_CAUSES; link = link.cause) messages.push(link.message);
  return messages.join(': ');
}

/** How many links of a cause chain a log line names. */
const MAX_CAUSES = 4;
