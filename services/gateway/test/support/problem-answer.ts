import type { ArgumentsHost } from '@nestjs/common';
import { ProblemDetailsFilter } from '../../src/http/problem-details.filter';

/** What the gateway wrote for one error: the status, the headers set, the content type and the parsed body. */
export interface ProblemAnswer {
  readonly status: number | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: string | undefined;
  readonly text: string;
  readonly body: Record<string, unknown>;
}

/** The part of Express's response the filter writes to, recording what it was told. */
class RecordingResponse {
  statusCode: number | undefined;
  contentType: string | undefined;
  text = '';
  readonly headers: Record<string, string> = {};

  setHeader(name: string, value: string | number): this {
    this.headers[name.toLowerCase()] = String(value);
    return this;
  }

  getHeader(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  type(contentType: string): this {
    this.contentType = contentType;
    return this;
  }

  send(text: string): this {
    this.text = text;
    return this;
  }
}

export interface RequestSeen {
  /** The id the request logger gave the request (pino-http's req.id). */
  readonly id?: unknown;
  readonly originalUrl?: string;
  /** Headers already on the response, such as X-Request-Id, before the filter runs. */
  readonly responseHeaders?: Readonly<Record<string, string>>;
}

/** Runs the gateway's exception filter on `exception` for one request and returns what it answered. */
export function problemAnswerTo(exception: unknown, seen: RequestSeen = { id: 'req-0001', originalUrl: '/api/bills/validate' }): ProblemAnswer {
  const response = new RecordingResponse();
  for (const [name, value] of Object.entries(seen.responseHeaders ?? {})) response.setHeader(name, value);
  const request = { id: seen.id, originalUrl: seen.originalUrl ?? '/api/bills/validate' };
  const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }) } as unknown as ArgumentsHost;
  new ProblemDetailsFilter().catch(exception, host);
  return {
    status: response.statusCode,
    headers: response.headers,
    contentType: response.contentType,
    text: response.text,
    body: JSON.parse(response.text) as Record<string, unknown>,
  };
}
