import {
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
} from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';

/*
 * Trace context where no instrumentation carries it: through the outbox and the bills table (a
 * row written now is published or worked later, by another loop), and through Kafka, whose
 * instrumentation would start each send under the relay's context rather than the row's (see
 * docs/adr/0012-trace-context-always-spans-on-demand.md). The context is kept as a W3C
 * `traceparent` string: what Kafka headers carry, and what an operator can paste into a search.
 *
 * Without a started SDK (unit and integration tests) every function here degrades to "no trace":
 * nothing is stored, nothing is sent, and work runs as it would untraced.
 */

/** The header (Kafka) and field (outbox, bills) that carry the trace context. */
export const TRACEPARENT_HEADER = 'traceparent';

const tracer = trace.getTracer('@bvs/platform');

/** The W3C traceparent of the span active now, or null outside any trace. */
export function activeTraceparent(): string | null {
  return traceparentOf(trace.getSpanContext(context.active()));
}

/** The W3C traceparent that makes `span` the parent of whatever receives it. */
export function traceparentOfSpan(span: Span): string | null {
  return traceparentOf(span.spanContext());
}

/** The context that continues a stored or received traceparent; the root context when there is none or it is malformed. */
export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  if (!traceparent) return ROOT_CONTEXT;
  const parent = parseTraceParent(traceparent);
  return parent ? trace.setSpanContext(ROOT_CONTEXT, { ...parent, isRemote: true }) : ROOT_CONTEXT;
}

/** A span of the platform's own, started under `parent` (default: the active context). End it. */
export function startSpan(name: string, options: SpanOptions, parent: Context = context.active()): Span {
  return tracer.startSpan(name, options, parent);
}

/** The span's context as a link, for work done once on behalf of several traces. */
export function linkTo(span: Span): Link {
  return { context: span.spanContext() };
}

/** Runs `work` with `span` active; the span stays open (its owner ends it). */
export function withActiveSpan<T>(span: Span, work: () => Promise<T>): Promise<T> {
  return context.with(trace.setSpan(context.active(), span), work);
}

/** Runs `work` with `span` active, then ends it, marked as an error if `work` threw. */
export async function runInSpan<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await withActiveSpan(span, work);
  } catch (error) {
    markFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Records a failure on a span that is about to end. */
export function markFailed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

function traceparentOf(spanContext: SpanContext | undefined): string | null {
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return null;
  const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
  return `00-${spanContext.traceId}-${spanContext.spanId}-${sampled ? '01' : '00'}`;
}
