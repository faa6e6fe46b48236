import { AddressInfo, createServer as createTcpServer } from 'node:net';
import { loadPackageDefinition, Metadata, Server, ServerCredentials, ServiceDefinition, status as GrpcStatus } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { ArgumentsHost } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { BILLING_ERROR_CODES, HEALTH, HealthMethods } from '@bvs/contracts';
import { GrpcErrorFilter, GrpcServiceClient, PROTO_LOADER_OPTIONS, ServiceError } from '@bvs/platform';
import { RETRY_AFTER_SECONDS } from '../src/http/problem-details.filter';
import { problemAnswerTo } from './support/problem-answer';

/**
 * From a backend's gRPC answer to the gateway's HTTP answer, through the real pieces: a grpc-js
 * server on loopback standing in for a backend (answering through the services' GrpcErrorFilter
 * where a service would), the gateway's GrpcServiceClient, and its ProblemDetailsFilter. This is
 * where gRPC DEADLINE_EXCEEDED becomes 504 and UNAVAILABLE 503; problem-details-filter.unit.spec.ts
 * covers the filter on its own.
 */

type GrpcError = { code: number; details: string; metadata?: Metadata };
type CheckHandler = (callback: (error: GrpcError | null, response?: { status: string }) => void) => void;

/** The error a service's handler would send for `thrown`: what the services' GrpcErrorFilter makes of it. */
async function asServiceWouldSend(thrown: unknown): Promise<GrpcError> {
  const noCall = { getArgByIndex: () => undefined } as unknown as ArgumentsHost;
  return (await firstValueFrom(new GrpcErrorFilter().catch(thrown, noCall)).catch((error: unknown) => error)) as GrpcError;
}

/** A grpc.health.v1.Health server on loopback whose Check answers as the test says. */
async function startBackend(answer: () => CheckHandler): Promise<{ target: string; stop: () => Promise<void> }> {
  const loaded = loadPackageDefinition(loadSync(HEALTH.protoFile, PROTO_LOADER_OPTIONS)) as unknown as {
    grpc: { health: { v1: { Health: { service: ServiceDefinition } } } };
  };
  const server = new Server();
  server.addService(loaded.grpc.health.v1.Health.service, {
    Check: (_call: unknown, callback: Parameters<CheckHandler>[0]) => answer()(callback),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { target: `ipv4:127.0.0.1:${port}`, stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())) };
}

/** A loopback port nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const clientOf = (target: string, deadlineMs: number) => new GrpcServiceClient<HealthMethods>(HEALTH, { target, deadlineMs, maxAttempts: 1, retriedMethods: [] });

/** What the gateway answers its client when the backend call fails as it did. */
async function gatewayAnswerFor(client: GrpcServiceClient<HealthMethods>) {
  const failure = await client.call('Check', { service: '' }).then(
    () => {
      throw new Error('the backend call was expected to fail');
    },
    (error: unknown) => error,
  );
  return problemAnswerTo(failure, { id: 'req-42', originalUrl: '/api/bills/providers' });
}

