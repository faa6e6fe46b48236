import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { loadConfig, MetricsRegistry } from '@bvs/platform';
import { eventually } from '@bvs/platform/testing';
import { BillingEnv } from '../src/config/billing-env';
import { HttpVendingProvider } from '../src/provider/http-vending-provider';

/**
 * How the provider adapter classifies each kind of answer (issue 12, point 6), against a stand-in
 * provider: a node:http server on loopback that answers as each test says and records every request
 * it got. What http-vending-provider.int.spec.ts already covers (401, 408, 429, a 302, a malformed
 * and a streamed oversized 200, a 400 with its code) is not repeated here.
 *
 * The rule behind every case: only a well-formed definite answer settles a bill. A vend whose fate
 * is unknown is requeried, never failed (failing it returns the money of a vend that may stand), and
 * never sent again as a new request by the adapter itself.
 */

/** What the stand-in provider got: one line per request, with its body and when it arrived. */
interface Received {
  readonly line: string;
  readonly body: string;
  readonly atMs: number;
}

/** A loopback provider whose answer each test sets; unanswered requests are cut when the test ends. */
class StandInProvider {
  readonly received: Received[] = [];
  answer: (request: IncomingMessage, response: ServerResponse) => void = (_, response) => response.end();
  private readonly server: Server;
  private readonly open = new Set<ServerResponse>();

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.received.push({ line: `${request.method} ${request.url}`, body: Buffer.concat(chunks).toString('utf8'), atMs: performance.now() });
        this.open.add(response);
        response.on('close', () => this.open.delete(response));
        this.answer(request, response);
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Forgets what was received and cuts any answer still held open. */
  reset(): void {
    this.received.length = 0;
    for (const response of this.open) response.destroy();
  }

  linesReceived(): string[] {
    return this.received.map((request) => request.line);
  }

  /**
   * What was received, once at least one request has arrived. A loaded machine may hand the
   * server a request only after the client gave up on it; waiting here keeps a late arrival from
   * landing in the next test.
   */
  async linesOnceArrived(): Promise<string[]> {
    await eventually(async () => (this.received.length > 0 ? true : undefined), 'a request at the stand-in provider', 10_000);
    return this.linesReceived();
  }

