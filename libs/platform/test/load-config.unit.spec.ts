import 'reflect-metadata';
import { BackendServiceEnv, ConfigError, DatabaseServiceEnv, loadConfig, ServiceEnv } from '../src';

describe('loadConfig', () => {
  it('reads and converts valid variables and keeps defaults for the rest', () => {
    const config = loadConfig(ServiceEnv, { HTTP_PORT: '3001', KAFKA_BROKERS: 'a:9092,b.local:19092' });
    expect(config.HTTP_PORT).toBe(3001);
    expect(config.KAFKA_BROKERS).toBe('a:9092,b.local:19092');
    expect(config.LOG_LEVEL).toBe('info');
  });

  it('ignores variables it does not know', () => {
    const config = loadConfig(ServiceEnv, { HTTP_PORT: '1', PATH: '/usr/bin' });
    expect(Object.keys(config)).not.toContain('PATH');
  });

  it('refuses to start and names every bad variable', () => {
    const attempt = () =>
      loadConfig(DatabaseServiceEnv, { HTTP_PORT: 'eighty', KAFKA_BROKERS: 'no-port', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x/y' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as ConfigError).message;
      for (const name of ['HTTP_PORT', 'KAFKA_BROKERS', 'LOG_LEVEL', 'DATABASE_URL']) expect(message).toContain(name);
    }
  });

  it('treats a missing required variable as an error, not a default', () => {
    expect(() => loadConfig(DatabaseServiceEnv, { HTTP_PORT: '3000' })).toThrow(/DATABASE_URL/);
  });

  it('binds loopback unless told otherwise, and takes only an IP address', () => {
    expect(loadConfig(ServiceEnv, { HTTP_PORT: '1' }).BIND_ADDRESS).toBe('127.0.0.1');
    expect(loadConfig(ServiceEnv, { HTTP_PORT: '1', BIND_ADDRESS: '0.0.0.0' }).BIND_ADDRESS).toBe('0.0.0.0');
    expect(() => loadConfig(ServiceEnv, { HTTP_PORT: '1', BIND_ADDRESS: 'everywhere' })).toThrow(/BIND_ADDRESS/);
  });

  it('serves metrics on a port of their own: 9464 unless told, never the HTTP or gRPC port', () => {
    expect(loadConfig(ServiceEnv, { HTTP_PORT: '3000' }).METRICS_PORT).toBe(9464);
    expect(loadConfig(ServiceEnv, { HTTP_PORT: '3000', METRICS_PORT: '7000' }).METRICS_PORT).toBe(7000);
    expect(() => loadConfig(ServiceEnv, { HTTP_PORT: '3000', METRICS_PORT: '3000' })).toThrow(/METRICS_PORT must differ from HTTP_PORT/);
    const backend = { HTTP_PORT: '3001', GRPC_PORT: '5001', DATABASE_URL: 'postgres://auth@127.0.0.1/bvs_auth' };
    expect(() => loadConfig(BackendServiceEnv, { ...backend, METRICS_PORT: '5001' })).toThrow(/METRICS_PORT must differ from GRPC_PORT/);
    // 0 means any free port (tests), for each of them.
    expect(loadConfig(BackendServiceEnv, { ...backend, HTTP_PORT: '0', GRPC_PORT: '0', METRICS_PORT: '0' }).METRICS_PORT).toBe(0);
  });
});
