import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { PaymentInitiation } from '@bvs/contracts';
import { WalletEnv } from '../../../config/wallet-env';
import { decidePaymentInitiation, type InitiatePayment } from '../../domain/decide-payment-initiation';
import type { Origin } from '../../domain/outbox-event';
import { toPaymentInitiation } from '../../wallet-views';
import { IdempotentWalletCommand } from '../idempotent-wallet-command';
import { PaymentAdmission } from './payment-admission';

/**
 * Holds a bill's amount in the wallet and asks billing to vend it (DESIGN.md §3, step 2), once the
 * admission lets it in (`PendingPaymentsBound`: the payments in flight are bounded).
 */
@Injectable()
export class InitiatePaymentHandler {
  constructor(
    private readonly requests: IdempotentWalletCommand,
    private readonly env: WalletEnv,
    private readonly admission: PaymentAdmission,
  ) {}

  /** `abandoned` aborts once the caller stops waiting: a payment not yet written is then not written (`IdempotentWalletCommand.run`). */
  async execute(command: InitiatePayment, origin: Origin, abandoned?: AbortSignal): Promise<PaymentInitiation> {
    const ids = { paymentId: randomUUID(), transactionId: randomUUID(), eventId: randomUUID() };
    const { transaction, replayed } = await this.requests.run(
      command,
      BigInt(this.env.MAX_PAYMENT_AMOUNT),
      (state, now) => decidePaymentInitiation(command, state, { ...ids, now, origin }),
      { admit: () => this.admission.admit(), abandoned },
    );
    return toPaymentInitiation(transaction, replayed);
  }
}
