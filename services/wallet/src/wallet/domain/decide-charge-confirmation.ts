import { WALLET_FUNDED } from '@bvs/contracts';
import { walletFunded } from './decide-funding';
import type { LedgerTransaction } from './ledger-transaction';
import { eventMetadata, type OutboxEvent, type Origin } from './outbox-event';
import { CHARGE_SUCCESS_EVENT, type ChargeClaim, type ChargeVerification } from './processor-charge';
import { moveBalance, MOVEMENTS, type LedgerEntry, type Wallet } from './wallet';

/**
 * Why a webhook or a reconciliation credited nothing. Each is counted and logged; none moves money.
 * - UNKNOWN_REFERENCE: no funding of this book has that processor reference (or the processor does not know it).
 * - ALREADY_CREDITED: the funding was credited before: a replayed or repeated webhook.
 * - AMOUNT_MISMATCH / CURRENCY_MISMATCH: the webhook, or the charge as verified, is not for what the funding asked.
 * - NOT_SUCCESSFUL: the processor does not (yet) report the charge as paid.
 * - IGNORED_EVENT: a webhook event other than a successful charge.
 */
export type NoCreditOutcome = 'UNKNOWN_REFERENCE' | 'ALREADY_CREDITED' | 'AMOUNT_MISMATCH' | 'CURRENCY_MISMATCH' | 'NOT_SUCCESSFUL' | 'IGNORED_EVENT';

export type ConfirmationOutcome = 'CREDITED' | 'FAILED' | NoCreditOutcome;

/** The funding a processor reference names, as locked for the decision, with its wallet. */
export interface FundingState {
  readonly funding: LedgerTransaction;
  /** When the funding was recorded: the abandon window runs from here. */
  readonly recordedAt: Date;
  readonly wallet: Wallet;
}

/** How a credited funding's row changes: COMPLETED, with the balance its entry leaves and what the processor reported. */
export interface FundingCompletion {
  readonly transactionId: string;
  readonly availableAfter: bigint;
  readonly details: Readonly<Record<string, string>>;
}

export interface Credit {
  readonly kind: 'CREDIT';
  readonly entry: LedgerEntry;
  readonly completion: FundingCompletion;
  readonly publish: OutboxEvent;
}

/** The processor says the charge will never pay what the funding asked: the funding ends FAILED, with the reason. */
export interface FailFunding {
  readonly kind: 'FAIL';
  readonly transactionId: string;
  readonly failureReason: string;
  /** Money did arrive, but not what was asked: a person must settle it with the processor. */
  readonly alert: 'FUNDING_PAID_WRONG_AMOUNT' | null;
  readonly outcome: 'AMOUNT_MISMATCH' | 'CURRENCY_MISMATCH' | 'FAILED';
}

export interface NoCredit {
  readonly kind: 'NO_CREDIT';
  readonly outcome: NoCreditOutcome;
}

export type ConfirmationDecision = Credit | FailFunding | NoCredit;

/** Proceed to ask the processor, or stop here with the reason. */
export type ClaimScreening = { readonly kind: 'VERIFY' } | NoCredit;

const noCredit = (outcome: NoCreditOutcome): NoCredit => ({ kind: 'NO_CREDIT', outcome });

/**
 * A signed webhook is still only a claim. It is held against the funding it names before the
 * processor is asked: another event, an unknown reference, a credited funding, or another amount or
 * currency than the funding asked for stops here. What passes is verified with the processor.
 */
export function screenClaim(claim: ChargeClaim, funding: LedgerTransaction | null): ClaimScreening {
  if (claim.event !== CHARGE_SUCCESS_EVENT) return noCredit('IGNORED_EVENT');
  if (!funding || funding.type !== 'FUNDING') return noCredit('UNKNOWN_REFERENCE');
  if (funding.status === 'COMPLETED') return noCredit('ALREADY_CREDITED');
  if (claim.currency !== funding.currency) return noCredit('CURRENCY_MISMATCH');
  if (claim.amount !== funding.amount) return noCredit('AMOUNT_MISMATCH');
  return { kind: 'VERIFY' };
}

