import { Injectable, Logger } from '@nestjs/common';
import type { PaymentCompletedEvent, PaymentFailedEvent } from '@bvs/contracts';
import { enqueueEvent, UnprocessableEventError } from '@bvs/platform';
import type { EntityManager } from 'typeorm';
import { WalletEnv } from '../../config/wallet-env';
import type { OutcomeDecision, SettlementState } from '../domain/decide-payment-outcome';
import { LedgerRepository } from '../persistence/ledger-repository';
import { retryWhileVersionMoves, VERSION_MOVED } from '../persistence/retry-while-version-moves';
import { WalletRepository } from '../persistence/wallet-repository';

/** Decides what an outcome does to the payment as loaded (and told the time); pure. */
export type DecideOutcome = (state: SettlementState | null, now: Date) => OutcomeDecision;

/**
 * How billing's report of a payment's outcome reaches the book. It runs in the consumer's
 * transaction, which also records the event in the inbox, so a redelivered event is dropped
 * before it gets here and an applied one is never half written. The payment stays locked while
 * the wallet is read, the outcome decided and the decision written; only the wallet's version can
 * move meanwhile, and then the wallet is read and the outcome decided again.
 */
@Injectable()
export class PaymentOutcomeApplier {
  private readonly logger = new Logger(PaymentOutcomeApplier.name);

  constructor(
    private readonly wallets: WalletRepository,
    private readonly ledger: LedgerRepository,
    private readonly env: WalletEnv,
  ) {}

  async apply(manager: EntityManager, event: PaymentCompletedEvent | PaymentFailedEvent, decide: DecideOutcome): Promise<void> {
    const payment = await this.ledger.lockPayment(manager, event.payload.transactionId);
    const decision = await retryWhileVersionMoves(this.env.BALANCE_UPDATE_ATTEMPTS, async () => {
      const state = payment && { payment, wallet: await this.wallets.load(manager, payment.walletId) };
      const decided = decide(state, new Date());
      if (decided.kind !== 'SETTLE') return decided;
      if (!(await this.wallets.saveBalance(manager, decided.entry))) return VERSION_MOVED;
      if (decided.reversal) await this.ledger.insertTransaction(manager, decided.reversal);
      await this.ledger.recordEntry(manager, decided.entry);
      await this.ledger.settlePayment(manager, decided.settlement);
      if (decided.publish) await enqueueEvent(manager, decided.publish.topic, decided.publish.event);
      return decided;
    });
    switch (decision.kind) {
      case 'UNPROCESSABLE':
        // Sent to the dead-letter topic at once, with its alert: retrying cannot mend a producer bug.
        throw new UnprocessableEventError(decision.reason);
      case 'ANOMALY':
        this.logger.error(
          { alert: decision.alert, paymentId: decision.paymentId, transactionId: decision.transactionId, eventId: event.metadata.eventId },
          decision.message,
        );
        return;
      case 'SETTLE':
      case 'ALREADY_SETTLED':
        return;
    }
  }
}
