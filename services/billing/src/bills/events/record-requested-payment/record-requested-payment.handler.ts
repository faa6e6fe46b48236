import { Injectable, Logger } from '@nestjs/common';
import type { PaymentRequestedEvent } from '@bvs/contracts';
import { activeTraceparent } from '@bvs/platform';
import type { EntityManager } from 'typeorm';
import type { RequestedPayment } from '../../domain/bill';
import { decideRecordRequestedPayment } from '../../domain/record-requested-payment';
import { BillRepository } from '../../persistence/bill-repository';

/** A payment-requested event and the trace it arrived in (the consumer's SliceEvent.traceparent). */
export interface TracedPaymentRequest {
  readonly event: PaymentRequestedEvent;
  readonly traceparent: string | null;
}

/** payment-requested → a PENDING bill, which the bill worker vends from there. */
@Injectable()
export class RecordRequestedPaymentHandler {
  private readonly logger = new Logger(RecordRequestedPaymentHandler.name);

  constructor(private readonly bills: BillRepository) {}

  /** Runs in the caller's transaction: the consumer's, which records the event in its inbox too. */
  handle(event: PaymentRequestedEvent, manager: EntityManager): Promise<void> {
    return this.handleAll([{ event, traceparent: activeTraceparent() }], manager);
  }

  /**
   * `handle` for a slice of events, in two statements: the bills they may have made already, then
   * the new ones. A payment requested twice in one slice is decided on what the first request made.
   */
  async handleAll(requests: readonly TracedPaymentRequest[], manager: EntityManager): Promise<void> {
    const payments: RequestedPayment[] = requests.map(({ event, traceparent }) => ({ ...event.payload, correlationId: event.metadata.correlationId, traceparent }));
    const existing = await this.bills.findAll(
      manager,
      payments.map((payment) => payment.paymentId),
    );
    const recordedHere = new Set<string>();
    const toRecord: RequestedPayment[] = [];
    for (const payment of payments) {
      const decision = decideRecordRequestedPayment(existing.get(payment.paymentId) ?? null, payment);
      if (decision.kind === 'ALREADY_RECORDED' || recordedHere.has(payment.paymentId)) {
        this.logger.debug({ billId: payment.paymentId }, 'Payment already recorded; nothing changed');
        continue;
      }
      recordedHere.add(payment.paymentId);
      toRecord.push(decision.payment);
    }
    await this.bills.insertPending(manager, toRecord);
  }
}
