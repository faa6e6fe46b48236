import { randomUUID } from 'node:crypto';
import { EVENT_TOPICS, eventKeyOf, PaymentRequestedEvent } from '@bvs/contracts';
import { Alerts, dataSourceOptions, EventSchemaRegistry, kafkaGroupId, loadConfig, MetricsRegistry, migrateWithLock } from '@bvs/platform';
import { eventually, readInfraAddresses, ServiceProcess, startGroupAtEnd, TestDatabase, testKafkaConfig, uniqueGroupSuffix } from '@bvs/platform/testing';
import { Kafka } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { BillWorker } from '../src/bills/bill-worker';
import { SettleBillHandler } from '../src/bills/commands/settle-bill/settle-bill.handler';
import { VendBillHandler } from '../src/bills/commands/vend-bill/vend-bill.handler';
import { PaymentRequestsConsumer } from '../src/bills/events/record-requested-payment/payment-requests.consumer';
import { RecordRequestedPaymentHandler, type TracedPaymentRequest } from '../src/bills/events/record-requested-payment/record-requested-payment.handler';
import { BillArrivalListener } from '../src/bills/persistence/bill-arrival-listener';
import { BillRepository } from '../src/bills/persistence/bill-repository';
import { ReconcilePendingBillsHandler } from '../src/bills/reconcile/reconcile-pending-bills.handler';
import { BillingEnv } from '../src/config/billing-env';
import { BILLING_DATABASE } from '../src/persistence/billing-database';
import { HttpVendingProvider } from '../src/provider/http-vending-provider';
import { paymentRequested } from './support/payment-requested';

const ADMIN_TOKEN = 'billing-it-admin-token';
/** The simulator's merchant key, which billing sends on every call. */
const PROVIDER_API_KEY = 'billing-it-provider-key-0123456789';

/**
 * Billing's own handler of payment-requested, noting every event the consumer hands it. The topic is
 * shared with other tests and services, so it passes on only the events a test watches.
 */
class WatchedRecordRequestedPayment extends RecordRequestedPaymentHandler {
  /** Event ids handed to the handler, in order, once per time. */
  readonly handed: string[] = [];
  private readonly watched = new Set<string>();

  watch(...events: readonly PaymentRequestedEvent[]): void {
    for (const event of events) this.watched.add(event.metadata.eventId);
  }

  override handleAll(requests: readonly TracedPaymentRequest[], manager: EntityManager): Promise<void> {
    const ours = requests.filter(({ event }) => this.watched.has(event.metadata.eventId));
    this.handed.push(...ours.map(({ event }) => event.metadata.eventId));
    return super.handleAll(ours, manager);
  }
}

/**
 * The bill worker against the real provider simulator (a process) and the real PostgreSQL:
 * transient provider errors, a lease shared by two workers, redelivered requests, the reconciler.
 */
