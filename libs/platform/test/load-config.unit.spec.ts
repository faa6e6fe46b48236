import 'reflect-metadata';
import { Expose } from 'class-transformer';
import { IsInt, Matches } from 'class-validator';
import { BackendServiceEnv, ConfigError, DatabaseServiceEnv, LocalDefault, loadConfig, RedisEnv, ServiceEnv } from '../src';

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

  describe('addresses of dependencies', () => {
    class ClientEnv extends ServiceEnv {
      @Expose()
      @LocalDefault('http://127.0.0.1:3004')
      @Matches(/^https?:\/\//, { message: 'PEER_URL must be an http(s) URL' })
      PEER_URL!: string;

      @Expose()
      @IsInt()
      UNRELATED = 1;
    }
    const deployed = { NODE_ENV: 'production', HTTP_PORT: '3000' };

    it.each([undefined, 'development', 'test'])('default to this machine in the local profile (NODE_ENV %s)', (nodeEnv) => {
      const config = loadConfig(ClientEnv, { HTTP_PORT: '3000', ...(nodeEnv === undefined ? {} : { NODE_ENV: nodeEnv }) });
      expect(config).toMatchObject({ KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7', PEER_URL: 'http://127.0.0.1:3004' });
      expect(loadConfig(RedisEnv, nodeEnv === undefined ? {} : { NODE_ENV: nodeEnv }).REDIS_URL).toBe('redis://127.0.0.1:6379');
    });

    it('fail start-up outside the local profile, naming each missing variable once and nothing else', () => {
      const attempt = () => loadConfig(ClientEnv, { ...deployed, SCHEMA_REGISTRY_URL: '' });
      expect(attempt).toThrow(ConfigError);
      const problems = captured(attempt).problems;
      expect(problems).toHaveLength(3);
      for (const [index, name] of ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'PEER_URL'].entries()) {
        expect(problems[index]).toMatch(new RegExp(`^${name} must be set \\(with NODE_ENV=production it has no default; \\S+ applies only with NODE_ENV unset, development or test\\)$`));
      }
      expect(() => loadConfig(RedisEnv, { NODE_ENV: 'staging' })).toThrow(/REDIS_URL must be set \(with NODE_ENV=staging it has no default/);
    });

    it('are taken as given outside the local profile, and checked like any variable', () => {
      const given = { ...deployed, KAFKA_BROKERS: 'kafka:9092', SCHEMA_REGISTRY_URL: 'http://registry:8080/apis/ccompat/v7', PEER_URL: 'https://peer.example' };
      expect(loadConfig(ClientEnv, given)).toMatchObject({ KAFKA_BROKERS: 'kafka:9092', PEER_URL: 'https://peer.example', UNRELATED: 1 });
      expect(() => loadConfig(ClientEnv, { ...given, PEER_URL: 'ftp://peer' })).toThrow(/PEER_URL must be an http\(s\) URL/);
    });
  });
});

function captured(attempt: () => unknown): ConfigError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
