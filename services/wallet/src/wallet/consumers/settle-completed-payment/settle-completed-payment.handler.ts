import { Injectable } from '@nestjs/common';
import type { PaymentCompletedEvent } from '@bvs/contracts';
import type { EntityManager } from 'typeorm';
import { decidePaymentCompletion } from '../../domain/decide-payment-outcome';
import { PaymentOutcomeApplier } from '../payment-outcome-applier';

/** `payment-completed`: billing vended, so the held amount is posted (it leaves the wallet) and the payment is COMPLETED. */
@Injectable()
export class SettleCompletedPaymentHandler {
  constructor(private readonly outcomes: PaymentOutcomeApplier) {}

  handle(manager: EntityManager, event: PaymentCompletedEvent): Promise<void> {
    return this.outcomes.apply(manager, event, (state) => decidePaymentCompletion(event.payload, state));
  }
}
