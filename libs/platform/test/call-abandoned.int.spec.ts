import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import { HEALTH, HealthCheckResponse, HealthMethods } from '@bvs/contracts';
import { CallAbandoned, CallAbandonedError, GrpcServiceClient, grpcServerOptions, ServiceError, ServiceTimeoutError } from '../src';
import { reserveFreePort } from '../src/testing';

/**
 * `@CallAbandoned()` on a real grpc-js server behind Nest's gRPC transport, called by the
 * gateway's client: the signal must abort when the caller's deadline passes or the caller cancels
 * (its HTTP client hung up) while the handler is still working (the wallet then drops the queued
 * request), and must not while the caller waits.
 */

/** What each call's handler saw: its signal, and how the test lets it answer. */
interface HandledCall {
  readonly abandoned: AbortSignal;
  readonly answer: () => void;
}

const handledCalls: HandledCall[] = [];
let nextCall: (call: HandledCall) => void = () => undefined;

@Controller()
class SlowHealthController {
  @GrpcMethod(HEALTH.service, 'Check')
  check(_request: unknown, _metadata: unknown, @CallAbandoned() abandoned: AbortSignal): Promise<HealthCheckResponse> {
    return new Promise((resolve) => {
      const call = { abandoned, answer: () => resolve({ status: 'SERVING' }) };
      handledCalls.push(call);
      nextCall(call);
    });
  }
}

@Module({ controllers: [SlowHealthController] })
class SlowHealthModule {}

/** Resolves with the next call the handler receives. */
const callReceived = () => new Promise<HandledCall>((resolve) => (nextCall = resolve));
const abortOf = (signal: AbortSignal) => new Promise<unknown>((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));

describe('a gRPC handler learning that its caller stopped waiting', () => {
  let server: INestMicroservice;
  let target: string;

  beforeAll(async () => {
    const port = await reserveFreePort();
    server = await NestFactory.createMicroservice(SlowHealthModule, { ...grpcServerOptions('127.0.0.1', port, []), logger: false });
    await server.listen();
    target = `ipv4:127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await server.close();
  });

  const clientWithDeadline = (deadlineMs: number) => new GrpcServiceClient<HealthMethods>(HEALTH, { target, deadlineMs, maxAttempts: 1, retriedMethods: [] });

  it('given a handler still working, when the caller’s deadline passes, then its signal aborts with a 504 the caller may retry', async () => {
    const client = clientWithDeadline(300);
    const received = callReceived();
    const answer = client.call('Check', { service: '' }).catch((error: unknown) => error);
    const call = await received;
    expect(call.abandoned.aborted).toBe(false);

    const reason = await abortOf(call.abandoned);
    expect(await answer).toBeInstanceOf(ServiceTimeoutError);
    expect(reason).toBeInstanceOf(ServiceError);
    expect((reason as ServiceError).toBody()).toMatchObject({ code: 'SERVICE.TIMEOUT', status: 504 });
    call.answer();
    client.close();
  });

  it('given a handler still working, when the caller’s own caller hangs up, then the call is cancelled and the handler’s signal aborts', async () => {
    const client = clientWithDeadline(10_000);
    const httpClientGone = new AbortController();
    const received = callReceived();
    const answer = client.call('Check', { service: '' }, { abandoned: httpClientGone.signal }).catch((error: unknown) => error);
    const call = await received;
    expect(call.abandoned.aborted).toBe(false);

    httpClientGone.abort();
    await expect(abortOf(call.abandoned)).resolves.toBeInstanceOf(ServiceError);
    expect(await answer).toBeInstanceOf(CallAbandonedError);
    call.answer();
    client.close();
  });

  it('given a caller that already hung up, when the call would be made, then it is not sent at all', async () => {
    const client = clientWithDeadline(10_000);
    const httpClientGone = new AbortController();
    httpClientGone.abort();
    const callsBefore = handledCalls.length;
    await expect(client.call('Check', { service: '' }, { abandoned: httpClientGone.signal })).rejects.toBeInstanceOf(CallAbandonedError);
    // A call sent afterwards on the same channel is the next one the server sees.
    const received = callReceived();
    const answer = client.call('Check', { service: '' });
    (await received).answer();
    await expect(answer).resolves.toEqual({ status: 'SERVING' });
    expect(handledCalls.length).toBe(callsBefore + 1);
    client.close();
  });

  it('given a caller still waiting, when the handler answers, then its signal had not aborted and the caller gets the answer', async () => {
    const client = clientWithDeadline(10_000);
    const received = callReceived();
    const answer = client.call('Check', { service: '' });
    const call = await received;
    expect(call.abandoned.aborted).toBe(false);
    call.answer();
    await expect(answer).resolves.toEqual({ status: 'SERVING' });
    client.close();
  });
});
