import express from 'express';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InFlightLimit } from '@bvs/platform';
import { requestAdmissionMiddleware } from '../src/http/request-admission';

/**
 * A real HTTP server with the admission middleware in front of a route that answers only when the
 * test says so, so "a request in flight" is a fact the test controls, not a race against a timer.
 */
async function gatewayAdmitting(maxInFlight: number) {
  const held: { answer: () => void; closed: Promise<unknown> }[] = [];
  const arrivals: (() => void)[] = [];
  const refusals = { count: 0 };
  const app = express();
  app.use(requestAdmissionMiddleware(new InFlightLimit(maxInFlight), () => (refusals.count += 1)));
  app.get('/api/health/live', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.get('/api/held', (_request, response) => {
    held.push({ answer: () => response.json({ answered: true }), closed: once(response, 'close') });
    arrivals.shift()?.();
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    refusals,
    /** Sends GET /api/held and resolves once the route holds it, with the held request; its answer is awaited separately. */
    async holdOne(signal?: AbortSignal): Promise<{ readonly response: Promise<Response>; readonly answer: () => void; readonly closed: Promise<unknown> }> {
      const arrived = new Promise<void>((resolve) => arrivals.push(resolve));
      const response = fetch(`${base}/api/held`, { signal });
      await arrived;
      const { answer, closed } = held[held.length - 1] as (typeof held)[number];
      return { response, answer, closed };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the gateway bounds the requests it works on at once', () => {
  let gateway: Awaited<ReturnType<typeof gatewayAdmitting>>;
  beforeEach(async () => {
    gateway = await gatewayAdmitting(1);
  });
  afterEach(async () => {
    await gateway.close();
  });

  it('given its one place taken, when another request comes, then it is refused at once with a retryable 503, and admitted once the place is free', async () => {
    const first = await gateway.holdOne();

    const refused = await fetch(`${gateway.base}/api/held`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await refused.json()).toMatchObject({ status: 503, code: 'SERVICE.UNAVAILABLE', instance: '/api/held' });
    expect(gateway.refusals.count).toBe(1);

    first.answer();
    expect((await first.response).status).toBe(200);
    const next = await gateway.holdOne();
    next.answer();
    expect((await next.response).status).toBe(200);
  });

  it('given its one place taken, when a probe comes, then it is answered', async () => {
    const first = await gateway.holdOne();

    const probe = await fetch(`${gateway.base}/api/health/live`);
    expect(probe.status).toBe(200);
    expect(gateway.refusals.count).toBe(0);

    first.answer();
    await first.response;
  });

  it('given a client that gave up on its request, when the next one comes, then the place it held is free again', async () => {
    const abandon = new AbortController();
    const first = await gateway.holdOne(abandon.signal);
    abandon.abort();
    await expect(first.response).rejects.toThrow();
    await first.closed;

    const next = await gateway.holdOne();
    next.answer();
    expect((await next.response).status).toBe(200);
  });
});
