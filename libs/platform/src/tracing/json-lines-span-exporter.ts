import { appendFileSync } from 'node:fs';
import { SpanKind, type Attributes } from '@opentelemetry/api';
import { ExportResultCode, hrTimeToMicroseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** One exported span, as a line of the file. Times are microseconds since the epoch. */
export interface SpanLine {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly name: string;
  readonly kind: keyof typeof SpanKind;
  readonly startUs: number;
  readonly endUs: number;
  /** 0 unset, 1 ok, 2 error (the API's SpanStatusCode). */
  readonly status: number;
  readonly attributes: Attributes;
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
}

/**
 * Past this the file takes no more spans: a test or a debugging session that runs far longer than
 * meant must not fill the disk. Reported once on stderr, then every export fails quietly.
 */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Appends each span as one JSON line (`SpanLine`) to a file, synchronously, so a span is on disk
 * once it has ended and a test can read the trace back while the processes still run. Several
 * processes may share one file: each append of a batch is a single write of whole lines.
 */
export class JsonLinesSpanExporter implements SpanExporter {
  private writtenBytes = 0;
  private full = false;

  constructor(private readonly path: string) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const text = spans.map((span) => `${JSON.stringify(toSpanLine(span))}\n`).join('');
    if (this.full || this.writtenBytes + text.length > MAX_FILE_BYTES) {
      if (!this.full) process.stderr.write(`${this.path} reached ${MAX_FILE_BYTES} bytes; further spans are dropped\n`);
      this.full = true;
      resultCallback({ code: ExportResultCode.FAILED });
      return;
    }
    try {
      appendFileSync(this.path, text);
      this.writtenBytes += text.length;
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  async shutdown(): Promise<void> {
    // Every export is already on disk.
  }
}

function toSpanLine(span: ReadableSpan): SpanLine {
  const context = span.spanContext();
  const service = span.resource.attributes['service.name'];
  return {
    service: typeof service === 'string' ? service : 'unknown',
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? null,
    name: span.name,
    kind: SpanKind[span.kind] as keyof typeof SpanKind,
    startUs: hrTimeToMicroseconds(span.startTime),
    endUs: hrTimeToMicroseconds(span.endTime),
    status: span.status.code,
    attributes: span.attributes,
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId })),
  };
}
