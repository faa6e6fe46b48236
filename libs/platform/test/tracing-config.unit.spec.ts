import { ConfigError } from '../src/config/config-error';
import { tracingModeFromEnv } from '../src/tracing/tracing-config';

describe('tracingModeFromEnv', () => {
  it('records nothing unless an exporter or an OTLP endpoint is named', () => {
    expect(tracingModeFromEnv({})).toEqual({ kind: 'off' });
    expect(tracingModeFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({ kind: 'off' });
  });

  it('leaves the standard exporters to the SDK, an endpoint alone meaning OTLP', () => {
    expect(tracingModeFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({ kind: 'sdk-env' });
    expect(tracingModeFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toEqual({ kind: 'sdk-env' });
    expect(tracingModeFromEnv({ OTEL_TRACES_EXPORTER: ' OTLP , console' })).toEqual({ kind: 'sdk-env' });
  });

  it('writes spans to the file TRACES_FILE_PATH names', () => {
    expect(tracingModeFromEnv({ OTEL_TRACES_EXPORTER: 'file', TRACES_FILE_PATH: '/tmp/spans.jsonl' })).toEqual({ kind: 'file', path: '/tmp/spans.jsonl' });
  });

  it.each([
    [{ OTEL_TRACES_EXPORTER: 'jaeger' }, 'OTEL_TRACES_EXPORTER: unknown exporter jaeger'],
    [{ OTEL_TRACES_EXPORTER: 'otlp,none' }, 'OTEL_TRACES_EXPORTER: none and file stand alone'],
    [{ OTEL_TRACES_EXPORTER: 'file,otlp', TRACES_FILE_PATH: '/tmp/spans.jsonl' }, 'OTEL_TRACES_EXPORTER: none and file stand alone'],
    [{ OTEL_TRACES_EXPORTER: 'file' }, 'TRACES_FILE_PATH: required'],
  ])('refuses %j, naming the variable', (env, problem) => {
    expect(() => tracingModeFromEnv(env)).toThrow(ConfigError);
    expect(() => tracingModeFromEnv(env)).toThrow(problem);
  });
});
