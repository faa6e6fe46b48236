import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { PaymentFailedEvent } from '@bvs/contracts';
import type { EntityManager } from 'typeorm';
import { decidePaymentFailure } from '../../domain/decide-payment-outcome';
import { PaymentOutcomeApplier } from '../payment-outcome-applier';

/**
 * `payment-failed`: billing knows nothing was vended, so one REVERSAL returns the held amount, the
 * payment ends REVERSED and `payment-reversed` is published.
 */
@Injectable()
export class ReverseFailedPaymentHandler {
  constructor(private readonly outcomes: PaymentOutcomeApplier) {}

  handle(manager: EntityManager, event: PaymentFailedEvent): Promise<void> {
    const ids = { reversalId: randomUUID(), eventId: randomUUID() };
    return this.outcomes.apply(manager, event, (state, now) => decidePaymentFailure(event, state, { ...ids, now }));
  }
}