describe('backend gRPC failures as the gateway answers them', () => {
  let handler: CheckHandler = (callback) => callback(null, { status: 'SERVING' });
  let backend: { target: string; stop: () => Promise<void> };
  let client: GrpcServiceClient<HealthMethods>;
  let loggedErrors: jest.SpyInstance;

  beforeAll(async () => {
    backend = await startBackend(() => handler);
    client = clientOf(backend.target, 5_000);
  });

  beforeEach(() => {
    loggedErrors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => loggedErrors.mockRestore());

  afterAll(async () => {
    client.close();
    await backend.stop();
  });

  it('given the backend answers, then the call succeeds (the stand-in works)', async () => {
    handler = (callback) => callback(null, { status: 'SERVING' });

    await expect(client.call('Check', { service: '' })).resolves.toEqual({ status: 'SERVING' });
  });

  it('given the backend never answers, when the deadline passes (DEADLINE_EXCEEDED), then 504 SERVICE.TIMEOUT with Retry-After', async () => {
    handler = () => undefined;
    const hurried = clientOf(backend.target, 300);
    try {
      const answer = await gatewayAnswerFor(hurried);

      expect(answer.status).toBe(504);
      expect(answer.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
      expect(answer.body).toMatchObject({ type: 'urn:bvs:problem:SERVICE.TIMEOUT', status: 504, code: 'SERVICE.TIMEOUT', requestId: 'req-42', instance: '/api/bills/providers' });
    } finally {
      hurried.close();
    }
  });

  it('given the backend answers UNAVAILABLE without a refusal of ours, then 503 SERVICE.UNAVAILABLE with Retry-After', async () => {
    handler = (callback) => callback({ code: GrpcStatus.UNAVAILABLE, details: 'draining for shutdown' });

    const answer = await gatewayAnswerFor(client);

    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
    expect(answer.body).toMatchObject({ code: 'SERVICE.UNAVAILABLE', status: 503 });
    expect(answer.text).not.toContain('draining');
  });

  it('given no backend listens at all, then 503 SERVICE.UNAVAILABLE with Retry-After, without the address', async () => {
    const port = await closedPort();
    const nowhere = clientOf(`ipv4:127.0.0.1:${port}`, 5_000);
    try {
      const answer = await gatewayAnswerFor(nowhere);

      expect(answer).toMatchObject({ status: 503, body: { code: 'SERVICE.UNAVAILABLE' } });
      expect(answer.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
      expect(answer.text).not.toContain(String(port));
    } finally {
      nowhere.close();
    }
  });

  it.each([
    [BILLING_ERROR_CODES.meterNotFound, 422, new ServiceError(BILLING_ERROR_CODES.meterNotFound, 422, 'The provider knows no such meter.', { field: 'meterNumber' })],
    [BILLING_ERROR_CODES.billNotFound, 404, new ServiceError(BILLING_ERROR_CODES.billNotFound, 404, 'No such bill payment.')],
    [BILLING_ERROR_CODES.unknownProvider, 400, new ServiceError(BILLING_ERROR_CODES.unknownProvider, 400, 'No provider has the code x.', { field: 'provider' })],
    ['AUTH.UNAUTHENTICATED', 401, new ServiceError('AUTH.UNAUTHENTICATED', 401, 'A valid access token is required.')],
    ['IDEMPOTENCY.CONFLICT', 409, new ServiceError('IDEMPOTENCY.CONFLICT', 409, 'This reference was used for another request.')],
  ])('given a service refuses with %s (%i), then the client gets its exact status, code and message', async (_code, _status, refusal) => {
    const sent = await asServiceWouldSend(refusal);
    handler = (callback) => callback(sent);

    const answer = await gatewayAnswerFor(client);

    expect(answer.status).toBe(refusal.status);
    expect(answer.body).toMatchObject({ type: `urn:bvs:problem:${refusal.code}`, status: refusal.status, code: refusal.code, detail: refusal.message, requestId: 'req-42' });
    const field = refusal.details?.['field'];
    expect(answer.body['errors']).toEqual(typeof field === 'string' ? [{ field, messages: [refusal.message] }] : undefined);
  });

  it('given the provider is down behind billing (503 BILLING.PROVIDER_UNAVAILABLE), then the client gets 503 with that code and Retry-After', async () => {
    const sent = await asServiceWouldSend(new ServiceError(BILLING_ERROR_CODES.providerUnavailable, 503, 'The electricity provider is not answering; try again shortly.'));
    handler = (callback) => callback(sent);

    const answer = await gatewayAnswerFor(client);

    expect(answer).toMatchObject({ status: 503, body: { code: BILLING_ERROR_CODES.providerUnavailable } });
    expect(answer.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
  });

  it('given a bug in the service handler, then 500 INTERNAL.UNEXPECTED, and neither the message nor the stack reaches the client', async () => {
    const bug = new TypeError('Cannot read properties of undefined (reading "ledgerPassword")');
    const sent = await asServiceWouldSend(bug);
    handler = (callback) => callback(sent);

    const answer = await gatewayAnswerFor(client);

    expect(answer).toMatchObject({ status: 500, body: { code: 'INTERNAL.UNEXPECTED', status: 500, type: 'urn:bvs:problem:INTERNAL.UNEXPECTED' } });
    expect(answer.text).not.toMatch(/ledgerPassword|TypeError|\.ts:\d+/);
  });

  it('given a bare gRPC INTERNAL whose text names a host and a secret (no refusal of ours), then 500 with the generic message only', async () => {
    handler = (callback) => callback({ code: GrpcStatus.INTERNAL, details: 'connect ECONNREFUSED 10.42.0.9:5432 password=hunter2' });

    const answer = await gatewayAnswerFor(client);

    expect(answer).toMatchObject({ status: 500, body: { code: 'INTERNAL.UNEXPECTED', status: 500 } });
    expect(answer.text).not.toMatch(/10\.42|5432|hunter2|ECONNREFUSED/);
  });

  it.each([
    ['UNAUTHENTICATED', 401, 'AUTH.UNAUTHENTICATED', GrpcStatus.UNAUTHENTICATED],
    ['NOT_FOUND', 404, 'GRPC.NOT_FOUND', GrpcStatus.NOT_FOUND],
  ])('given a bare gRPC %s (no refusal of ours), then HTTP %i %s', async (_, status, code, grpc) => {
    handler = (callback) => callback({ code: grpc, details: 'bare status' });

    expect(await gatewayAnswerFor(client)).toMatchObject({ status, body: { status, code } });
  });
});
