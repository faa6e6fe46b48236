import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination, type DestinationStream, type LogFn } from 'pino';
import type { LogLevel } from '../config';
import { maskCardNumbers } from './card-number-mask';
import { errorWithoutRowValues } from './error-serializer';

export const REQUEST_ID_HEADER = 'x-request-id';
/**
 * Log lines waiting for the disk, at most. Past it new lines are dropped rather than memory grown
 * without bound or the event loop stalled: a disk that slow has bigger problems than a lost line.
 */
const MAX_UNWRITTEN_LOG_BYTES = 16 * 1024 * 1024;
/**
 * Lines gather until this many bytes (about a dozen access lines) before one write. Written one by
 * one, each line took two write calls (the file and the thread pool's wake-up) and twice the CPU of
 * a batched line (tools/bench/logging/log-cost.mjs), and a service under load writes several lines
 * per payment.
 */
export const LOG_WRITE_BATCH_BYTES = 4096;
/** How long a line may wait for others before it is written anyway: a quiet service's lines still appear promptly. */
export const LOG_FLUSH_INTERVAL_MS = 200;
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Paths of anything secret or personal that may sit in a logged object. pino removes them before
 * a line is written, so a careless `logger.info({ body })` cannot leak a password or a token.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.privateKey',
  'password',
  'accessToken',
  'refreshToken',
];

/** Takes the caller's request id when it is well formed, otherwise makes one. */
export function requestIdOf(req: IncomingMessage): string {
  const offered = req.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(offered) ? offered[0] : offered;
  return value && REQUEST_ID_PATTERN.test(value) ? value : randomUUID();
}

export interface LoggingOptions {
  readonly service: string;
  readonly level: LogLevel;
  /** Where lines go; tests pass a stream to read them back. Defaults to stdout, written asynchronously. */
  readonly destination?: NodeJS.WritableStream;
}

/** One JSON line per event, with the service name, request id and (when known) user id on each. */
export function loggingModule(options: LoggingOptions): DynamicModule {
  return LoggerModule.forRoot({
    // Nest 11 (path-to-regexp 8) wants a named wildcard; the default '*' logs a deprecation per route.
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: [
      {
        level: options.level,
        base: { service: options.service },
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        genReqId: (req: IncomingMessage, res: ServerResponse) => {
          const id = requestIdOf(req);
          res.setHeader(REQUEST_ID_HEADER, id);
          return id;
        },
        // Who and which route go on the access line only: as bindings (customProps) they would make
        // two more child loggers per request, serialized and redacted, which showed in CPU profiles.
        customSuccessObject: (req: IncomingMessage, _res: ServerResponse, line: object) => ({ ...line, ...routingOf(req) }),
        customErrorObject: (req: IncomingMessage, _res: ServerResponse, _error: Error, line: object) => ({ ...line, ...routingOf(req) }),
        hooks: {
          logMethod(args: Parameters<LogFn>, method: LogFn) {
            method.apply(this, args.map((arg) => (typeof arg === 'string' ? maskCardNumbers(arg) : arg)) as Parameters<LogFn>);
          },
        },
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: maskCardNumbers(stripQuery(req.url)) }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          err: errorWithoutRowValues,
        },
        autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').includes('/health/') },
      },
      options.destination ?? asynchronousStdout(),
    ],
  });
}

/**
 * Node writes to process.stdout synchronously when it is a file or a pipe (which is what a log
 * file or a container runtime gives it), so every line would block the event loop on the disk.
 * This writes file descriptor 1 asynchronously, in batches of lines: at most LOG_FLUSH_INTERVAL_MS
 * late. When the process exits (a crash included) pino writes what is left synchronously; only a
 * kill -9 loses the lines of the last interval, which the database's state never depends on.
 */
function asynchronousStdout(): DestinationStream {
  return destination({ dest: 1, sync: false, minLength: LOG_WRITE_BATCH_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS, maxLength: MAX_UNWRITTEN_LOG_BYTES });
}

/** The user and the route, known once the route matched and the guard ran (as the response finishes). */
function routingOf(req: IncomingMessage): { userId?: string; route?: string } {
  const routed = req as IncomingMessage & { user?: { userId?: string }; route?: { path?: unknown }; baseUrl?: string };
  const userId = routed.user?.userId;
  const route = typeof routed.route?.path === 'string' ? `${routed.baseUrl ?? ''}${routed.route.path}` : undefined;
  return { ...(userId ? { userId } : {}), ...(route ? { route } : {}) };
}

/** Query strings can carry tokens or personal data; the route is what operators need. */
function stripQuery(url: string): string {
  const index = url.indexOf('?');
  return index === -1 ? url : url.slice(0, index);
}
