import 'reflect-metadata';
import { loadConfig } from '@bvs/platform';
import { BillingEnv } from '../src/config/billing-env';

const REQUIRED = { HTTP_PORT: '3003', GRPC_PORT: '5003', DATABASE_URL: 'postgres://billing@127.0.0.1/bvs_billing' };
const BROKER_AND_REGISTRY = { KAFKA_BROKERS: 'kafka:9092', SCHEMA_REGISTRY_URL: 'http://schema-registry:8080/apis/ccompat/v7' };

describe("billing's provider address", () => {
  it('given the local profile, when billing starts without one, then it calls the simulator on this machine', () => {
    expect(loadConfig(BillingEnv, REQUIRED).PROVIDER_BASE_URL).toBe('http://127.0.0.1:3004');
  });

  it('given a deployed profile, when billing starts without one, then it refuses, naming PROVIDER_BASE_URL', () => {
    expect(() => loadConfig(BillingEnv, { ...REQUIRED, ...BROKER_AND_REGISTRY, NODE_ENV: 'production' })).toThrow(/^Invalid configuration: PROVIDER_BASE_URL must be set \(with NODE_ENV=production/);
    const given = loadConfig(BillingEnv, { ...REQUIRED, ...BROKER_AND_REGISTRY, NODE_ENV: 'production', PROVIDER_BASE_URL: 'https://vending.example' });
    expect(given.PROVIDER_BASE_URL).toBe('https://vending.example');
  });
});
