import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { contextFromTraceparent, MetricsRegistry, runInSpan, startSpan, Wakeup } from '@bvs/platform';
import { Gauge } from 'prom-client';
import { BillingEnv } from '../config/billing-env';
import { VendBillHandler } from './commands/vend-bill/vend-bill.handler';
import type { PendingBill } from './domain/bill';
import { claimSize, WorkerLimits } from './domain/claim-size';
import { BillArrivalListener } from './persistence/bill-arrival-listener';
import { BillRepository } from './persistence/bill-repository';
import { ReconcilePendingBillsHandler } from './reconcile/reconcile-pending-bills.handler';

/**
 * Drives every PENDING bill to a definite outcome. A bill is claimed with a lease (so replicas and
 * restarts never work one bill twice at once), then one vend-bill step runs for it.
 *
 * Up to VENDS_IN_FLIGHT steps run at once, each on its own: when one finishes, its slot is filled
 * at once, so a slow provider answer holds up its own bill and no other. Bills are claimed only
 * into free slots, since a claimed bill holds its lease whether or not a step runs for it.
 *
 * The worker looks for due bills when a new one is committed (NOTIFY, see BillArrivalListener),
 * when a slot frees up while more may be due, and every WORKER_POLL_MS otherwise: that poll finds
 * requeries that came due, leases that ran out and bills whose notification was lost. A crash loses
 * nothing: the bill stays PENDING in the table and its lease runs out. On a timer of its own, the
 * reconciler makes bills pending too long due at once.
 *
 * Each step runs under a span of the trace its payment was requested in (stored with the bill), so
 * the provider's calls and the outcome event join the purchase's trace however late the step runs.
 */
@Injectable()
export class BillWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BillWorker.name);
  private readonly limits: WorkerLimits;
  private readonly steps = new Set<Promise<void>>();
  /** Slots promised to a claim still on its way to the database, so two claims never overfill. */
  private reserved = 0;
  /** Cut short when bills may have come due: a new bill, a reconciliation pass, a stop. */
  private readonly billsDue = new Wakeup();
  /** Cut short when a step finishes (or on stop): a slot is free again. */
  private readonly slotFreed = new Wakeup();
  private readonly vendsInFlight: Gauge;
  private loop: Promise<void> | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly bills: BillRepository,
    private readonly vendBill: VendBillHandler,
    private readonly reconcilePendingBills: ReconcilePendingBillsHandler,
    private readonly arrivals: BillArrivalListener,
    private readonly env: BillingEnv,
    metrics: MetricsRegistry,
  ) {
    this.limits = { stepsInFlight: env.VENDS_IN_FLIGHT, claimBatchSize: env.CLAIM_BATCH_SIZE };
    this.vendsInFlight = new Gauge({
      name: 'bvs_billing_vends_in_flight',
      help: 'Bill steps (a vend or a requery) running now in this replica; at most VENDS_IN_FLIGHT',
      registers: [metrics],
    });
  }

  onApplicationBootstrap(): void {
    this.arrivals.start(() => this.billsDue.wake());
    this.loop = this.run();
    this.reconcileTimer = setInterval(() => void this.reconcile(), this.env.RECONCILE_INTERVAL_MS);
  }

  /**
   * Stops claiming, then waits for the steps in flight, each bounded by its provider timeouts: a
   * step cut off halfway would leave its bill to wait out the lease.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.reconcileTimer);
    this.billsDue.wake();
    this.slotFreed.wake();
    await Promise.all([this.loop, this.arrivals.stop()]);
    this.loop = undefined;
    await Promise.all(this.steps);
  }

  /**
   * Claims the bills due now, as many as the free slots allow, and resolves once their steps have
   * finished; returns how many it claimed. Tests drive the worker one pass at a time with it.
   */
  async runOnce(): Promise<number> {
    const steps = await this.claimAndStart(claimSize(this.steps.size + this.reserved, this.limits));
    await Promise.all(steps);
    return steps.length;
  }

  /** One reconciliation pass; returns how many bills it made due. A failed pass is logged and the next one tries again. */
  async reconcile(): Promise<number> {
    try {
      const madeDue = await this.reconcilePendingBills.execute();
      if (madeDue > 0) this.billsDue.wake();
      return madeDue;
    } catch (error) {
      this.logger.error({ err: error }, 'Reconciliation pass failed');
      return 0;
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const wanted = claimSize(this.steps.size + this.reserved, this.limits);
      if (wanted === 0) {
        await this.slotFreed.wait(this.env.WORKER_POLL_MS);
        continue;
      }
      try {
        const started = await this.claimAndStart(wanted);
        // Fewer were due than there was room for: nothing more to claim until a bill arrives or the poll comes round.
        if (started.length < wanted) await this.billsDue.wait(this.env.WORKER_POLL_MS);
      } catch (error) {
        this.logger.error({ err: error }, 'Claiming due bills failed; trying again at the next poll');
        await this.billsDue.wait(this.env.WORKER_POLL_MS);
      }
    }
  }

  /** Claims up to `count` due bills and starts a step for each at once; the steps' promises never reject. */
  private async claimAndStart(count: number): Promise<Promise<void>[]> {
    if (count === 0) return [];
    this.reserved += count;
    try {
      const claimed = await this.bills.claimDue(this.env.CLAIM_LEASE_MS, count);
      return claimed.map((bill) => this.start(bill));
    } finally {
      this.reserved -= count;
    }
  }

  private start(bill: PendingBill): Promise<void> {
    const span = startSpan('vend-bill step', { attributes: { 'bvs.bill.id': bill.payment.paymentId, 'bvs.bill.phase': bill.phase, 'bvs.bill.attempts': bill.attempts } }, contextFromTraceparent(bill.payment.traceparent));
    const step: Promise<void> = runInSpan(span, () => this.vendBill.execute(bill))
      // execute() handles its own failures; this only keeps a bug in it from rejecting the shutdown's wait.
      .catch((error: unknown) => this.logger.error({ err: error, billId: bill.payment.paymentId }, 'Bill step broke; the bill comes back when its lease runs out'))
      .finally(() => {
        this.steps.delete(step);
        this.vendsInFlight.set(this.steps.size);
        this.slotFreed.wake();
      });
    this.steps.add(step);
    this.vendsInFlight.set(this.steps.size);
    return step;
  }
}
