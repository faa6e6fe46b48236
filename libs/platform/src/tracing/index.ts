// OpenTelemetry: startTracing (loaded first by each service's main.ts through `@bvs/platform/tracing`),
// and the trace context helpers the messaging code uses where no instrumentation carries it.
export * from './start-tracing';
export * from './tracing-config';
export * from './tracing-shutdown';
export * from './trace-context';
export * from './json-lines-span-exporter';
