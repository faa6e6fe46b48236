import type { LoggerService } from '@nestjs/common';

/**
 * What the outbox relay and the event consumer log through: Nest's `Logger` (routed to pino in a
 * service) or anything shaped like it. Lines are written `logger.error({ ...fields }, 'message')`,
 * the form nestjs-pino turns into structured JSON.
 */
export type MessagingLogger = Pick<LoggerService, 'log' | 'warn' | 'error' | 'debug'>;