  async stop(): Promise<void> {
    this.reset();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The adapter facing `baseUrl`, with `env` on top of the defaults, built as the service builds it: from a validated BillingEnv. */
function adapterFacing(baseUrl: string, env: Readonly<Record<string, string>>, metrics = new MetricsRegistry()): HttpVendingProvider {
  const config = loadConfig(BillingEnv, {
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
    PROVIDER_BASE_URL: baseUrl,
    ...env,
  });
  return new HttpVendingProvider(config, metrics);
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (_: IncomingMessage, response: ServerResponse): void => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

const ORDER = { requestId: 'pay-7f3a', providerCode: 'ikeja-electric', meterNumber: '45067891239', amount: 250_000n } as const;
const vendRecord = (status: 'SUCCESS' | 'FAILED' | 'PENDING', extra: Record<string, unknown> = {}) => ({
  requestId: ORDER.requestId,
  providerReference: 'P-91',
  status,
  reasonCode: status === 'FAILED' ? 'METER.BLOCKED' : null,
  token: status === 'SUCCESS' ? '1234-5678-9012-3456-7890' : null,
  units: status === 'SUCCESS' ? '31.4' : null,
  ...extra,
});

/** The adapter's largest answer: every answer of the provider's API is a few hundred bytes. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** A well-formed SUCCESS record padded to exactly `bytes` bytes of JSON. */
function successRecordOfSize(bytes: number): string {
  const empty = JSON.stringify(vendRecord('SUCCESS', { padding: '' }));
  return JSON.stringify(vendRecord('SUCCESS', { padding: 'x'.repeat(bytes - empty.length) }));
}

describe('HttpVendingProvider classifying the provider answers', () => {
  const provider = new StandInProvider();
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await provider.start();
  });

  afterEach(() => provider.reset());

  afterAll(async () => {
    await provider.stop();
  });

  /**
   * Timeouts and cut connections, with retries allowed: a request that may have reached the
   * provider is never sent again by the adapter, because the provider may already be vending it.
   */
  describe('when the vend may have reached the provider but no answer came back', () => {
    const RETRIES = 3;
    let adapter: HttpVendingProvider;

    beforeAll(() => {
      // Long enough for the request to reach the stand-in on a busy machine; a retried timeout would take four of them.
      adapter = adapterFacing(baseUrl, { PROVIDER_TIMEOUT_MS: '1000', PROVIDER_RETRIES: String(RETRIES), PROVIDER_RETRY_BASE_MS: '10' });
    });

    afterAll(async () => {
      await adapter.onApplicationShutdown();
    });

    it('given the provider never answers, when the vend times out, then it is UNKNOWN and was sent once, not retried as a new vend', async () => {
      provider.answer = () => undefined;

      const outcome = await adapter.vend(ORDER);

      expect(outcome).toEqual({ kind: 'UNKNOWN', cause: 'timed out' });
      expect(await provider.linesOnceArrived()).toEqual(['POST /vend']);
    });

    it('given the provider sends its headers and then stalls, when the body times out, then it is UNKNOWN, sent once', async () => {
      provider.answer = (_, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"requestId":"pay-7f3a",');
      };

      expect(await adapter.vend(ORDER)).toMatchObject({ kind: 'UNKNOWN' });
      expect(await provider.linesOnceArrived()).toEqual(['POST /vend']);
    });

    it('given the provider cuts the connection after reading the request, when the vend ends, then it is UNKNOWN, sent once', async () => {
      provider.answer = (request) => request.socket.destroy();

      expect(await adapter.vend(ORDER)).toMatchObject({ kind: 'UNKNOWN' });
      expect(await provider.linesOnceArrived()).toEqual(['POST /vend']);
    });

    it('given the provider never answers a requery, when it times out, then it is UNKNOWN, never NOT_RECEIVED', async () => {
      provider.answer = () => undefined;

      expect(await adapter.requery(ORDER.requestId)).toEqual({ kind: 'UNKNOWN', cause: 'timed out' });
      expect(await provider.linesOnceArrived()).toEqual([`GET /vend/${ORDER.requestId}`]);
    });
  });

  /** 5xx says nothing was done yet: it is retried, the same request id each time, after a pause that grows. */
  describe('when the provider keeps failing with 5xx', () => {
    const RETRIES = 3;
    const RETRY_BASE_MS = 100;
    let adapter: HttpVendingProvider;
    let warnings: jest.SpyInstance;

    beforeAll(() => {
      adapter = adapterFacing(baseUrl, { PROVIDER_TIMEOUT_MS: '5000', PROVIDER_RETRIES: String(RETRIES), PROVIDER_RETRY_BASE_MS: String(RETRY_BASE_MS) });
      // Each transient error is logged as a warning: expected here, and kept out of the test output.
      warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    });

    afterAll(async () => {
      warnings.mockRestore();
      await adapter.onApplicationShutdown();
    });

    it('given every attempt answers 503, when vending, then the same vend is sent PROVIDER_RETRIES + 1 times with growing pauses, and it is UNKNOWN', async () => {
      provider.answer = json(503, { code: 'PROVIDER.UNAVAILABLE', status: 503, message: 'Try later' });

      const outcome = await adapter.vend(ORDER);

      expect(outcome).toEqual({ kind: 'UNKNOWN', cause: 'transient errors persisted: HTTP 503' });
      expect(provider.linesReceived()).toEqual(Array(RETRIES + 1).fill('POST /vend'));
      expect(new Set(provider.received.map((request) => (JSON.parse(request.body) as { requestId: string }).requestId))).toEqual(new Set([ORDER.requestId]));
      // Retry k waits between half and all of base × 2^(k-1): at least 50, 100 and 200 ms here.
      // 2 ms of slack for timer and clock granularity; a missing or flat backoff falls far short.
      const arrivals = provider.received.map((request) => request.atMs);
      const pauses = arrivals.slice(1).map((atMs, index) => atMs - (arrivals[index] ?? atMs));
      pauses.forEach((pauseMs, index) => expect(pauseMs).toBeGreaterThanOrEqual((RETRY_BASE_MS * 2 ** index) / 2 - 2));
    });

    it('given 500 then a well-formed 200, when vending, then the retry is taken as the answer', async () => {
      let calls = 0;
      provider.answer = (request, response) => {
        calls += 1;
        return calls === 1 ? json(500, { code: 'INTERNAL', message: 'oops' })(request, response) : json(200, vendRecord('SUCCESS'))(request, response);
      };

      expect(await adapter.vend(ORDER)).toEqual({ kind: 'SUCCEEDED', token: '1234-5678-9012-3456-7890', units: '31.4', providerReference: 'P-91' });
      expect(provider.linesReceived()).toEqual(['POST /vend', 'POST /vend']);
    });

    it('given every requery answers 502, when requerying, then it is retried PROVIDER_RETRIES times and UNKNOWN', async () => {
      provider.answer = json(502, '<html>Bad Gateway</html>', { 'content-type': 'text/html' });

      expect(await adapter.requery(ORDER.requestId)).toEqual({ kind: 'UNKNOWN', cause: 'transient errors persisted: HTTP 502' });
      expect(provider.received).toHaveLength(RETRIES + 1);
    });
  });

  /** Answers that arrive in time, with retries allowed so that a wrongly retried answer would show. */
  describe('when the provider answers', () => {
    let adapter: HttpVendingProvider;

    beforeAll(() => {
      adapter = adapterFacing(baseUrl, { PROVIDER_TIMEOUT_MS: '5000', PROVIDER_RETRIES: '2', PROVIDER_RETRY_BASE_MS: '10' });
    });

    afterAll(async () => {
      await adapter.onApplicationShutdown();
    });

    it('given 409 (the request id was used with other details), when vending, then it is UNKNOWN for requery to decide, not retried', async () => {
      provider.answer = json(409, { code: 'VEND.REQUEST_ID_CONFLICT', status: 409, message: 'requestId already used' });

      expect(await adapter.vend(ORDER)).toEqual({ kind: 'UNKNOWN', cause: 'request id conflict at the provider' });
      expect(provider.linesReceived()).toEqual(['POST /vend']);
    });

    it('given 403 (our key is not allowed), when vending, then it is UNKNOWN, not a failure of the payment', async () => {
      provider.answer = json(403, { code: 'AUTH.FORBIDDEN', status: 403, message: 'Forbidden' });

      expect(await adapter.vend(ORDER)).toEqual({ kind: 'UNKNOWN', cause: 'HTTP 403' });
      expect(provider.received).toHaveLength(1);
    });

    it.each([
      [422, 'METER.BLOCKED', 'Meter 45067891239 is blocked by Ikeja Electric.'],
      [404, 'METER.NOT_FOUND', 'Ikeja Electric knows no meter 45067891239.'],
      [404, 'PROVIDER.NOT_FOUND', 'No provider has the code ikeja-electric.'],
      [400, 'REQUEST.INVALID', 'The request does not match the expected shape.'],
    ])('given %i %s, when vending, then it FAILED with the provider code and message, sent once', async (status, code, message) => {
      provider.answer = json(status, { code, status, message });

      expect(await adapter.vend(ORDER)).toEqual({ kind: 'FAILED', reasonCode: `PROVIDER.${code}`, reasonMessage: message, providerReference: null });
      expect(provider.received).toHaveLength(1);
    });

    it('given a 4xx without a code, when vending, then it FAILED as a refused request', async () => {
      provider.answer = json(422, {});

      expect(await adapter.vend(ORDER)).toEqual({ kind: 'FAILED', reasonCode: 'PROVIDER.REQUEST_REFUSED', reasonMessage: 'The provider refused the request.', providerReference: null });
    });

    it.each([
      ['a body that is not JSON', json(200, 'OK', { 'content-type': 'text/plain' })],
      ['JSON null', json(200, 'null')],
      ['a JSON array', json(200, [vendRecord('SUCCESS')])],
      ['a status the API does not have', json(200, vendRecord('SUCCESS', { status: 'DONE' }))],
      ['no provider reference', json(200, vendRecord('SUCCESS', { providerReference: undefined }))],
      ['a token that is not text', json(200, vendRecord('SUCCESS', { token: 12345678 }))],
    ])('given a 200 with %s, when vending, then it is UNKNOWN, neither success nor failure, not retried', async (_, respond) => {
      provider.answer = respond;

      expect(await adapter.vend(ORDER)).toMatchObject({ kind: 'UNKNOWN' });
      expect(provider.received).toHaveLength(1);
    });

    it('given a well-formed 200 of exactly 64 KiB, when vending, then it is read as what it says', async () => {
      provider.answer = json(200, successRecordOfSize(MAX_ANSWER_BYTES));

      expect(await adapter.vend(ORDER)).toMatchObject({ kind: 'SUCCEEDED', providerReference: 'P-91' });
    });

    it.each([
      ['streamed without a length', (body: string) => json(200, body)],
      ['with its Content-Length declared', (body: string) => json(200, body, { 'content-length': String(Buffer.byteLength(body)) })],
    ])('given a well-formed 200 one byte over 64 KiB, %s, when vending, then it is UNKNOWN and not retried', async (_, answerWith) => {
      provider.answer = answerWith(successRecordOfSize(MAX_ANSWER_BYTES + 1));

      expect(await adapter.vend(ORDER)).toEqual({ kind: 'UNKNOWN', cause: `answer larger than ${MAX_ANSWER_BYTES} bytes` });
      expect(provider.received).toHaveLength(1);
    });

    it.each([301, 303, 307, 308])('given a %i to a place that would answer SUCCESS, when vending, then the redirect is not followed and it is UNKNOWN', async (status) => {
      provider.answer = (request, response) =>
        request.url === '/elsewhere' ? json(200, vendRecord('SUCCESS'))(request, response) : json(status, {}, { location: `${baseUrl}/elsewhere` })(request, response);

      expect(await adapter.vend(ORDER)).toMatchObject({ kind: 'UNKNOWN' });
      expect(provider.linesReceived()).toEqual(['POST /vend']);
    });

    it('given a redirect, when requerying, then it is not followed and it is UNKNOWN', async () => {
      provider.answer = (request, response) =>
        request.url === '/elsewhere' ? json(404, { code: 'VEND.NOT_FOUND' })(request, response) : json(302, {}, { location: '/elsewhere' })(request, response);

      expect(await adapter.requery(ORDER.requestId)).toMatchObject({ kind: 'UNKNOWN' });
      expect(provider.linesReceived()).toEqual([`GET /vend/${ORDER.requestId}`]);
    });

    it('given 404 VEND.NOT_FOUND, when requerying, then the provider never received the vend (NOT_RECEIVED)', async () => {
      provider.answer = json(404, { code: 'VEND.NOT_FOUND', status: 404, message: 'No vend with this requestId has been recorded yet' });

      expect(await adapter.requery(ORDER.requestId)).toEqual({ kind: 'NOT_RECEIVED' });
      expect(provider.linesReceived()).toEqual([`GET /vend/${ORDER.requestId}`]);
    });

    it.each([
      ['a 404 with another code (a route the proxy does not know)', json(404, { code: 'ROUTE.NOT_FOUND', status: 404, message: 'Cannot GET' })],
      ['a 404 without a body', json(404, '')],
      ['a 404 that is not JSON', json(404, '<html>Not Found</html>', { 'content-type': 'text/html' })],
    ])('given %s, when requerying, then it is UNKNOWN, never NOT_RECEIVED (which would send the vend again)', async (_, respond) => {
      provider.answer = respond;

      expect(await adapter.requery(ORDER.requestId)).toMatchObject({ kind: 'UNKNOWN' });
    });

    it.each([
      ['SUCCESS', { kind: 'SUCCEEDED', token: '1234-5678-9012-3456-7890', units: '31.4', providerReference: 'P-91' }],
      ['FAILED', { kind: 'FAILED', reasonCode: 'PROVIDER.METER.BLOCKED', reasonMessage: 'The provider declined the vend (METER.BLOCKED).', providerReference: 'P-91' }],
      ['PENDING', { kind: 'PENDING', providerReference: 'P-91' }],
    ] as const)('given a well-formed 200 %s, when requerying, then that is the outcome', async (status, expected) => {
      provider.answer = json(200, vendRecord(status));

      expect(await adapter.requery(ORDER.requestId)).toEqual(expected);
    });

    it('given a malformed 200, when requerying, then it is UNKNOWN', async () => {
      provider.answer = json(200, { status: 'SUCCESS' });

      expect(await adapter.requery(ORDER.requestId)).toEqual({ kind: 'UNKNOWN', cause: 'malformed answer' });
    });
  });
});

/**
 * bvs_provider_errors_total, against the same stand-in: a call is counted once, retries included,
 * by how it ended; the answers the API gives for the case at hand (a success, a decline, an unknown
 * meter, a vend it never received) are not errors, and neither is a 5xx that a retry got past.
 */
describe('HttpVendingProvider counting provider errors by kind', () => {
  const provider = new StandInProvider();
  const metrics = new MetricsRegistry();
  let baseUrl: string;
  let adapter: HttpVendingProvider;
  let warnings: jest.SpyInstance;

  beforeAll(async () => {
    baseUrl = await provider.start();
    adapter = adapterFacing(baseUrl, { PROVIDER_TIMEOUT_MS: '500', PROVIDER_RETRIES: '1', PROVIDER_RETRY_BASE_MS: '10' }, metrics);
    // Transient errors are logged as warnings: expected here, and kept out of the test output.
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => provider.reset());

  afterAll(async () => {
    warnings.mockRestore();
    await adapter.onApplicationShutdown();
    await provider.stop();
  });

  /** The counter's series as `operation kind` → value. */
  async function errorCounts(registry: MetricsRegistry): Promise<Record<string, number>> {
    const values = (await registry.getSingleMetric('bvs_provider_errors_total')?.get())?.values ?? [];
    return Object.fromEntries(values.map(({ labels, value }) => [`${String(labels['operation'])} ${String(labels['kind'])}`, value]));
  }

  /** What `call` added to the counter, series by series. Whether it returned or threw is the other tests' subject, not this one's. */
  async function countedDuring(call: () => Promise<unknown>, registry = metrics): Promise<Record<string, number>> {
    const before = await errorCounts(registry);
    await call().catch(() => undefined);
    const after = await errorCounts(registry);
    return Object.fromEntries(Object.entries(after).flatMap(([series, value]) => (value === before[series] ? [] : [[series, value - (before[series] ?? 0)]])));
  }

  const vend = () => adapter.vend(ORDER);
  const requery = () => adapter.requery(ORDER.requestId);
  const verifyMeter = () => adapter.lookupMeter(ORDER.providerCode, ORDER.meterNumber);
  const catalogue = () => adapter.catalogue();
  const meter = { providerName: 'Ikeja Electric', meterType: 'PREPAID', customerName: 'A', address: 'B', minimumAmount: 100_000, maximumAmount: 30_000_000, currency: 'NGN' };
  const entry = { code: 'ikeja-electric', name: 'Ikeja Electric', meterType: 'PREPAID', minimumAmount: 100_000, maximumAmount: 30_000_000, fee: 10_000, currency: 'NGN' };

  it("starts every operation and kind at 0, so that a replica's first error shows in rate()", async () => {
    const registry = new MetricsRegistry();
    const fresh = adapterFacing(baseUrl, {}, registry);
    const operations = ['catalogue', 'verify-meter', 'vend', 'requery'];
    const kinds = ['timeout', 'network', 'http_5xx', 'http_4xx', 'malformed', 'pending'];

    expect(await errorCounts(registry)).toEqual(Object.fromEntries(operations.flatMap((operation) => kinds.map((kind) => [`${operation} ${kind}`, 0]))));
    await fresh.onApplicationShutdown();
  });

  it.each<[string, (request: IncomingMessage, response: ServerResponse) => void, () => Promise<unknown>, Record<string, number>]>([
    ['a vend answered SUCCESS', json(200, vendRecord('SUCCESS')), vend, {}],
    ['a vend the provider declined (200 FAILED)', json(200, vendRecord('FAILED')), vend, {}],
    ['a vend the provider has not decided (200 PENDING)', json(200, vendRecord('PENDING')), vend, { 'vend pending': 1 }],
    ['a vend never answered', () => undefined, vend, { 'vend timeout': 1 }],
    ['a vend whose connection is cut', (request) => request.socket.destroy(), vend, { 'vend network': 1 }],
    ['a vend answered 503 on every try', json(503, { code: 'PROVIDER.UNAVAILABLE' }), vend, { 'vend http_5xx': 1 }],
    ['a vend refused with 403', json(403, { code: 'AUTH.FORBIDDEN' }), vend, { 'vend http_4xx': 1 }],
    ['a vend refused as invalid (400)', json(400, { code: 'REQUEST.INVALID' }), vend, { 'vend http_4xx': 1 }],
    ['a vend answered with a 200 that is no vend record', json(200, { status: 'OK' }), vend, { 'vend malformed': 1 }],
    ['a vend answered with a body that is not JSON', json(200, 'OK', { 'content-type': 'text/plain' }), vend, { 'vend malformed': 1 }],
    ['a vend answered with a redirect', json(302, {}, { location: '/elsewhere' }), vend, { 'vend malformed': 1 }],
    ['a vend answered with more than 64 KiB', json(200, successRecordOfSize(MAX_ANSWER_BYTES + 1)), vend, { 'vend malformed': 1 }],
    ['a requery of a vend never received (404 VEND.NOT_FOUND)', json(404, { code: 'VEND.NOT_FOUND' }), requery, {}],
    ['a requery answered PENDING', json(200, vendRecord('PENDING')), requery, { 'requery pending': 1 }],
    ['a requery answered 404 by something other than the API', json(404, { code: 'ROUTE.NOT_FOUND' }), requery, { 'requery http_4xx': 1 }],
    ['a meter found', json(200, meter), verifyMeter, {}],
    ['a meter the provider does not know (404 METER.NOT_FOUND)', json(404, { code: 'METER.NOT_FOUND', message: 'No such meter' }), verifyMeter, {}],
    ['a meter check refused with 401', json(401, { code: 'AUTH.UNAUTHORIZED' }), verifyMeter, { 'verify-meter http_4xx': 1 }],
    ['a meter answer with a fractional amount', json(200, { ...meter, minimumAmount: 1.5 }), verifyMeter, { 'verify-meter malformed': 1 }],
    ['a catalogue', json(200, { providers: [entry] }), catalogue, {}],
    ['a catalogue with a fee JSON cannot carry exactly', json(200, { providers: [{ ...entry, fee: 2 ** 60 }] }), catalogue, { 'catalogue malformed': 1 }],
  ])('given %s, then it counts %j', async (_, answer, call, expected) => {
    provider.answer = answer;

    expect(await countedDuring(call)).toEqual(expected);
  });

  it('given a 500 that a retry gets past, then it counts nothing: the call got its answer', async () => {
    let calls = 0;
    provider.answer = (request, response) => {
      calls += 1;
      return calls === 1 ? json(500, { code: 'INTERNAL' })(request, response) : json(200, vendRecord('SUCCESS'))(request, response);
    };

    expect(await countedDuring(vend)).toEqual({});
    expect(provider.linesReceived()).toEqual(['POST /vend', 'POST /vend']);
  });

  it('given nothing listening at the provider address, then the refused connections, retried, count once as network', async () => {
    const closed = new StandInProvider();
    const closedUrl = await closed.start();
    await closed.stop();
    const registry = new MetricsRegistry();
    const unreachable = adapterFacing(closedUrl, { PROVIDER_RETRIES: '2', PROVIDER_RETRY_BASE_MS: '10' }, registry);

    expect(await countedDuring(() => unreachable.vend(ORDER), registry)).toEqual({ 'vend network': 1 });
    await unreachable.onApplicationShutdown();
  });
});
