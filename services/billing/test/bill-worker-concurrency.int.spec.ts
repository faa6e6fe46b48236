import { Alerts, dataSourceOptions, Environment, loadConfig, MetricsRegistry, migrateWithLock } from '@bvs/platform';
import { eventually, TestDatabase } from '@bvs/platform/testing';
import { DataSource } from 'typeorm';
import { BillWorker } from '../src/bills/bill-worker';
import { SettleBillHandler } from '../src/bills/commands/settle-bill/settle-bill.handler';
import { VendBillHandler } from '../src/bills/commands/vend-bill/vend-bill.handler';
import type { MeterLookupResult, RequeryOutcome, VendOutcome } from '../src/bills/domain/provider-answers';
import { RecordRequestedPaymentHandler } from '../src/bills/events/record-requested-payment/record-requested-payment.handler';
import { BillArrivalListener } from '../src/bills/persistence/bill-arrival-listener';
import { BillRepository, BILLS_DUE_CHANNEL } from '../src/bills/persistence/bill-repository';
import { ReconcilePendingBillsHandler } from '../src/bills/reconcile/reconcile-pending-bills.handler';
import { BillingEnv } from '../src/config/billing-env';
import { BILLING_DATABASE } from '../src/persistence/billing-database';
import { ProviderCatalogueEntry, VendingProvider, VendOrder } from '../src/provider/vending-provider';
import { paymentRequested } from './support/payment-requested';

/** Far longer than any wait below: whatever the worker picks up within one, a NOTIFY or a freed slot woke it, never the poll. */
const POLL_NEVER_MS = '60000';
/** How long a bill may take to be picked up through NOTIFY in these tests (far below POLL_NEVER_MS). */
const PROMPTLY_MS = 10_000;

/**
 * A provider that answers every vend at once, except the ones the test holds: those stay in
 * flight until released, as a slow provider's would. It counts the vends in flight at any moment.
 */
class HeldVendingProvider extends VendingProvider {
  running = 0;
  mostAtOnce = 0;
  private holdEveryVend = false;
  private readonly heldIds = new Set<string>();
  private readonly waiting = new Map<string, () => void>();

  holdAll(): void {
    this.holdEveryVend = true;
  }

  hold(requestId: string): void {
    this.heldIds.add(requestId);
  }

  /** Request ids whose vend is being held now, oldest first. */
  get inFlight(): string[] {
    return [...this.waiting.keys()];
  }

  release(requestId: string): void {
    this.heldIds.delete(requestId);
    this.waiting.get(requestId)?.();
  }

  reset(): void {
    this.holdEveryVend = false;
    this.heldIds.clear();
    for (const requestId of this.inFlight) this.release(requestId);
    this.mostAtOnce = 0;
  }

  async vend(order: VendOrder): Promise<VendOutcome> {
    this.running += 1;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    try {
      if (this.holdEveryVend || this.heldIds.has(order.requestId)) {
        await new Promise<void>((resolve) => this.waiting.set(order.requestId, resolve));
        this.waiting.delete(order.requestId);
      }
      return { kind: 'SUCCEEDED', token: '12345678901234567890', units: '23.8', providerReference: `HELD-${order.requestId}` };
    } finally {
      this.running -= 1;
    }
  }

  /** Only a bill whose vend was sent is requeried; none is in these tests, so answer as a provider that never got it. */
  requery(): Promise<RequeryOutcome> {
    return Promise.resolve({ kind: 'NOT_RECEIVED' });
  }

  catalogue(): Promise<readonly ProviderCatalogueEntry[]> {
    return Promise.reject(new Error('not used by the worker'));
  }

  lookupMeter(): Promise<MeterLookupResult> {
    return Promise.reject(new Error('not used by the worker'));
  }
}

/**
 * The running worker (its loop, its LISTEN connection, its slots) against the real PostgreSQL, with
 * a provider double so the tests decide which vends are slow. Each test records bills the way the
 * payment-requests consumer does, in a transaction of their own.
 */
