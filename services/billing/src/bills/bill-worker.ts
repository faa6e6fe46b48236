import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { BillingEnv } from '../config/billing-env';
import { VendBillHandler } from './commands/vend-bill/vend-bill.handler';
import { BillRepository } from './persistence/bill-repository';
import { ReconcilePendingBillsHandler } from './reconcile/reconcile-pending-bills.handler';

const CLAIM_BATCH = 20;

/**
 * Drives every PENDING bill to a definite outcome. A bill is claimed with a lease (so replicas and
 * restarts never work one bill twice at once), then one vend-bill step runs for it. A crash loses
 * nothing: the bill stays PENDING in the table and its lease runs out. On a timer of its own, the
 * reconciler makes bills pending too long due at once.
 */
@Injectable()
export class BillWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BillWorker.name);
  private pollTimer: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly bills: BillRepository,
    private readonly vendBill: VendBillHandler,
    private readonly reconcilePendingBills: ReconcilePendingBillsHandler,
    private readonly env: BillingEnv,
  ) {}

  onApplicationBootstrap(): void {
    this.schedulePoll(0);
    this.reconcileTimer = setInterval(() => void this.reconcile(), this.env.RECONCILE_INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.pollTimer);
    clearInterval(this.reconcileTimer);
    await this.running;
  }

  /** Claims and works the bills that are due; returns how many it worked. Tests call it directly. */
  async runOnce(): Promise<number> {
    const claimed = await this.bills.claimDue(this.env.CLAIM_LEASE_MS, CLAIM_BATCH);
    await Promise.all(claimed.map((bill) => this.vendBill.execute(bill)));
    return claimed.length;
  }

  /** One reconciliation pass; returns how many bills it made due. A failed pass is logged and the next one tries again. */
  async reconcile(): Promise<number> {
    try {
      return await this.reconcilePendingBills.execute();
    } catch (error) {
      this.logger.error({ err: error }, 'Reconciliation pass failed');
      return 0;
    }
  }

  private schedulePoll(delayMs: number): void {
    if (this.stopping) return;
    this.pollTimer = setTimeout(() => {
      this.running = this.runOnce()
        .then((worked) => this.schedulePoll(worked > 0 ? 0 : this.env.WORKER_POLL_MS))
        .catch((error: unknown) => {
          this.logger.error({ err: error }, 'Bill worker pass failed');
          this.schedulePoll(this.env.WORKER_POLL_MS);
        });
    }, delayMs);
  }
}
