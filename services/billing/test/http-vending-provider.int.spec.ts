import { createServer, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { loadConfig, MetricsRegistry } from '@bvs/platform';
import { eventually } from '@bvs/platform/testing';
import { BillingEnv } from '../src/config/billing-env';
import { HttpVendingProvider } from '../src/provider/http-vending-provider';
import { ProviderUnavailableError } from '../src/provider/vending-provider';

/** Starts `server` on a loopback port and builds the adapter that calls it, with `env` on top of the defaults. */
async function adapterFacing(server: Server, env: Readonly<Record<string, string>> = {}): Promise<HttpVendingProvider> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const config = loadConfig(BillingEnv, {
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
    PROVIDER_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ...env,
  });
  return new HttpVendingProvider(config, new MetricsRegistry());
}

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
    provider = await adapterFacing(server);
  });

  afterAll(async () => {
    await provider.onApplicationShutdown();
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

/**
 * The adapter's connection pool, against a stand-in provider that answers only when the test says:
 * more calls than connections queue for one instead of opening more, and finished calls hand their
 * connection to the next (keep-alive).
 */
describe('HttpVendingProvider connection pool', () => {
  const MAX_CONNECTIONS = 2;
  let server: Server;
  let provider: HttpVendingProvider;
  const sockets = new Set<Socket>();
  let connectionsOpened = 0;
  const unanswered: { requestId: string; response: ServerResponse }[] = [];

  beforeAll(async () => {
    // Every request waits for answerOldest(), as it would at a slow provider.
    server = createServer((request, response) => unanswered.push({ requestId: decodeURIComponent(request.url?.split('/').pop() ?? ''), response }));
    server.on('connection', (socket: Socket) => {
      connectionsOpened += 1;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    provider = await adapterFacing(server, {
      PROVIDER_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      // The wait for a free connection counts against the timeout; the test must not run into it.
      PROVIDER_TIMEOUT_MS: '60000',
      CLAIM_LEASE_MS: '600000',
    });
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  function answerOldest(): void {
    const oldest = unanswered.shift();
    if (!oldest) throw new Error('no request waiting');
    const { requestId, response } = oldest;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ requestId, providerReference: `P-${requestId}`, status: 'SUCCESS', reasonCode: null, token: '12345678901234567890', units: '1.0' }));
  }

  it('never opens more than PROVIDER_MAX_CONNECTIONS, reuses them, and closes them on shutdown', async () => {
    const calls = Array.from({ length: 6 }, (_, index) => provider.requery(`r-${index}`));

    for (let answered = 0; answered < calls.length; answered += 1) {
      const expectedWaiting = Math.min(MAX_CONNECTIONS, calls.length - answered);
      await eventually(async () => (unanswered.length === expectedWaiting ? true : undefined), `${expectedWaiting} requests at the provider`);
      expect(sockets.size).toBeLessThanOrEqual(MAX_CONNECTIONS);
      answerOldest();
    }

    const outcomes = await Promise.all(calls);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(Array(calls.length).fill('SUCCEEDED'));
    expect(connectionsOpened).toBe(MAX_CONNECTIONS);

    await provider.onApplicationShutdown();
    await eventually(async () => (sockets.size === 0 ? true : undefined), 'the pooled connections to close');
  });
});

/**
 * What a vend's answer may be taken to mean, against a stand-in provider that answers as each test
 * says. Only a well-formed definite answer settles a bill; everything else is UNKNOWN and requeried,
 * because failing a bill returns the money of a vend that may stand.
 */
describe('HttpVendingProvider reading vend answers', () => {
  let server: Server;
  let provider: HttpVendingProvider;
  let answer: (response: ServerResponse) => void = (response) => response.end();
  const paths: string[] = [];
  const authorizations = new Set<string | undefined>();
  const API_KEY = 'merchant-key-0123456789abcdef';

  beforeAll(async () => {
    server = createServer((request, response) => {
      paths.push(`${request.method} ${request.url}`);
      authorizations.add(request.headers.authorization);
      request.resume();
      request.on('end', () => answer(response));
    });
    provider = await adapterFacing(server, {
      PROVIDER_RETRIES: '0',
      PROVIDER_API_KEY: API_KEY,
    });
  });

  afterAll(async () => {
    await provider.onApplicationShutdown();
    await new Promise((resolve) => server.close(resolve));
  });

  const vend = () => provider.vend({ requestId: 'r-1', providerCode: 'x', meterNumber: '1111111111111', amount: 1_000n });
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (response: ServerResponse) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  it.each([
    ['401 (our key refused: a configuration error, not the payment failing)', json(401, { code: 'AUTH.UNAUTHORIZED', message: 'Bad key' })],
    ['408 (the provider timed the request out)', json(408, { code: 'TIMEOUT', message: 'Request timeout' })],
    ['429 (the provider is shedding load)', json(429, { code: 'RATE_LIMITED', message: 'Slow down' })],
    ['a redirect, which is not followed', json(302, {}, { location: '/elsewhere' })],
    ['a 200 whose body is not a vend record', json(200, { status: 'OK', token: 7 })],
    ['a 200 larger than any real answer', json(200, { status: 'SUCCESS', providerReference: 'P', requestId: 'r-1', padding: 'x'.repeat(100 * 1024) })],
  ])('takes %s as an unknown outcome, never a failure', async (_, respond) => {
    answer = respond;
    expect(await vend()).toMatchObject({ kind: 'UNKNOWN' });
    expect(paths).not.toContain('GET /elsewhere');
  });

  it('takes a definite refusal (400 with its code) as a failure, and a well-formed 200 as what it says', async () => {
    answer = json(400, { code: 'METER.BLOCKED', message: 'The meter is blocked.' });
    expect(await vend()).toMatchObject({ kind: 'FAILED', reasonCode: 'PROVIDER.METER.BLOCKED' });
    answer = json(200, { requestId: 'r-1', providerReference: 'P-1', status: 'SUCCESS', reasonCode: null, token: '1234', units: '3.2' });
    expect(await vend()).toEqual({ kind: 'SUCCEEDED', token: '1234', units: '3.2', providerReference: 'P-1' });
  });

  it('sends the merchant key from configuration on every call', () => {
    expect([...authorizations]).toEqual([`Bearer ${API_KEY}`]);
  });
});
