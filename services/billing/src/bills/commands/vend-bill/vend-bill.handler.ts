import { Injectable, Logger } from '@nestjs/common';
import { BillingEnv } from '../../../config/billing-env';
import { VendingProvider } from '../../../provider/vending-provider';
import type { PendingBill } from '../../domain/bill';
import { decideNextStep, decideProviderCall, NextStep, requeryLater, RequeryLater } from '../../domain/decide-next-step';
import type { RequeryPolicy } from '../../domain/requery-backoff';
import { BillRepository } from '../../persistence/bill-repository';
import { SettleBillHandler } from '../settle-bill/settle-bill.handler';

/**
 * One step of a bill the worker claimed: the first vend, or a requery once a vend was sent. A
 * definite answer settles the bill; anything else (pending, timeout, dropped connection,
 * persistent 5xx, even a failure of this step itself) leaves it PENDING with a later requery: an
 * unknown outcome is never a failure.
 */
@Injectable()
export class VendBillHandler {
  private readonly logger = new Logger(VendBillHandler.name);
  private readonly requeryPolicy: RequeryPolicy;

  constructor(
    private readonly bills: BillRepository,
    private readonly provider: VendingProvider,
    private readonly settleBill: SettleBillHandler,
    env: BillingEnv,
  ) {
    this.requeryPolicy = { baseMs: env.REQUERY_BASE_MS, maxMs: env.REQUERY_MAX_MS };
  }

  /** Never throws: whatever goes wrong, the bill stays pending and comes back. */
  async execute(bill: PendingBill): Promise<void> {
    try {
      const next = await this.askProvider(bill);
      if (next.kind === 'SETTLE') return await this.settleBill.execute(bill.payment.paymentId, next.settlement);
      await this.scheduleRequery(bill, next);
    } catch (error) {
      this.logger.error({ err: error, billId: bill.payment.paymentId }, 'Bill step failed; it stays pending');
      const next = requeryLater(bill, error instanceof Error ? error.message : String(error), this.requeryPolicy, Math.random);
      await this.scheduleRequery(bill, next).catch(() => undefined);
    }
  }

  /** Vend once; from then on requery, and vend again (same request id) only if the provider never got it. */
  private async askProvider(bill: PendingBill): Promise<NextStep> {
    const { paymentId, providerCode, meterNumber, amountMinor } = bill.payment;
    // The claim recorded the vend as sent already (BillRepository.claimDue): it is persisted before the call.
    if (decideProviderCall(bill) === 'REQUERY') {
      const next = decideNextStep(bill, await this.provider.requery(paymentId), this.requeryPolicy, Math.random);
      if (next.kind !== 'VEND_AGAIN') return next;
    }
    const outcome = await this.provider.vend({ requestId: paymentId, providerCode, meterNumber, amount: amountMinor });
    return decideNextStep(bill, outcome, this.requeryPolicy, Math.random);
  }

  private async scheduleRequery(bill: PendingBill, next: RequeryLater): Promise<void> {
    await this.bills.scheduleRequery(bill.payment.paymentId, next.delayMs, next.reason);
    this.logger.log({ billId: bill.payment.paymentId, reason: next.reason, retryInMs: next.delayMs, attempts: bill.attempts }, 'Outcome not known yet; will requery');
  }
}
