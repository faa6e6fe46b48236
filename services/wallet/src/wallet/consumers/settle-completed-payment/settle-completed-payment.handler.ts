import { Injectable } from '@nestjs/common';
import type { PaymentCompletedEvent } from '@bvs/contracts';
import type { EntityManager } from 'typeorm';
import { decidePaymentCompletion } from '../../domain/decide-payment-outcome';
import { PaymentOutcomeApplier, type DecideOutcome, type TracedOutcome } from '../payment-outcome-applier';

/** `payment-completed`: billing vended, so the held amount is posted (it leaves the wallet) and the payment is COMPLETED. */
@Injectable()
export class SettleCompletedPaymentHandler {
  constructor(private readonly outcomes: PaymentOutcomeApplier) {}

  handle(manager: EntityManager, event: PaymentCompletedEvent): Promise<void> {
    return this.outcomes.apply(manager, event, decideFor(event));
  }

  handleAll(manager: EntityManager, events: readonly TracedOutcome<PaymentCompletedEvent>[]): Promise<void> {
    return this.outcomes.applyAll(
      manager,
      events.map(({ event, traceparent }) => ({ event, decide: decideFor(event), traceparent })),
    );
  }
}

function decideFor(event: PaymentCompletedEvent): DecideOutcome {
  return (state) => decidePaymentCompletion(event.payload, state);
}
