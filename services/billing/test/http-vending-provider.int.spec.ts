import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { loadConfig, MetricsRegistry } from '@bvs/platform';
import { BillingEnv } from '../src/config/billing-env';
import { HttpVendingProvider } from '../src/provider/http-vending-provider';
import { ProviderUnavailableError } from '../src/provider/vending-provider';

/**
 * The adapter facing a provider that answers with amounts JSON cannot carry exactly: a stand-in
 * HTTP server on loopback, since the simulator never sends such numbers.
 */
describe('HttpVendingProvider with amounts beyond exact JSON numbers', () => {
  let server: Server;
  let provider: HttpVendingProvider;
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      response.setHeader('content-type', 'application/json');
      response.end(
        request.url === '/providers'
          ? '{"providers":[{"code":"x","name":"X","meterType":"PREPAID","minimumAmount":100,"maximumAmount":18014398509481985,"fee":0,"currency":"NGN"}]}'
          : '{"providerName":"X","meterType":"PREPAID","customerName":"A","address":"B","minimumAmount":1.5,"maximumAmount":100,"currency":"NGN"}',
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const env = loadConfig(BillingEnv, {
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
      PROVIDER_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    });
    provider = new HttpVendingProvider(env, new MetricsRegistry());
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses a catalogue whose limit JSON has already rounded, instead of using a wrong limit', async () => {
    await expect(provider.catalogue()).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('refuses a fractional amount in a meter answer', async () => {
    await expect(provider.lookupMeter('x', '1111111111111')).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('never sends an amount JSON cannot carry exactly: the vend fails definitively without a request', async () => {
    const before = requests.length;
    const outcome = await provider.vend({ requestId: 'r-1', providerCode: 'x', meterNumber: '1111111111111', amount: 2n ** 60n });
    expect(outcome).toMatchObject({ kind: 'FAILED', reasonCode: 'PROVIDER.AMOUNT_NOT_REPRESENTABLE' });
    expect(requests.length).toBe(before);
  });
});
