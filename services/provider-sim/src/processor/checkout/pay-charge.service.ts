import { Injectable, Logger } from '@nestjs/common';
import { ServiceError } from '@bvs/platform';
import type { ChargeReading } from '../domain/charge';
import { decidePayment, PaymentAttempt, PaymentRefusal } from '../domain/decide-payment';
import { ChargeStore } from '../persistence/charge-store';

/** How each refusal reaches the browser: the request's faults are 400, the charge's state 409. */
const REFUSALS: Readonly<Record<PaymentRefusal, { readonly status: number; readonly message: string }>> = {
  'PAYMENT.CARD_WITH_TRANSFER': { status: 400, message: 'Send either card_number, or amount/currency for a bank transfer, not both' },
  'PAYMENT.CARD_UNKNOWN': { status: 400, message: 'Invalid card number: use the test card 4084084084084081 (succeeds) or 4084080000005408 (declined)' },
  'CHARGE.ALREADY_PAID': { status: 409, message: 'Transaction has already been paid' },
  'CHARGE.ALREADY_FAILED': { status: 409, message: 'Transaction has already failed' },
  'CHARGE.ABANDONED': { status: 409, message: 'Transaction has been abandoned' },
};

export function accessCodeNotFound(): ServiceError {
  return new ServiceError('CHARGE.NOT_FOUND', 404, 'Access code not found');
}

@Injectable()
export class PayChargeService {
  private readonly logger = new Logger(PayChargeService.name);

  constructor(private readonly store: ChargeStore) {}

  /**
   * Pays (or declines) an ongoing charge and returns it as it now stands. The decision is made on
   * a read; the write applies only if the charge is still ongoing, so of two concurrent payments
   * exactly one ends the charge and the other is refused as if it had come second.
   */
  async pay(accessCode: string, attempt: PaymentAttempt): Promise<ChargeReading> {
    const read = await this.store.findByAccessCode(accessCode);
    if (!read) throw accessCodeNotFound();
    const decision = decidePayment(read.charge, attempt, read.observedAt);
    if (decision.kind === 'REFUSE') throw refusal(decision.reason);

    const settled = await this.store.settleIfOngoing(accessCode, decision.settlement);
    if (settled) {
      this.logger.log(
        {
          reference: settled.charge.reference,
          status: decision.settlement.status,
          channel: decision.settlement.channel,
          paidAmountMinor: decision.settlement.status === 'success' ? decision.settlement.paidAmountMinor.toString() : null,
        },
        'Charge payment ended',
      );
      return settled;
    }

    // Another payment ended the charge, or its checkout closed, since the read: decide again on
    // what is there now, which can only be a refusal.
    const now = await this.store.findByAccessCode(accessCode);
    if (!now) throw new Error(`Charge ${read.charge.reference} disappeared while being paid`);
    const second = decidePayment(now.charge, attempt, now.observedAt);
    if (second.kind === 'REFUSE') throw refusal(second.reason);
    throw new Error(`Charge ${now.charge.reference} is still payable after its conditional payment updated nothing`);
  }
}

function refusal(reason: PaymentRefusal): ServiceError {
  const { status, message } = REFUSALS[reason];
  return new ServiceError(reason, status, message);
}
