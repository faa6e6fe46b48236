import type { MessagingLogger } from '../messaging-logger';

export interface CapturedLine {
  readonly level: 'log' | 'warn' | 'error' | 'debug';
  /** The structured fields (the first argument when it is an object). */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly message: string;
}

/** Keeps log lines for tests to assert on (alerts, warnings) instead of printing them. */
export class CapturingLogger implements MessagingLogger {
  readonly lines: CapturedLine[] = [];

  log(message: unknown, ...rest: unknown[]): void {
    this.capture('log', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.capture('warn', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.capture('error', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.capture('debug', message, rest);
  }

  private capture(level: CapturedLine['level'], first: unknown, rest: readonly unknown[]): void {
    const structured = typeof first === 'object' && first !== null;
    this.lines.push({
      level,
      fields: structured ? (first as Record<string, unknown>) : {},
      message: String(structured ? (rest[0] ?? '') : first),
    });
  }
}
