import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler, NoopSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import type { IncomingMessage } from 'node:http';
import { ConfigError } from '../config/config-error';
import { JsonLinesSpanExporter } from './json-lines-span-exporter';
import { tracingModeFromEnv, type TracingMode } from './tracing-config';
import { whenTracingStops } from './tracing-shutdown';

/** Probes and scrapes every few seconds would bury the requests that matter. */
const UNTRACED_PATHS = /^\/(api\/)?health\/|^\/metrics(\?|$)/;

/**
 * Starts OpenTelemetry for this process. Call it before anything else is loaded: instrumentation
 * works by patching modules (http, express, @grpc/grpc-js, pg, pino) as they are first required,
 * so each service's main.ts imports its `tracing.ts` first. A configuration that makes no sense
 * is reported like any other (naming the variable) and the process exits 1.
 *
 * The W3C trace context is the only propagator: baggage a client sends is not forwarded inward.
 * Metrics and logs stay with prom-client and pino; the SDK exports traces only.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): void {
  let mode: TracingMode;
  try {
    mode = tracingModeFromEnv(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const sdk = new NodeSDK({
    serviceName: env['OTEL_SERVICE_NAME'] ?? service,
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: instrumentationsFor(mode),
    metricReaders: [],
    logRecordProcessors: [],
    ...tracerSettingsFor(mode),
  });
  sdk.start();
  whenTracingStops(() => sdk.shutdown());
}

/**
 * Off: a tracer provider that samples nothing still draws trace and span ids, so they reach the
 * logs and the next service; the no-op processor only makes the SDK register that provider, and
 * is never called for a span that is not recorded.
 */
function tracerSettingsFor(mode: TracingMode) {
  switch (mode.kind) {
    case 'off':
      return { sampler: new AlwaysOffSampler(), spanProcessors: [new NoopSpanProcessor()] };
    case 'file':
      return { spanProcessors: [new SimpleSpanProcessor({ exporter: new JsonLinesSpanExporter(mode.path) })] };
    case 'sdk-env':
      return {};
  }
}

/**
 * What carries the context (HTTP and gRPC in and out, undici's fetch to the provider) and what puts
 * it on log lines (pino) is always on. Express and pg only add child spans, so they are loaded only
 * when spans are kept: unrecorded, they would cost time on every query and middleware for nothing.
 */
function instrumentationsFor(mode: TracingMode): Instrumentation[] {
  const instrumentations: Instrumentation[] = [
    new HttpInstrumentation({ ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.test(request.url ?? '') }),
    new GrpcInstrumentation({ ignoreGrpcMethods: [/^Check$/, /^Watch$/] }),
    new UndiciInstrumentation(),
    new PinoInstrumentation({ disableLogSending: true, logKeys: { traceId: 'traceId', spanId: 'spanId', traceFlags: 'traceFlags' } }),
  ];
  if (mode.kind === 'off') return instrumentations;
  return [
    ...instrumentations,
    // Nest runs its own middleware chain; a span per middleware would outnumber the ones that matter.
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    // A poll (the relay, the bill worker) outside any trace would start a trace of its own every round.
    new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
  ];
}
