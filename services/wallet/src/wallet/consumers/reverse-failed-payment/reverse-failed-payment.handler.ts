import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { PaymentFailedEvent } from '@bvs/contracts';
import type { EntityManager } from 'typeorm';
import { decidePaymentFailure } from '../../domain/decide-payment-outcome';
import { PaymentOutcomeApplier, type DecideOutcome, type TracedOutcome } from '../payment-outcome-applier';

/**
 * `payment-failed`: billing knows nothing was vended, so one REVERSAL returns the held amount, the
 * payment ends REVERSED and `payment-reversed` is published.
 */
@Injectable()
export class ReverseFailedPaymentHandler {
  constructor(private readonly outcomes: PaymentOutcomeApplier) {}

  handle(manager: EntityManager, event: PaymentFailedEvent): Promise<void> {
    return this.outcomes.apply(manager, event, decideFor(event));
  }

  handleAll(manager: EntityManager, events: readonly TracedOutcome<PaymentFailedEvent>[]): Promise<void> {
    return this.outcomes.applyAll(
      manager,
      events.map(({ event, traceparent }) => ({ event, decide: decideFor(event), traceparent })),
    );
  }
}

/** The reversal's ids are drawn once per event, so deciding again (a moved wallet) keeps them. */
function decideFor(event: PaymentFailedEvent): DecideOutcome {
  const ids = { reversalId: randomUUID(), eventId: randomUUID() };
  return (state, now) => decidePaymentFailure(event, state, { ...ids, now });
}