describe('bill worker slots and wake-ups', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let baseEnv: Environment;
  const provider = new HeldVendingProvider();
  let worker: BillWorker | undefined;
  let metrics: MetricsRegistry;

  beforeAll(async () => {
    database = await TestDatabase.create('billing_worker_it');
    baseEnv = { HTTP_PORT: '0', GRPC_PORT: '0', DATABASE_URL: database.url, REQUERY_BASE_MS: '100' };
    dataSource = await new DataSource(dataSourceOptions(loadConfig(BillingEnv, baseEnv), BILLING_DATABASE)).initialize();
    await migrateWithLock(dataSource);
  }, 60_000);

  afterEach(async () => {
    provider.reset();
    await worker?.beforeApplicationShutdown();
    worker = undefined;
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /** Starts a worker as the application does, with these settings over the defaults. */
  function startWorker(settings: Environment): BillWorker {
    const env = loadConfig(BillingEnv, { ...baseEnv, ...settings });
    const bills = new BillRepository(dataSource);
    metrics = new MetricsRegistry();
    const vendBill = new VendBillHandler(bills, provider, new SettleBillHandler(dataSource, bills, env, metrics), env);
    worker = new BillWorker(bills, vendBill, new ReconcilePendingBillsHandler(dataSource, bills, env, new Alerts(dataSource, 'billing', { url: undefined, attempts: 1, timeoutMs: 1_000, intervalMs: 60_000 })), new BillArrivalListener(dataSource), env, metrics);
    worker.onApplicationBootstrap();
    return worker;
  }

  async function recordBill(): Promise<string> {
    const event = paymentRequested();
    await dataSource.transaction((manager) => new RecordRequestedPaymentHandler(new BillRepository(dataSource)).handle(event, manager));
    return event.payload.paymentId;
  }

  async function statusOf(billId: string): Promise<string> {
    const [row] = (await dataSource.query('SELECT status FROM bill_payments WHERE id = $1', [billId])) as { status: string }[];
    return row?.status ?? 'MISSING';
  }

  async function completed(billIds: readonly string[]): Promise<number> {
    const [row] = (await dataSource.query(`SELECT COUNT(*)::int AS count FROM bill_payments WHERE id = ANY($1::uuid[]) AND status = 'COMPLETED'`, [billIds])) as { count: number }[];
    return row?.count ?? 0;
  }

  /** PENDING bills some worker holds a lease on right now. */
  async function leased(): Promise<number> {
    const [row] = (await dataSource.query(`SELECT COUNT(*)::int AS count FROM bill_payments WHERE status = 'PENDING' AND claimed_until > now()`)) as { count: number }[];
    return row?.count ?? 0;
  }

  /** The backend pid of the worker's LISTEN connection, if it is listening. */
  async function listenerPid(): Promise<number | undefined> {
    const rows = (await dataSource.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1`, [`LISTEN ${BILLS_DUE_CHANNEL}`])) as { pid: number }[];
    return rows[0]?.pid;
  }

  async function vendsInFlightGauge(): Promise<number | undefined> {
    const gauge = await metrics.getSingleMetric('bvs_billing_vends_in_flight')?.get();
    return gauge?.values[0]?.value;
  }

  const settled = async (billId: string) => ((await statusOf(billId)) === 'COMPLETED' ? true : undefined);

  it('completes the bills behind a slow vend without waiting for it', async () => {
    startWorker({ VENDS_IN_FLIGHT: '8', WORKER_POLL_MS: '100' });
    const slow = await recordBill();
    provider.hold(slow);
    await eventually(async () => (provider.inFlight.includes(slow) ? true : undefined), 'the slow vend to be in flight');

    const others = [await recordBill(), await recordBill(), await recordBill(), await recordBill(), await recordBill()];
    await eventually(async () => ((await completed(others)) === others.length ? true : undefined), 'the bills recorded after the slow one to complete', PROMPTLY_MS);
    expect(provider.inFlight).toEqual([slow]);
    expect(await statusOf(slow)).toBe('PENDING');

    provider.release(slow);
    await eventually(() => settled(slow), 'the slow bill to complete once its vend answers', PROMPTLY_MS);
  });

  it('never runs more steps than VENDS_IN_FLIGHT, nor claims more bills than it can start, and fills a freed slot at once', async () => {
    const bills = await Promise.all(Array.from({ length: 8 }, () => recordBill()));
    provider.holdAll();
    startWorker({ VENDS_IN_FLIGHT: '3', CLAIM_BATCH_SIZE: '2', WORKER_POLL_MS: POLL_NEVER_MS });

    for (let done = 0; done < bills.length; done += 1) {
      const expectedInFlight = Math.min(3, bills.length - done);
      await eventually(async () => (provider.inFlight.length === expectedInFlight ? true : undefined), `${expectedInFlight} vends in flight`, PROMPTLY_MS);
      expect(await leased()).toBe(expectedInFlight);
      expect(await vendsInFlightGauge()).toBe(expectedInFlight);
      const [oldest] = provider.inFlight;
      if (oldest === undefined) throw new Error('no vend in flight');
      provider.release(oldest);
      await eventually(() => settled(oldest), 'the released bill to complete', PROMPTLY_MS);
    }

    expect(await completed(bills)).toBe(bills.length);
    expect(provider.mostAtOnce).toBe(3);
    await eventually(async () => ((await vendsInFlightGauge()) === 0 ? true : undefined), 'the gauge to show no vend in flight');
  });

  it('picks a new bill up through its NOTIFY, long before the next poll, and again after the listening connection drops', async () => {
    startWorker({ WORKER_POLL_MS: POLL_NEVER_MS });
    const first = await recordBill();
    await eventually(() => settled(first), 'the first bill to complete', PROMPTLY_MS);
    // By now the worker has claimed everything there was and waits on its 60 s poll: only a NOTIFY wakes it.
    const second = await recordBill();
    await eventually(() => settled(second), 'a bill recorded while the worker idles to complete', PROMPTLY_MS);

    const dropped = await listenerPid();
    expect(dropped).toBeDefined();
    await dataSource.query('SELECT pg_terminate_backend($1)', [dropped]);
    await eventually(async () => {
      const pid = await listenerPid();
      return pid !== undefined && pid !== dropped ? pid : undefined;
    }, 'the worker to listen again on a new connection', PROMPTLY_MS);
    const third = await recordBill();
    await eventually(() => settled(third), 'a bill recorded after the reconnection to complete', PROMPTLY_MS);
  });

  it('on shutdown stops claiming and waits for the steps in flight to finish', async () => {
    const inFlight = await recordBill();
    provider.hold(inFlight);
    const running = startWorker({ WORKER_POLL_MS: POLL_NEVER_MS });
    await eventually(async () => (provider.inFlight.includes(inFlight) ? true : undefined), 'the vend to be in flight');

    let stopped = false;
    const stopping = running.beforeApplicationShutdown().then(() => (stopped = true));
    await eventually(async () => ((await listenerPid()) === undefined ? true : undefined), 'the worker to stop listening');
    const arrivedDuringShutdown = await recordBill();
    expect(stopped).toBe(false);

    provider.release(inFlight);
    await stopping;
    expect(await statusOf(inFlight)).toBe('COMPLETED');
    const [untouched] = (await dataSource.query('SELECT status, attempts, claimed_until FROM bill_payments WHERE id = $1', [arrivedDuringShutdown])) as unknown[];
    expect(untouched).toEqual({ status: 'PENDING', attempts: 0, claimed_until: null });
  });
});