/** What deciding needs from outside to stay pure: the event id, the time, and how long an unpaid charge may stay open. */
export interface ConfirmationContext {
  readonly eventId: string;
  readonly now: Date;
  readonly origin: Origin;
  /** An unpaid funding older than this is FAILED; younger, the customer may still pay. */
  readonly abandonAfterMs: number;
}

/**
 * What the processor's verified answer does to a funding (locked). A successful charge for exactly
 * the funding's amount and currency credits it once: one CREDIT entry, the funding COMPLETED, and
 * `wallet-funded` with the processor's reference. It may credit a FAILED funding too: the processor
 * took the customer's money, so it must reach the wallet. A paid charge of another amount or currency
 * fails the funding with an alert, since the money that arrived is not what was asked for. An unpaid
 * or unknown charge fails the funding once it is older than the abandon window, so nothing stays
 * PENDING for ever; younger, it is left for the customer to pay.
 */
export function decideChargeConfirmation(state: FundingState, verification: ChargeVerification, context: ConfirmationContext): ConfirmationDecision {
  const { funding, wallet } = state;
  if (funding.status === 'COMPLETED') return noCredit('ALREADY_CREDITED');
  const abandoned = context.now.getTime() - state.recordedAt.getTime() >= context.abandonAfterMs;
  if (verification.kind === 'NOT_FOUND') {
    return abandoned ? fail(funding, 'PROCESSOR.CHARGE_NOT_FOUND', null, 'FAILED') : noCredit('UNKNOWN_REFERENCE');
  }
  const { charge } = verification;
  if (charge.status !== 'SUCCESS') {
    const finished = charge.status === 'FAILED' || charge.status === 'ABANDONED';
    if (!abandoned || funding.status === 'FAILED') return noCredit('NOT_SUCCESSFUL');
    return fail(funding, finished ? `PROCESSOR.CHARGE_${charge.status}` : 'PROCESSOR.CHARGE_NOT_PAID_IN_TIME', null, 'FAILED');
  }
  if (charge.currency !== funding.currency) return fail(funding, 'PROCESSOR.CURRENCY_MISMATCH', 'FUNDING_PAID_WRONG_AMOUNT', 'CURRENCY_MISMATCH');
  if (charge.amount !== funding.amount) return fail(funding, 'PROCESSOR.AMOUNT_MISMATCH', 'FUNDING_PAID_WRONG_AMOUNT', 'AMOUNT_MISMATCH');
  const entry = moveBalance(wallet, MOVEMENTS.credit(funding.amount), funding.id);
  const processorReference = funding.details['processorReference'] ?? '';
  return {
    kind: 'CREDIT',
    entry,
    completion: {
      transactionId: funding.id,
      availableAfter: entry.availableAfter,
      details: { ...(charge.paidAt ? { paidAt: charge.paidAt } : {}), ...(charge.channel ? { channel: charge.channel } : {}) },
    },
    publish: walletFunded(
      { transactionId: funding.id, userId: funding.userId, amount: funding.amount, currency: funding.currency, reference: funding.reference ?? '', processorReference },
      entry,
      eventMetadata(WALLET_FUNDED, context.eventId, context.now, context.origin),
    ),
  };
}

function fail(funding: LedgerTransaction, failureReason: string, alert: FailFunding['alert'], outcome: FailFunding['outcome']): ConfirmationDecision {
  // Failing twice for the same reason changes nothing; the outcome is still reported.
  if (funding.status === 'FAILED' && funding.failureReason === failureReason) return noCredit(outcome === 'FAILED' ? 'NOT_SUCCESSFUL' : outcome);
  return { kind: 'FAIL', transactionId: funding.id, failureReason, alert, outcome };
}

