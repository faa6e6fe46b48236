import { Injectable, Logger } from '@nestjs/common';
import type { PaymentRequestedEvent } from '@bvs/contracts';
import { activeTraceparent } from '@bvs/platform';
import type { EntityManager } from 'typeorm';
import type { RequestedPayment } from '../../domain/bill';
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
   * `handle` for a slice of events, in one statement. A bill's id is its payment's, so a payment
   * that has a bill already (a request seen before the inbox forgot it, whatever became of the
   * bill) inserts nothing and changes nothing; a payment requested twice in one slice is recorded
   * from its first request.
   */
  async handleAll(requests: readonly TracedPaymentRequest[], manager: EntityManager): Promise<void> {
    const payments = new Map<string, RequestedPayment>();
    for (const { event, traceparent } of requests) {
      if (payments.has(event.payload.paymentId)) continue;
      payments.set(event.payload.paymentId, { ...event.payload, correlationId: event.metadata.correlationId, traceparent });
    }
    const recorded = await this.bills.insertPending(manager, [...payments.values()]);
    for (const billId of payments.keys()) {
      if (!recorded.has(billId)) this.logger.debug({ billId }, 'Payment already recorded; nothing changed');
    }
  }
}
