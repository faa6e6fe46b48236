import { Injectable } from '@nestjs/common';
import type { PaymentCompletedEvent, PaymentFailedEvent } from '@bvs/contracts';
import { Alerts, enqueueEvent, UnprocessableEventError } from '@bvs/platform';
import type { EntityManager } from 'typeorm';
import { WalletEnv } from '../../config/wallet-env';
import { decideOutcomeBatch } from '../domain/decide-outcome-batch';
import type { OutcomeDecision, Settle, SettlementState } from '../domain/decide-payment-outcome';
import { LedgerRepository } from '../persistence/ledger-repository';
import { retryWhileVersionMoves, VERSION_MOVED } from '../persistence/retry-while-version-moves';
import { SettledOutcomesStore } from '../persistence/settled-outcomes-store';
import { WalletRepository } from '../persistence/wallet-repository';

/** Decides what an outcome does to the payment as loaded (and told the time); pure. */
export type DecideOutcome = (state: SettlementState | null, now: Date) => OutcomeDecision;

/** One outcome event of a batch, with the decision that applies it. */
export interface OutcomeToApply {
  readonly event: PaymentCompletedEvent | PaymentFailedEvent;
  readonly decide: DecideOutcome;
  /** The trace the event arrived in (SliceEvent.traceparent), which the event it leads to continues. */
  readonly traceparent: string | null;
}

/** An outcome event as a consumer's slice hands it over: the event and its trace. */
export interface TracedOutcome<E extends PaymentCompletedEvent | PaymentFailedEvent> {
  readonly event: E;
  readonly traceparent: string | null;
}

/**
 * How billing's report of a payment's outcome reaches the book. It runs in the consumer's
 * transaction, which also records the event in the inbox, so a redelivered event is dropped
 * before it gets here and an applied one is never half written. The payment stays locked while
 * the wallet is read, the outcome decided and the decision written; only the wallet's version can
 * move meanwhile, and then the wallet is read and the outcome decided again.
 */
@Injectable()
export class PaymentOutcomeApplier {
  constructor(
    private readonly wallets: WalletRepository,
    private readonly ledger: LedgerRepository,
    private readonly settledOutcomes: SettledOutcomesStore,
    private readonly env: WalletEnv,
    private readonly alerts: Alerts,
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
    await this.report(manager, event, decision);
  }

  /**
   * `apply` for a consumer's slice of outcomes, in a few statements for the whole slice: the
   * payments are locked, then their wallets (both in id order), every outcome is decided in
   * order on the state the ones before it left, and the balances, entries, reversals, settlements
   * and events are written in one statement (SettledOutcomesStore). The wallets are locked rather
   * than read at a version: a consumer cannot put an event back in a queue, so it must save what it
   * decided.
   * An outcome that names no payment of this book throws before anything is written, and the
   * consumer then applies the slice one event at a time (dead-lettering that one).
   */
  async applyAll(manager: EntityManager, outcomes: readonly OutcomeToApply[]): Promise<void> {
    const payments = await this.ledger.lockPayments(
      manager,
      outcomes.map(({ event }) => event.payload.transactionId),
    );
    const wallets = await this.wallets.lockAll(manager, [...new Set([...payments.values()].map((payment) => payment.walletId))]);
    const now = new Date();
    const { decisions, balanceChanges } = decideOutcomeBatch(
      outcomes.map(({ event, decide }) => ({ transactionId: event.payload.transactionId, decide: (state) => decide(state, now) })),
      payments,
      wallets,
    );
    const unprocessable = decisions.find((decision) => decision.kind === 'UNPROCESSABLE');
    if (unprocessable) throw new UnprocessableEventError(unprocessable.reason);
    const settled = decisions.filter((decision): decision is Settle => decision.kind === 'SETTLE');
    const saved = await this.settledOutcomes.save(manager, {
      balanceChanges,
      reversals: settled.flatMap((decision) => (decision.reversal ? [decision.reversal] : [])),
      entries: settled.map((decision) => decision.entry),
      settlements: settled.map((decision) => decision.settlement),
      events: decisions.flatMap((decision, index) =>
        decision.kind === 'SETTLE' && decision.publish ? [{ ...decision.publish, options: { traceparent: (outcomes[index] as OutcomeToApply).traceparent } }] : [],
      ),
    });
    // Thrown before the consumer's transaction commits, so none of the statement's writes stand.
    if (saved.size !== balanceChanges.length) throw new Error('a locked wallet moved under its lock; the slice is applied again one event at a time');
    for (const [index, { event }] of outcomes.entries()) await this.report(manager, event, decisions[index] as OutcomeDecision);
  }

  /** An anomaly is recorded in the consumer's transaction: it stands if and only if the event is taken as applied. */
  private async report(manager: EntityManager, event: PaymentCompletedEvent | PaymentFailedEvent, decision: OutcomeDecision): Promise<void> {
    switch (decision.kind) {
      case 'UNPROCESSABLE':
        // Sent to the dead-letter topic at once, with its alert: retrying cannot mend a producer bug.
        throw new UnprocessableEventError(decision.reason);
      case 'ANOMALY':
        await this.alerts.raise(
          { alert: decision.alert, summary: decision.message, details: { paymentId: decision.paymentId, transactionId: decision.transactionId, eventId: event.metadata.eventId } },
          manager,
        );
        return;
      case 'SETTLE':
      case 'ALREADY_SETTLED':
        return;
    }
  }
}
