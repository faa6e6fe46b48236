import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { LogLevel } from '../config';

export const REQUEST_ID_HEADER = 'x-request-id';
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
  /** Where lines go; tests pass a stream to read them back. Defaults to stdout. */
  readonly destination?: NodeJS.WritableStream;
}

/** One JSON line per event, with the service name, request id and (when known) user id on each. */
export function loggingModule(options: LoggingOptions): DynamicModule {
  return LoggerModule.forRoot({
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
        customProps: (req: IncomingMessage) => {
          const userId = (req as IncomingMessage & { user?: { userId?: string } }).user?.userId;
          return userId ? { userId } : {};
        },
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: stripQuery(req.url) }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
        autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').includes('/health/') },
      },
      options.destination ?? process.stdout,
    ],
  });
}

/** Query strings can carry tokens or personal data; the route is what operators need. */
function stripQuery(url: string): string {
  const index = url.indexOf('?');
  return index === -1 ? url : url.slice(0, index);
}
