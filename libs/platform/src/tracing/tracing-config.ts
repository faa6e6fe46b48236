import { ConfigError } from '../config/config-error';

/**
 * How a process traces, decided from the standard OpenTelemetry variables once at start-up:
 *
 * - `off` (the default): spans are made but never recorded (an always-off sampler). Their ids
 *   still travel in gRPC metadata, HTTP and Kafka headers and the outbox, and still appear on log
 *   lines, so logs of one purchase can be joined across services at the cost of a few id draws.
 * - `sdk-env`: the SDK builds its exporters from OTEL_TRACES_EXPORTER (otlp, console, zipkin) and
 *   OTEL_EXPORTER_OTLP_*; the sampler comes from OTEL_TRACES_SAMPLER (default parent-based
 *   always-on), the batching from OTEL_BSP_*.
 * - `file`: every span is appended as one JSON line to TRACES_FILE_PATH as it ends. For tests
 *   and local debugging; it writes synchronously.
 *
 * Unlike the SDK's own default (OTLP to localhost whenever nothing is said), nothing is exported
 * unless OTEL_TRACES_EXPORTER names an exporter or an OTLP endpoint is given.
 */
export type TracingMode = { readonly kind: 'off' } | { readonly kind: 'sdk-env' } | { readonly kind: 'file'; readonly path: string };

/** What the SDK itself can build from OTEL_TRACES_EXPORTER. */
const SDK_EXPORTERS: ReadonlySet<string> = new Set(['otlp', 'console', 'zipkin']);
const FILE_EXPORTER = 'file';
const NO_EXPORTER = 'none';
export const TRACES_FILE_PATH_VARIABLE = 'TRACES_FILE_PATH';

/** Reads the mode from `env`; throws ConfigError naming the variable when it makes no sense. */
export function tracingModeFromEnv(env: Readonly<Record<string, string | undefined>>): TracingMode {
  const names = [
    ...new Set(
      (env['OTEL_TRACES_EXPORTER'] ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter((name) => name.length > 0),
    ),
  ];
  if (names.length === 0) {
    const endpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ?? env['OTEL_EXPORTER_OTLP_ENDPOINT'];
    return endpoint ? { kind: 'sdk-env' } : { kind: 'off' };
  }
  const unknown = names.filter((name) => !SDK_EXPORTERS.has(name) && name !== FILE_EXPORTER && name !== NO_EXPORTER);
  if (unknown.length > 0) {
    throw new ConfigError([`OTEL_TRACES_EXPORTER: unknown exporter ${unknown.join(', ')} (expected otlp, console, zipkin, ${FILE_EXPORTER} or ${NO_EXPORTER})`]);
  }
  if (names.length > 1 && (names.includes(NO_EXPORTER) || names.includes(FILE_EXPORTER))) {
    throw new ConfigError([`OTEL_TRACES_EXPORTER: ${NO_EXPORTER} and ${FILE_EXPORTER} stand alone, got ${names.join(',')}`]);
  }
  if (names[0] === NO_EXPORTER) return { kind: 'off' };
  if (names[0] === FILE_EXPORTER) {
    const path = env[TRACES_FILE_PATH_VARIABLE];
    if (!path) throw new ConfigError([`${TRACES_FILE_PATH_VARIABLE}: required when OTEL_TRACES_EXPORTER is ${FILE_EXPORTER}`]);
    return { kind: 'file', path };
  }
  return { kind: 'sdk-env' };
}
