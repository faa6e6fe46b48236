import { randomUUID } from 'node:crypto';
import { EVENT_TOPICS } from '@bvs/contracts';
import { dataSourceOptions, loadConfig, MetricsRegistry, migrateWithLock } from '@bvs/platform';
import { TestDatabase } from '@bvs/platform/testing';
import { DataSource } from 'typeorm';
import { SettleBillHandler } from '../src/bills/commands/settle-bill/settle-bill.handler';
import type { Settlement } from '../src/bills/domain/bill';
import { RecordRequestedPaymentHandler } from '../src/bills/events/record-requested-payment/record-requested-payment.handler';
import { BillRepository } from '../src/bills/persistence/bill-repository';
import { BillingEnv } from '../src/config/billing-env';
import { BILLING_DATABASE } from '../src/persistence/billing-database';
import { paymentRequested } from './support/payment-requested';

const VENDED: Settlement = { status: 'COMPLETED', token: '12345678901234567890', units: '23.8', providerReference: 'PSIM-1' };
const DECLINED: Settlement = { status: 'FAILED', reasonCode: 'PROVIDER.VEND.DECLINED', reasonMessage: 'The provider declined the vend (VEND.DECLINED).', providerReference: null };

/** Settling against the real PostgreSQL: the final status and its one outbox event, however many answers race. */
describe('settling a bill', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let settleBill: SettleBillHandler;
  let recordPayment: RecordRequestedPaymentHandler;
  const metrics = new MetricsRegistry();

  beforeAll(async () => {
    database = await TestDatabase.create('billing_settle_it');
    const env = loadConfig(BillingEnv, { HTTP_PORT: '0', GRPC_PORT: '0', DATABASE_URL: database.url });
    dataSource = await new DataSource(dataSourceOptions(env, BILLING_DATABASE)).initialize();
    await migrateWithLock(dataSource);
    const bills = new BillRepository(dataSource);
    settleBill = new SettleBillHandler(dataSource, bills, env, metrics);
    recordPayment = new RecordRequestedPaymentHandler(bills);
  }, 60_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  async function recordedBill(): Promise<string> {
    const event = paymentRequested();
    await dataSource.transaction((manager) => recordPayment.handle(event, manager));
    return event.payload.paymentId;
  }

  async function outcomeOf(billId: string): Promise<{ status: string; failureCode: string | null; topics: string[] }> {
    const [bill] = (await dataSource.query('SELECT status, failure_code FROM bill_payments WHERE id = $1', [billId])) as { status: string; failure_code: string | null }[];
    const events = (await dataSource.query(`SELECT topic FROM outbox WHERE payload -> 'payload' ->> 'paymentId' = $1`, [billId])) as { topic: string }[];
    return { status: bill?.status ?? 'MISSING', failureCode: bill?.failure_code ?? null, topics: events.map((event) => event.topic) };
  }

  /** Bills counted by bvs_bills_settled_total since `before` (a reading of it), by status. */
  async function settledCountedSince(before: Readonly<Record<string, number>> = {}, registry: MetricsRegistry = metrics): Promise<Record<string, number>> {
    const values = (await registry.getSingleMetric('bvs_bills_settled_total')?.get())?.values ?? [];
    return Object.fromEntries(values.map(({ labels, value }) => [String(labels['status']), value - (before[String(labels['status'])] ?? 0)]));
  }

  it('fails a bill on a definite failure, with its reason and one payment-failed event', async () => {
    const billId = await recordedBill();
    await settleBill.execute(billId, DECLINED);
    expect(await outcomeOf(billId)).toEqual({ status: 'FAILED', failureCode: 'PROVIDER.VEND.DECLINED', topics: [EVENT_TOPICS.paymentFailed] });
  });

  it('settles a bill once when answers race, and ignores an answer arriving after it is settled', async () => {
    const billId = await recordedBill();
    const before = await settledCountedSince();
    await Promise.all([settleBill.execute(billId, VENDED), settleBill.execute(billId, DECLINED), settleBill.execute(billId, VENDED)]);
    const settled = await outcomeOf(billId);
    expect(settled.topics).toHaveLength(1);
    expect(settled.topics[0]).toBe(settled.status === 'COMPLETED' ? EVENT_TOPICS.paymentCompleted : EVENT_TOPICS.paymentFailed);

    await settleBill.execute(billId, settled.status === 'COMPLETED' ? DECLINED : VENDED);
    expect(await outcomeOf(billId)).toEqual(settled);
    // Counted once, by the status that stands, whatever answers came after.
    expect(await settledCountedSince(before)).toEqual({ COMPLETED: 0, FAILED: 0, [settled.status]: 1 });
  });

  it('settles each bill once when two replicas answer it at once: one event, and the answer that lost counts nothing', async () => {
    // Another replica: its own queue and its own metrics, on the same database.
    const replicaMetrics = new MetricsRegistry();
    const env = loadConfig(BillingEnv, { HTTP_PORT: '0', GRPC_PORT: '0', DATABASE_URL: database.url });
    const replica = new SettleBillHandler(dataSource, new BillRepository(dataSource), env, replicaMetrics);
    const bills = await Promise.all(Array.from({ length: 30 }, () => recordedBill()));
    const before = await settledCountedSince();
    await Promise.all(bills.flatMap((billId) => [settleBill.execute(billId, VENDED), replica.execute(billId, DECLINED)]));

    const outcomes = await Promise.all(bills.map(outcomeOf));
    for (const outcome of outcomes) expect(outcome.topics).toEqual([outcome.status === 'COMPLETED' ? EVENT_TOPICS.paymentCompleted : EVENT_TOPICS.paymentFailed]);
    // Each replica counts the bills its own answer settled: VENDED here, DECLINED there.
    expect(await settledCountedSince(before)).toEqual({ COMPLETED: outcomes.filter((outcome) => outcome.status === 'COMPLETED').length, FAILED: 0 });
    expect(await settledCountedSince({}, replicaMetrics)).toEqual({ COMPLETED: 0, FAILED: outcomes.filter((outcome) => outcome.status === 'FAILED').length });
  });

  it('settles answers that arrive together in one transaction, each bill with its own status and one event', async () => {
    const bills = await Promise.all(Array.from({ length: 12 }, () => recordedBill()));
    await Promise.all(bills.map((billId, index) => settleBill.execute(billId, index % 3 === 0 ? DECLINED : VENDED)));
    const outcomes = await Promise.all(bills.map(outcomeOf));
    expect(outcomes).toEqual(
      bills.map((_, index) =>
        index % 3 === 0
          ? { status: 'FAILED', failureCode: 'PROVIDER.VEND.DECLINED', topics: [EVENT_TOPICS.paymentFailed] }
          : { status: 'COMPLETED', failureCode: null, topics: [EVENT_TOPICS.paymentCompleted] },
      ),
    );
    const completed = (await dataSource.query('SELECT token, units, provider_reference, last_error FROM bill_payments WHERE id = $1', [bills[1]])) as unknown[];
    expect(completed).toEqual([{ token: VENDED.token, units: '23.8', provider_reference: 'PSIM-1', last_error: null }]);
    // Rows written by one database transaction share its xmin: the first answer went alone, the other eleven together.
    const [{ commits }] = (await dataSource.query('SELECT COUNT(DISTINCT xmin::text)::int AS commits FROM bill_payments WHERE id = ANY($1::uuid[])', [bills])) as [
      { commits: number },
    ];
    expect(commits).toBeLessThan(bills.length);
  });

  it('fails only the answer for an unknown bill when it arrives in a batch with others', async () => {
    const known = await Promise.all([recordedBill(), recordedBill()]);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const before = await settledCountedSince();
    const answers = await Promise.allSettled([settleBill.execute(known[0] as string, VENDED), settleBill.execute(unknown, VENDED), settleBill.execute(known[1] as string, DECLINED)]);
    expect(answers.map((answer) => answer.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((answers[1] as PromiseRejectedResult).reason).toEqual(new Error(`No bill ${unknown} to settle`));
    expect((await outcomeOf(known[0] as string)).status).toBe('COMPLETED');
    expect((await outcomeOf(known[1] as string)).status).toBe('FAILED');
    expect(await settledCountedSince(before)).toEqual({ COMPLETED: 1, FAILED: 1 });
  });

  it('records a slice of requested payments with one bill each, however often a payment is requested in it', async () => {
    const first = paymentRequested();
    const second = paymentRequested();
    const again = { ...first, metadata: { ...first.metadata, eventId: randomUUID() } };
    await dataSource.transaction((manager) => recordPayment.handleAll([first, again, second].map((event) => ({ event, traceparent: null })), manager));
    await dataSource.transaction((manager) => recordPayment.handleAll([{ event: first, traceparent: null }], manager));
    const bills = (await dataSource.query('SELECT id, status FROM bill_payments WHERE id = ANY($1::uuid[]) ORDER BY id', [
      [first.payload.paymentId, second.payload.paymentId],
    ])) as { id: string; status: string }[];
    expect(bills.map((bill) => bill.status)).toEqual(['PENDING', 'PENDING']);
  });
});
