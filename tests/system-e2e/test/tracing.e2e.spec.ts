import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EVENT_TOPICS } from '@bvs/contracts';
import { eventually } from '@bvs/platform/testing';
import type { SpanLine } from '@bvs/platform/tracing';
import { fundAndAwaitCredit } from './support/funding';
import { call } from './support/http';
import { RunningSystem, type BackendService } from './support/system';

const PROVIDER = 'ikeja-electric-prepaid';
const VENDING_METER = '1111111111111';
const NAIRA = 100;
const TRACED_SERVICES = ['gateway', 'auth', 'wallet', 'billing', 'provider-sim'] as const;
type TracedService = (typeof TRACED_SERVICES)[number];

/**
 * One purchase through the real processes, each writing its spans to a file of its own
 * (OTEL_TRACES_EXPORTER=file), then read back: the purchase must be one trace, each hop the child
 * of the one before it, across gRPC, the wallet's outbox, Kafka, the bills table and HTTP.
 */
describe('tracing one purchase across every service', () => {
  let system: RunningSystem;
  let traceDir: string;
  const fileOf = (service: TracedService) => path.join(traceDir, `${service}.jsonl`);
  const tracedEnv = (service: TracedService) => ({ OTEL_TRACES_EXPORTER: 'file', TRACES_FILE_PATH: fileOf(service) });

  beforeAll(async () => {
    traceDir = mkdtempSync(path.join(tmpdir(), 'bvs-traces-'));
    const backends: readonly BackendService[] = ['provider-sim', 'auth', 'wallet', 'billing'];
    system = await RunningSystem.start({
      services: backends,
      gatewayEnv: tracedEnv('gateway'),
      serviceEnv: Object.fromEntries(backends.map((service) => [service, tracedEnv(service)])),
    });
  }, 240_000);

  afterAll(async () => {
    await system?.stop();
    if (traceDir) rmSync(traceDir, { recursive: true, force: true });
  }, 60_000);

  /** Every span of `traceId` the services have written so far. */
  function spansOf(traceId: string): SpanLine[] {
    return TRACED_SERVICES.flatMap((service) =>
      existsSync(fileOf(service))
        ? readFileSync(fileOf(service), 'utf8')
            .split('\n')
            .filter((line) => line.length > 0)
            .map((line) => JSON.parse(line) as SpanLine)
            .filter((span) => span.traceId === traceId)
        : [],
    );
  }

  it('follows a purchase as one trace: gateway → wallet → Kafka → billing → provider → Kafka → wallet, each hop the parent of the next', async () => {
    const base = system.gateway.url;
    const email = `traced-${randomUUID()}@example.com`;
    const password = 'orange-Kettle-42';
    await call(base, '/api/users/register', { body: { email, password } });
    const token = (await call<{ accessToken: string }>(base, '/api/users/login', { body: { email, password } })).body.accessToken;
    await fundAndAwaitCredit(`${base}/api`, token, 10_000 * NAIRA);

    // The client starts the trace, as a traced caller would, so the test knows its id.
    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const paid = await call<{ id: string }>(base, '/api/bills/pay', {
      token,
      headers: { traceparent: `00-${traceId}-${clientSpanId}-01` },
      body: { provider: PROVIDER, meterNumber: VENDING_METER, amount: 5_000 * NAIRA, reference: randomUUID() },
    });
    expect(paid.status).toBe(202);
    await eventually(async () => {
      const bill = (await call<{ status: string; transactionStatus?: string }>(base, `/api/bills/${paid.body.id}`, { token })).body;
      return bill.status === 'COMPLETED' && bill.transactionStatus === 'COMPLETED' ? bill : undefined;
    }, `bill ${paid.body.id} to complete in billing and in the wallet`, 60_000);

    // The wallet's span for the outcome ends when its transaction commits, just before the bill reads COMPLETED.
    const spans = await eventually(async () => {
      const found = spansOf(traceId);
      return found.some((span) => span.service === 'wallet' && span.name === `process ${EVENT_TOPICS.paymentCompleted}`) ? found : undefined;
    }, `the wallet's span for ${EVENT_TOPICS.paymentCompleted} in trace ${traceId}`);

    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const isWithin = (span: SpanLine, ancestor: SpanLine): boolean => {
      for (let current: SpanLine | undefined = span; current !== undefined; current = current.parentSpanId === null ? undefined : byId.get(current.parentSpanId)) {
        if (current.spanId === ancestor.spanId) return true;
      }
      return false;
    };
    const only = (description: string, matches: (span: SpanLine) => boolean): SpanLine => {
      const found = spans.filter(matches);
      if (found.length !== 1) throw new Error(`expected one span ${description}, found ${found.length}: ${JSON.stringify(spans.map(({ service, name, kind }) => `${service} ${kind} ${name}`))}`);
      return found[0] as SpanLine;
    };
    const childOf = (parent: SpanLine) => (span: SpanLine) => span.parentSpanId === parent.spanId;

    const gatewayRequest = only('the gateway received', (span) => span.service === 'gateway' && span.kind === 'SERVER' && span.parentSpanId === clientSpanId);
    const walletCall = only('calling the wallet', (span) => span.service === 'gateway' && span.kind === 'CLIENT' && span.name.endsWith('/InitiatePayment'));
    expect(isWithin(walletCall, gatewayRequest)).toBe(true);
    const walletServes = only('the wallet served', (span) => span.service === 'wallet' && span.kind === 'SERVER' && childOf(walletCall)(span));

    const requested = only('sending payment-requested', (span) => span.service === 'wallet' && span.kind === 'PRODUCER' && span.name === `send ${EVENT_TOPICS.paymentRequested}`);
    // The outbox row was written under the gRPC call; the relay sent it later, from its own loop, under that trace.
    expect(isWithin(requested, walletServes)).toBe(true);
    const billingConsumes = only('billing consuming payment-requested', (span) => span.service === 'billing' && span.kind === 'CONSUMER' && childOf(requested)(span));
    expect(billingConsumes.name).toBe(`process ${EVENT_TOPICS.paymentRequested}`);

    // The bills table carries the trace from the consumer to the worker's step.
    const step = only('the vend step', (span) => span.service === 'billing' && span.name === 'vend-bill step' && childOf(billingConsumes)(span));
    const vendCall = only('calling the provider to vend', (span) => span.service === 'billing' && span.kind === 'CLIENT' && 'http.request.method' in span.attributes && isWithin(span, step));
    only('the provider vending', (span) => span.service === 'provider-sim' && span.kind === 'SERVER' && childOf(vendCall)(span));

    const completed = only('sending payment-completed', (span) => span.service === 'billing' && span.kind === 'PRODUCER' && span.name === `send ${EVENT_TOPICS.paymentCompleted}`);
    expect(isWithin(completed, step)).toBe(true);
    only('the wallet consuming payment-completed', (span) => span.service === 'wallet' && span.kind === 'CONSUMER' && childOf(completed)(span));

    // Log lines name the trace too: the request's line at the gateway and the settlement's in billing
    // (written in batches, so waited for).
    const linesOf = (output: string) => output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg?: string; traceId?: string; spanId?: string });
    const requestLines = await eventually(async () => {
      const lines = linesOf(system.gateway.fullOutput).filter((line) => line.traceId === traceId && line.msg === 'request completed');
      return lines.length > 0 ? lines : undefined;
    }, "the gateway's line of the traced request");
    expect(requestLines).toHaveLength(1);
    const settled = await eventually(async () => linesOf(system.service('billing').fullOutput).find((line) => line.msg === 'Bill completed' && line.traceId === traceId), "billing's line of the traced settlement");
    expect(settled.spanId).toMatch(/^[0-9a-f]{16}$/);
  });
});
