import { ROOT_CONTEXT, SpanKind, type Link, type Span } from '@opentelemetry/api';
import { contextFromTraceparent, startSpan, TRACEPARENT_HEADER } from '../tracing/trace-context';

/*
 * The spans of the Kafka hop, named and attributed as OpenTelemetry's messaging conventions say
 * (`send <topic>`, `process <topic>`). They are made here rather than by the kafkajs
 * instrumentation, which would parent every send to whatever the relay loop is doing and start
 * every consumed batch as a trace of its own (docs/adr/0012-trace-context-always-spans-on-demand.md).
 * Attributes are set only on a span that is recorded: with tracing off these spans only carry ids.
 */

const KAFKA = 'kafka';

/** A PRODUCER span for one outbox row, child of the trace that wrote the row. */
export function startSendSpan(row: { readonly topic: string; readonly eventId: string; readonly key: string; readonly traceparent: string | null }): Span {
  const span = startSpan(`send ${row.topic}`, { kind: SpanKind.PRODUCER }, contextFromTraceparent(row.traceparent));
  if (span.isRecording()) {
    span.setAttributes({
      'messaging.system': KAFKA,
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': row.topic,
      'messaging.message.id': row.eventId,
      'messaging.kafka.message.key': row.key,
    });
  }
  return span;
}

export interface ProcessedMessage {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** A CONSUMER span for one message, child of the send span whose traceparent its headers carry. */
export function startProcessSpan(message: ProcessedMessage): Span {
  const span = startSpan(`process ${message.topic}`, { kind: SpanKind.CONSUMER }, contextFromTraceparent(message.headers[TRACEPARENT_HEADER]));
  if (span.isRecording()) {
    span.setAttributes({
      'messaging.system': KAFKA,
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': message.topic,
      'messaging.destination.partition.id': String(message.partition),
      'messaging.consumer.group.name': message.groupId,
      'messaging.kafka.offset': Number(message.offset),
    });
  }
  return span;
}

/**
 * The span several messages' shared transaction runs under: a trace of its own, linked to each
 * message's process span (which stays in its message's trace), as the conventions have it for work
 * done once for a batch.
 */
export function startBatchSpan(topic: string, links: readonly Link[]): Span {
  const span = startSpan(`process ${topic} batch`, { kind: SpanKind.INTERNAL, links: [...links] }, ROOT_CONTEXT);
  if (span.isRecording()) span.setAttributes({ 'messaging.system': KAFKA, 'messaging.destination.name': topic, 'messaging.batch.message_count': links.length });
  return span;
}
