import type { OutcomeDecision, SettlementState } from './decide-payment-outcome';
import type { LedgerTransaction, PaymentSettlement } from './ledger-transaction';
import { applyEntry, balanceChangesOf, type BalanceChange, type LedgerEntry, type Wallet } from './wallet';

/** One payment outcome of a batch: the PAYMENT it names, and how it decides on the state it is shown. */
export interface BatchedOutcome {
  readonly transactionId: string;
  readonly decide: (state: SettlementState | null) => OutcomeDecision;
}

export interface OutcomeBatchDecision {
  /** One per outcome, in the order given. */
  readonly decisions: readonly OutcomeDecision[];
  /** One per wallet the batch moves. */
  readonly balanceChanges: readonly BalanceChange[];
}

/**
 * Decides a batch of payment outcomes as if they had arrived one after another, in the order
 * given: each sees its payment and its wallet as the outcomes before it left them. So a payment
 * named twice settles once (the second outcome meets it settled), and many payments of one wallet
 * move it with one balance update and one ledger entry per version.
 */
export function decideOutcomeBatch(
  outcomes: readonly BatchedOutcome[],
  payments: ReadonlyMap<string, LedgerTransaction>,
  wallets: ReadonlyMap<string, Wallet>,
): OutcomeBatchDecision {
  const currentPayments = new Map(payments);
  const currentWallets = new Map(wallets);
  const entries: LedgerEntry[] = [];
  const decisions = outcomes.map(({ transactionId, decide }) => {
    const payment = currentPayments.get(transactionId);
    const wallet = payment && currentWallets.get(payment.walletId);
    if (payment && !wallet) throw new Error(`the batch was read without wallet ${payment.walletId} of payment ${transactionId}`);
    const decision = decide(payment && wallet ? { payment, wallet } : null);
    if (decision.kind === 'SETTLE' && payment && wallet) {
      currentWallets.set(wallet.id, applyEntry(wallet, decision.entry));
      currentPayments.set(transactionId, settledPayment(payment, decision.settlement));
      entries.push(decision.entry);
    }
    return decision;
  });
  return { decisions, balanceChanges: balanceChangesOf(entries) };
}

/** The payment as `settlement` leaves it, as the book will hold it. */
export function settledPayment(payment: LedgerTransaction, settlement: PaymentSettlement): LedgerTransaction {
  return { ...payment, status: settlement.status, failureReason: settlement.failureReason, details: { ...payment.details, ...settlement.details } };
}
