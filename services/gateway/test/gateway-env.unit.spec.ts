import 'reflect-metadata';
import { ConfigError, loadConfig } from '@bvs/platform';
import { GatewayEnv } from '../src/config/gateway-env';

const TARGETS = ['AUTH_GRPC_TARGET', 'WALLET_GRPC_TARGET', 'BILLING_GRPC_TARGET'];

describe("the gateway's service addresses", () => {
  it('given the local profile, when the gateway starts without them, then it calls the services on this machine', () => {
    const env = loadConfig(GatewayEnv, { HTTP_PORT: '3000' });
    expect([env.AUTH_GRPC_TARGET, env.WALLET_GRPC_TARGET, env.BILLING_GRPC_TARGET]).toEqual(['ipv4:127.0.0.1:5001', 'ipv4:127.0.0.1:5002', 'ipv4:127.0.0.1:5003']);
  });

  it('given a deployed profile, when the gateway starts without them, then it refuses, naming each', () => {
    const deployed = { HTTP_PORT: '3000', NODE_ENV: 'production', KAFKA_BROKERS: 'kafka:9092', SCHEMA_REGISTRY_URL: 'http://schema-registry:8080/apis/ccompat/v7' };
    let problems: readonly string[] = [];
    try {
      loadConfig(GatewayEnv, deployed);
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems.map((problem) => problem.split(' ')[0])).toEqual(TARGETS);
  });
});
