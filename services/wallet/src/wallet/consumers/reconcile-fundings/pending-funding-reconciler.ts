import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PeriodicTask } from '@bvs/platform';
import { DataSource } from 'typeorm';
import { WalletEnv } from '../../../config/wallet-env';
import type { ConfirmationOutcome } from '../../domain/decide-charge-confirmation';
import { FundingRepository } from '../../persistence/funding-repository';
import { ConfirmChargeHandler } from '../confirm-charge/confirm-charge.handler';

/**
 * Webhooks get lost: the processor gives up after its retries, or our edge was down for longer.
 * Every FUNDING_RECONCILE_INTERVAL_MS, up to FUNDING_RECONCILE_BATCH fundings still PENDING after
 * FUNDING_RECONCILE_AFTER_MS are verified with the processor, one at a time, and credited or
 * failed as the webhook would have; unpaid ones fail after FUNDING_ABANDON_AFTER_MS. So no funding
 * stays PENDING for ever, and no paid charge goes uncredited. Replicas may check the same funding
 * in the same round: the credit locks the funding and happens once.
 */
@Injectable()
export class PendingFundingReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly rounds: PeriodicTask;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly fundings: FundingRepository,
    private readonly confirmations: ConfirmChargeHandler,
    private readonly env: WalletEnv,
  ) {
    this.rounds = new PeriodicTask(
      env.FUNDING_RECONCILE_INTERVAL_MS,
      () => this.reconcileOnce(),
      new Logger(PendingFundingReconciler.name),
      'A funding reconciliation round stopped early; the next round carries on',
    );
  }

  onApplicationBootstrap(): void {
    if (this.env.PAYMENT_PROCESSOR_BASE_URL) this.rounds.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.rounds.stop();
  }

  /** One round: the outcome of each funding checked. Exposed for tests, which run a round instead of waiting for the timer. */
  async reconcileOnce(now: Date = new Date()): Promise<ConfirmationOutcome[]> {
    const due = await this.fundings.pendingRecordedBefore(this.dataSource.manager, new Date(now.getTime() - this.env.FUNDING_RECONCILE_AFTER_MS), this.env.FUNDING_RECONCILE_BATCH);
    const outcomes: ConfirmationOutcome[] = [];
    for (const pending of due) {
      if (this.rounds.stopping) break;
      outcomes.push(await this.confirmations.reconcile(pending));
    }
    return outcomes;
  }
}
