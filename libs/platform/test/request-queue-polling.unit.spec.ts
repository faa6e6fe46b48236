import { PENDING_REQUESTS_RECHECK_MS, stopIdleRequestQueuePolling } from '../src/kafka/request-queue-polling';

/** kafkajs's per-connection request queue, driven as its connection drives it: push a request, fulfil an answer. */
interface RequestQueue {
  push(request: { entry: { correlationId: number; resolve(): void; reject(error: unknown): void }; expectResponse: boolean; sendRequest(): void }): void;
  fulfillRequest(answer: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(clientSideThrottleTimeMs: number | null): void;
  destroy(): void;
}
const RequestQueueClass = require('kafkajs/src/network/requestQueue') as new (options: object) => RequestQueue;

const quietLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A queue allowing one request in flight, and the correlation ids it has put on the wire, in order. */
function oneInFlightQueue(): { queue: RequestQueue; sent: number[]; send(correlationId: number): void } {
  const queue = new RequestQueueClass({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'broker:9092', logger: quietLogger });
  const sent: number[] = [];
  const send = (correlationId: number): void =>
    queue.push({ entry: { correlationId, resolve: () => undefined, reject: () => undefined }, expectResponse: true, sendRequest: () => sent.push(correlationId) });
  return { queue, sent, send };
}

const answer = (correlationId: number) => ({ correlationId, payload: Buffer.alloc(0), size: 0 });

describe('kafkajs request queue polling', () => {
  beforeAll(() => stopIdleRequestQueuePolling());
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-12-07T12:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('given a connection whose only request was answered, when the answer has been handled, then no timer stays armed', () => {
    const { queue, sent, send } = oneInFlightQueue();
    send(1);
    queue.fulfillRequest(answer(1));
    // Unpatched, kafkajs re-arms a 1 ms check here forever; a whole second of it would be a thousand checks.
    expect(sent).toEqual([1]);
    expect(jest.getTimerCount()).toBe(0);
    queue.destroy();
  });

  it('given a request waiting for the one in-flight slot, when the answer in flight arrives, then the waiting request goes out and nothing is left armed', () => {
    const { queue, sent, send } = oneInFlightQueue();
    send(1);
    send(2);
    expect(sent).toEqual([1]);
    expect(jest.getTimerCount()).toBe(1);
    queue.fulfillRequest(answer(1));
    expect(sent).toEqual([1, 2]);
    queue.fulfillRequest(answer(2));
    jest.advanceTimersByTime(PENDING_REQUESTS_RECHECK_MS);
    expect(jest.getTimerCount()).toBe(0);
    queue.destroy();
  });

  it('given the broker asked for a throttle, when a request is pushed meanwhile, then it goes out when the throttle ends, not before', () => {
    const { queue, sent, send } = oneInFlightQueue();
    queue.maybeThrottle(200);
    send(1);
    jest.advanceTimersByTime(199);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(sent).toEqual([1]);
    queue.fulfillRequest(answer(1));
    expect(jest.getTimerCount()).toBe(0);
    queue.destroy();
  });

  it('given the fix is asked for again (each client config asks), when it is, then the queue keeps the one rule it has', () => {
    const RequestQueuePrototype = (RequestQueueClass as unknown as { prototype: { scheduleCheckPendingRequests: unknown } }).prototype;
    const rule = RequestQueuePrototype.scheduleCheckPendingRequests;
    stopIdleRequestQueuePolling();
    expect(RequestQueuePrototype.scheduleCheckPendingRequests).toBe(rule);
  });
});
