import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EVENT_TOPICS, PAYMENT_COMPLETED, PAYMENT_FAILED } from '@bvs/contracts';
import { enqueueEvent } from '@bvs/platform';
import { DataSource, EntityManager } from 'typeorm';
import type { RequestedPayment, Settlement } from '../../domain/bill';
import { decideSettlement, SettlementDecision } from '../../domain/decide-settlement';
import { BillRepository } from '../../persistence/bill-repository';

const BILLING_SERVICE_NAME = 'billing';

/**
 * Ends a PENDING bill with the provider's definite answer. The final status and its outcome event
 * (payment-completed or payment-failed) commit in one transaction, with the bill locked from the
 * read to the commit: a bill is settled once, and its event is written once.
 */
@Injectable()
export class SettleBillHandler {
  private readonly logger = new Logger(SettleBillHandler.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bills: BillRepository,
  ) {}

  async execute(billId: string, settlement: Settlement): Promise<void> {
    const decision = await this.dataSource.transaction(async (manager) => {
      const bill = await this.bills.lock(manager, billId);
      if (!bill) throw new Error(`No bill ${billId} to settle`);
      const decided = decideSettlement(bill, settlement);
      if (decided.kind === 'SETTLE') {
        await this.bills.settle(manager, billId, decided.settlement);
        await enqueueOutcomeEvent(manager, bill.payment, decided.settlement);
      }
      return decided;
    });
    this.report(billId, settlement, decision);
  }

  private report(billId: string, settlement: Settlement, decision: SettlementDecision): void {
    if (decision.kind === 'ALREADY_SETTLED') {
      this.logger.log({ billId, settledAs: decision.settledAs, answer: settlement.status }, 'Bill was already settled; the later answer changed nothing');
    } else if (settlement.status === 'COMPLETED') {
      this.logger.log({ billId, providerReference: settlement.providerReference }, 'Bill completed');
    } else {
      this.logger.warn({ billId, reasonCode: settlement.reasonCode }, 'Bill failed definitively; the wallet will reverse it');
    }
  }
}

async function enqueueOutcomeEvent(manager: EntityManager, payment: RequestedPayment, settlement: Settlement): Promise<void> {
  // What every outcome event says about the payment it settles.
  const facts = {
    paymentId: payment.paymentId,
    transactionId: payment.transactionId,
    walletId: payment.walletId,
    userId: payment.userId,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
  };
  switch (settlement.status) {
    case 'COMPLETED':
      return enqueueEvent(manager, EVENT_TOPICS.paymentCompleted, {
        metadata: metadataFor(PAYMENT_COMPLETED, payment),
        payload: { ...facts, token: settlement.token, units: settlement.units, providerReference: settlement.providerReference },
      });
    case 'FAILED':
      return enqueueEvent(manager, EVENT_TOPICS.paymentFailed, {
        metadata: metadataFor(PAYMENT_FAILED, payment),
        payload: { ...facts, reasonCode: settlement.reasonCode, reasonMessage: settlement.reasonMessage },
      });
  }
}

function metadataFor<T extends string>(eventType: T, payment: RequestedPayment) {
  return {
    eventId: randomUUID(),
    eventType,
    occurredAt: new Date().toISOString(),
    correlationId: payment.correlationId,
    causationId: null,
    producer: BILLING_SERVICE_NAME,
  };
}