describe('bill worker with the provider simulator', () => {
  let simulator: ServiceProcess;
  let simulatorDatabase: TestDatabase;
  let database: TestDatabase;
  let dataSource: DataSource;
  let env: BillingEnv;
  let worker: BillWorker;

  /** A worker wired as the app module wires it, with a provider client of its own. */
  function newWorker(): BillWorker {
    const bills = new BillRepository(dataSource);
    const vendBill = new VendBillHandler(bills, new HttpVendingProvider(env, new MetricsRegistry()), new SettleBillHandler(dataSource, bills, env, new MetricsRegistry()), env);
    return new BillWorker(bills, vendBill, new ReconcilePendingBillsHandler(dataSource, bills, env, new Alerts(dataSource, 'billing', { url: undefined, attempts: 1, timeoutMs: 1_000, intervalMs: 60_000 })), new BillArrivalListener(dataSource), env, new MetricsRegistry());
  }
  const recordPendingBill = (event: PaymentRequestedEvent) =>
    dataSource.transaction((manager) => new RecordRequestedPaymentHandler(new BillRepository(dataSource)).handle(event, manager));

  beforeAll(async () => {
    simulatorDatabase = await TestDatabase.create('billing_it_sim');
    const infra = readInfraAddresses();
    simulator = await ServiceProcess.start('provider-sim', {
      env: {
        LOG_LEVEL: 'warn',
        SCHEMA_REGISTRY_URL: infra.SCHEMA_REGISTRY_URL,
        DATABASE_URL: simulatorDatabase.url,
        ADMIN_TOKEN,
        API_KEY: PROVIDER_API_KEY,
        SIM_SEED: '7',
      },
      readyPath: '/health/ready',
    });
    database = await TestDatabase.create('billing_it');
    env = loadConfig(BillingEnv, {
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      DATABASE_URL: database.url,
      PROVIDER_BASE_URL: simulator.url,
      PROVIDER_API_KEY,
      PROVIDER_RETRIES: '2',
      PROVIDER_RETRY_BASE_MS: '20',
      PROVIDER_TIMEOUT_MS: '2000',
      REQUERY_BASE_MS: '100',
      RECONCILE_AFTER_MS: '60000',
      // The consumer test's group is this run's own.
      KAFKA_GROUP_SUFFIX: uniqueGroupSuffix(),
    });
    dataSource = await new DataSource(dataSourceOptions(env, BILLING_DATABASE)).initialize();
    await migrateWithLock(dataSource);
    worker = newWorker();
  }, 120_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await simulator?.stop();
    await database?.drop();
    await simulatorDatabase?.drop();
  }, 60_000);

  afterEach(async () => {
    await behave({ transientErrorRate: 0 });
  });

  /** The simulator's own record of a vend, asked as billing asks: with the merchant key. */
  const requeryAtSimulator = (requestId: string) => fetch(`${simulator.url}/vend/${requestId}`, { headers: { authorization: `Bearer ${PROVIDER_API_KEY}` } });

  async function behave(change: Record<string, number>): Promise<void> {
    const response = await fetch(`${simulator.url}/admin/behaviour`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(change),
    });
    expect(response.status).toBe(200);
  }

  async function bill(id: string): Promise<{ status: string; attempts: number; last_error: string | null; token: string | null; vend_sent_at: Date | null }> {
    const rows = (await dataSource.query('SELECT status, attempts, last_error, token, vend_sent_at FROM bill_payments WHERE id = $1', [id])) as {
      status: string;
      attempts: number;
      last_error: string | null;
      token: string | null;
      vend_sent_at: Date | null;
    }[];
    const row = rows[0];
    if (!row) throw new Error(`no bill ${id}`);
    return row;
  }

  const makeDue = (id: string) => dataSource.query('UPDATE bill_payments SET next_attempt_at = now() WHERE id = $1', [id]);

  it('drops a redelivered payment-requested in the consumer inbox: the handler gets the event once, and one bill is recorded', async () => {
    const topic = EVENT_TOPICS.paymentRequested;
    const kafka = new Kafka(testKafkaConfig('billing-it-payment-requests'));
    const registry = new EventSchemaRegistry(readInfraAddresses().SCHEMA_REGISTRY_URL);
    const groupId = kafkaGroupId(env, 'billing-payment-requests');
    // The consumer reads only what is written from here on, not the shared topic's history.
    await startGroupAtEnd(kafka, groupId, [topic]);
    const handler = new WatchedRecordRequestedPayment(new BillRepository(dataSource));
    const consumer = new PaymentRequestsConsumer(dataSource, registry, kafka, env, new MetricsRegistry(), new Alerts(dataSource, 'billing', { url: undefined, attempts: 1, timeoutMs: 1_000, intervalMs: 60_000 }), handler);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const event = paymentRequested();
    // Same wallet, so the same key and partition as the redelivery, and consumed after it.
    const later: PaymentRequestedEvent = { ...paymentRequested(), payload: { ...paymentRequested().payload, walletId: event.payload.walletId } };
    handler.watch(event, later);
    const billCount = async (billId: string): Promise<number> => {
      const [{ count }] = (await dataSource.query('SELECT count(*)::int AS count FROM bill_payments WHERE id = $1', [billId])) as [{ count: number }];
      return count;
    };
    const recorded = (billId: string, what: string) => eventually(async () => ((await billCount(billId)) === 1 ? true : undefined), what);

    await producer.connect();
    await consumer.onApplicationBootstrap();
    try {
      // Sent as the wallet's relay sends it: schema-encoded, keyed by the wallet.
      const message = { key: eventKeyOf(topic, event), value: await registry.encode(topic, event) };
      await producer.send({ topic, acks: -1, messages: [message] });
      await recorded(event.payload.paymentId, 'the first delivery to record the bill');

      // The redelivery: the same message again, as a relay re-sends a row it published but could not mark.
      await producer.send({ topic, acks: -1, messages: [message] });
      await producer.send({ topic, acks: -1, messages: [{ key: eventKeyOf(topic, later), value: await registry.encode(topic, later) }] });
      // The later event sits behind the redelivery in the partition: once it is recorded, the redelivery was consumed.
      await recorded(later.payload.paymentId, 'the later event to record its bill');
    } finally {
      await consumer.beforeApplicationShutdown();
      await producer.disconnect();
    }

    // The inbox dropped the redelivery before billing's handler: it was handed each event once.
    expect(handler.handed).toEqual([event.metadata.eventId, later.metadata.eventId]);
    await expect(dataSource.query('SELECT count(*)::int AS count FROM inbox WHERE consumer = $1 AND event_id = $2', [groupId, event.metadata.eventId])).resolves.toEqual([
      { count: 1 },
    ]);
    expect(await billCount(event.payload.paymentId)).toBe(1);

    // Vend the bills recorded here, leaving none due for the tests after.
    await worker.runOnce();
    expect(await bill(event.payload.paymentId)).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    expect(await bill(later.payload.paymentId)).toMatchObject({ status: 'COMPLETED', attempts: 1 });
  });

  it('records a payment once: a request seen again past the inbox, or twice in one slice, leaves its bill as the first one made it', async () => {
    const handler = new RecordRequestedPaymentHandler(new BillRepository(dataSource));
    const first = paymentRequested();
    await recordPendingBill(first);
    await worker.runOnce();
    expect(await bill(first.payload.paymentId)).toMatchObject({ status: 'COMPLETED', attempts: 1 });

    // The inbox keeps event ids for a while only: a request that comes back later reaches the handler.
    const again: PaymentRequestedEvent = { metadata: { ...first.metadata, eventId: randomUUID() }, payload: { ...first.payload, amountMinor: 999n } };
    const twice = paymentRequested();
    const twiceChanged: PaymentRequestedEvent = { metadata: { ...twice.metadata, eventId: randomUUID() }, payload: { ...twice.payload, meterNumber: '99999999999' } };
    const bills = await dataSource.transaction(async (manager) => {
      await handler.handleAll(
        [again, twice, twiceChanged].map((event) => ({ event, traceparent: null })),
        manager,
      );
      return (await manager.query('SELECT id, amount::text AS amount, meter_number, status FROM bill_payments WHERE id = ANY($1::uuid[]) ORDER BY status', [
        [first.payload.paymentId, twice.payload.paymentId],
      ])) as { id: string; amount: string; meter_number: string; status: string }[];
    });

    expect(bills).toEqual([
      { id: first.payload.paymentId, amount: '250000', meter_number: first.payload.meterNumber, status: 'COMPLETED' },
      { id: twice.payload.paymentId, amount: '250000', meter_number: twice.payload.meterNumber, status: 'PENDING' },
    ]);
    await worker.runOnce();
    expect(await bill(twice.payload.paymentId)).toMatchObject({ status: 'COMPLETED', attempts: 1 });
  });

  it('retries transient provider errors, keeps the bill PENDING when they persist, and completes it once they stop', async () => {
    const event = paymentRequested();
    await recordPendingBill(event);
    await behave({ transientErrorRate: 1 });
    await worker.runOnce();
    const afterOutage = await bill(event.payload.paymentId);
    expect(afterOutage).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(afterOutage.last_error).toContain('transient errors persisted');
    await behave({ transientErrorRate: 0 });
    // Nothing reached the provider: it has no record of the request id.
    expect((await requeryAtSimulator(event.payload.paymentId)).status).toBe(404);
    await makeDue(event.payload.paymentId);
    await worker.runOnce();
    const completed = await bill(event.payload.paymentId);
    expect(completed.status).toBe('COMPLETED');
    expect(completed.token).toMatch(/^\d{20}$/);
    const events = (await dataSource.query(`SELECT topic FROM outbox WHERE payload -> 'payload' ->> 'paymentId' = $1`, [event.payload.paymentId])) as { topic: string }[];
    expect(events).toEqual([{ topic: EVENT_TOPICS.paymentCompleted }]);
  });

  it('lets only one of two workers claim a due bill', async () => {
    const event = paymentRequested();
    await recordPendingBill(event);
    const other = newWorker();
    await Promise.all([worker.runOnce(), other.runOnce()]);
    expect(await bill(event.payload.paymentId)).toMatchObject({ status: 'COMPLETED', attempts: 1 });
  });

  it('reconciles a bill pending past the window: it is made due and requeried at once', async () => {
    const event = paymentRequested();
    await recordPendingBill(event);
    await dataSource.query(
      `UPDATE bill_payments SET created_at = now() - interval '1 hour', next_attempt_at = now() + interval '1 hour', vend_sent_at = now() - interval '1 hour' WHERE id = $1`,
      [event.payload.paymentId],
    );
    expect(await worker.runOnce()).toBe(0);
    expect(await worker.reconcile()).toBe(1);
    await worker.runOnce();
    // The vend had been "sent" before a crash, so the worker asked first; the provider never got
    // it (404), and only then was it vended with the same request id.
    expect(await bill(event.payload.paymentId)).toMatchObject({ status: 'COMPLETED' });
  });

  it('records the vend as sent in the claim, so a worker that dies before calling leaves a bill that is asked about first and vended once', async () => {
    const event = paymentRequested();
    const billId = event.payload.paymentId;
    await recordPendingBill(event);
    // A worker claims the bill with a 1 ms lease and dies before it calls the provider.
    const claimed = await new BillRepository(dataSource).claimDue(1, 100);
    expect(claimed.find((pending) => pending.payment.paymentId === billId)).toMatchObject({ phase: 'NOT_SENT', attempts: 1 });
    expect((await bill(billId)).vend_sent_at).not.toBeNull();
    expect((await requeryAtSimulator(billId)).status).toBe(404);

    // The lease ran out; the next claim sees a bill the provider may have, asks first, hears it has none, and vends.
    await worker.runOnce();
    expect(await bill(billId)).toMatchObject({ status: 'COMPLETED', attempts: 2 });
    expect((await requeryAtSimulator(billId)).status).toBe(200);
  });

  it('makes a claimed bill due again only when its lease ends, so the next claim does not read past bills in flight', async () => {
    const event = paymentRequested();
    const billId = event.payload.paymentId;
    await recordPendingBill(event);
    const repository = new BillRepository(dataSource);
    expect((await repository.claimDue(60_000, 100)).map((pending) => pending.payment.paymentId)).toContain(billId);

    const [leased] = (await dataSource.query('SELECT next_attempt_at = claimed_until AS due_at_lease_end, next_attempt_at > now() AS due_later FROM bill_payments WHERE id = $1', [billId])) as unknown[];
    expect(leased).toEqual({ due_at_lease_end: true, due_later: true });
    expect((await repository.claimDue(60_000, 100)).map((pending) => pending.payment.paymentId)).not.toContain(billId);
  });
});
