import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Alerts } from '@bvs/platform';
import { DataSource } from 'typeorm';
import { BillingEnv } from '../../config/billing-env';
import { decideReconcile, pendingTooLongCutoff, ReconcilePolicy } from '../domain/decide-reconcile';
import { BillRepository } from '../persistence/bill-repository';

/**
 * The reconciler: bills pending longer than the window are reported (someone should know a vend
 * is stuck) and made due at once, so they are requeried even if their backoff says later.
 */
@Injectable()
export class ReconcilePendingBillsHandler {
  private readonly policy: ReconcilePolicy;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bills: BillRepository,
    env: BillingEnv,
    private readonly alerts: Alerts,
  ) {
    this.policy = { pendingTooLongAfterMs: env.RECONCILE_AFTER_MS };
  }

  /** Returns how many bills it made due. */
  async execute(): Promise<number> {
    const overdue = await this.dataSource.transaction(async (manager) => {
      // The database's clock, the one created_at and next_attempt_at were written with.
      const now = await this.bills.transactionNow(manager);
      const candidates = await this.bills.lockUnclaimedPendingRecordedBefore(manager, pendingTooLongCutoff(now, this.policy));
      const decided = candidates.flatMap((bill) => {
        const decision = decideReconcile(bill, now, this.policy);
        return decision.kind === 'REQUERY_NOW' ? [{ bill, decision }] : [];
      });
      await this.bills.makeDueNow(manager, decided.map(({ bill }) => bill.payment.paymentId));
      for (const { bill, decision } of decided) {
        await this.alerts.raise(
          {
            alert: decision.alert,
            summary: 'Bill still pending past the reconciliation window; requerying now',
            details: { billId: bill.payment.paymentId, providerCode: bill.payment.providerCode, since: decision.pendingSince.toISOString() },
          },
          manager,
        );
      }
      return decided;
    });
    return overdue.length;
  }
}
