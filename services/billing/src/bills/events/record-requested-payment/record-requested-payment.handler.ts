import { Injectable, Logger } from '@nestjs/common';
import type { PaymentRequestedEvent } from '@bvs/contracts';
import type { EntityManager } from 'typeorm';
import type { RequestedPayment } from '../../domain/bill';
import { decideRecordRequestedPayment } from '../../domain/record-requested-payment';
import { BillRepository } from '../../persistence/bill-repository';

/** payment-requested → a PENDING bill, which the bill worker vends from there. */
@Injectable()
export class RecordRequestedPaymentHandler {
  private readonly logger = new Logger(RecordRequestedPaymentHandler.name);

  constructor(private readonly bills: BillRepository) {}

  /** Runs in the caller's transaction: the consumer's, which records the event in its inbox too. */
  async handle(event: PaymentRequestedEvent, manager: EntityManager): Promise<void> {
    const payment: RequestedPayment = { ...event.payload, correlationId: event.metadata.correlationId };
    const decision = decideRecordRequestedPayment(await this.bills.find(manager, payment.paymentId), payment);
    if (decision.kind === 'ALREADY_RECORDED') {
      this.logger.debug({ billId: payment.paymentId, status: decision.status }, 'Payment already recorded; nothing changed');
      return;
    }
    await this.bills.insertPending(manager, decision.payment);
  }
}
