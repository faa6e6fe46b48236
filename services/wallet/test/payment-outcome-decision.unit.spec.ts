import { EVENT_TOPICS, PAYMENT_COMPLETED, PAYMENT_FAILED, PaymentCompletedEvent, PaymentFailedEvent } from '@bvs/contracts';
import {
  decidePaymentCompletion,
  decidePaymentFailure,
  type OutcomeDecision,
  type SettlementState,
} from '../src/wallet/domain/decide-payment-outcome';
import { decideOutcomeBatch, type BatchedOutcome } from '../src/wallet/domain/decide-outcome-batch';
import type { LedgerTransaction } from '../src/wallet/domain/ledger-transaction';
import { applyEntry, balanceChangesOf, moveBalance, MOVEMENTS } from '../src/wallet/domain/wallet';
import { aPayment, aWallet, NEW_EVENT_ID, NEW_TRANSACTION_ID, NOW, PAYMENT_ID, TRANSACTION_ID, USER_ID, WALLET_ID } from './support/decision-fixtures';

const REVERSAL = { reversalId: NEW_TRANSACTION_ID, eventId: NEW_EVENT_ID, now: NOW };
const outcomeFacts = { paymentId: PAYMENT_ID, transactionId: TRANSACTION_ID, walletId: WALLET_ID, userId: USER_ID, amountMinor: 4_000n, currency: 'NGN' };

const completion = (overrides: Partial<PaymentCompletedEvent['payload']> = {}): PaymentCompletedEvent => ({
  metadata: { eventId: 'completed-1', eventType: PAYMENT_COMPLETED, occurredAt: NOW.toISOString(), correlationId: 'purchase-1', causationId: null, producer: 'billing' },
  payload: { ...outcomeFacts, token: '12345678901234567890', units: '31.7', providerReference: 'prov-1', ...overrides },
});

const failure = (overrides: Partial<PaymentFailedEvent['payload']> = {}): PaymentFailedEvent => ({
  metadata: { eventId: 'failed-1', eventType: PAYMENT_FAILED, occurredAt: NOW.toISOString(), correlationId: 'purchase-1', causationId: null, producer: 'billing' },
  payload: { ...outcomeFacts, reasonCode: 'PROVIDER.METER_BLOCKED', reasonMessage: 'The meter is blocked.', ...overrides },
});

/** A PENDING payment of 4 000: the wallet had 10 000, 4 000 of it is now held. */
const pending = (): SettlementState => ({ payment: aPayment(), wallet: aWallet({ available: 6_000n, held: 4_000n, version: 4 }) });
const endedAs = (status: 'COMPLETED' | 'FAILED' | 'REVERSED'): SettlementState => ({
  payment: aPayment({ status }),
  wallet: aWallet({ available: status === 'COMPLETED' ? 6_000n : 10_000n, held: 0n, version: 5 }),
});

/** The decision that moves no money and asks the caller to raise `alert` about the payment. */
const alertOnThePayment = (alert: string, message: string) => ({ kind: 'ANOMALY', alert, message, paymentId: PAYMENT_ID, transactionId: TRANSACTION_ID });

/** The book after a decision is written: what the repositories do, played on the state itself. */
function written(state: SettlementState, decision: OutcomeDecision): SettlementState {
  if (decision.kind !== 'SETTLE') return state;
  const { entry, settlement } = decision;
  return {
    payment: { ...state.payment, status: settlement.status, failureReason: settlement.failureReason, details: { ...state.payment.details, ...settlement.details } },
    wallet: { ...state.wallet, available: entry.availableAfter, held: entry.heldAfter, version: entry.walletVersion },
  };
}

type Outcome = { kind: 'completed'; event: PaymentCompletedEvent } | { kind: 'failed'; event: PaymentFailedEvent };

/** Delivers outcomes one after another, each decided on the book the previous ones left. */
function deliver(state: SettlementState, outcomes: readonly Outcome[]): { decisions: OutcomeDecision[]; book: SettlementState } {
  const decisions: OutcomeDecision[] = [];
  let book = state;
  for (const outcome of outcomes) {
    const decision =
      outcome.kind === 'completed' ? decidePaymentCompletion(outcome.event.payload, book) : decidePaymentFailure(outcome.event, book, REVERSAL);
    decisions.push(decision);
    book = written(book, decision);
  }
  return { decisions, book };
}

describe('settling a payment that billing completed', () => {
  it('given a PENDING payment holding 4 000, when the completion arrives, then the hold is posted: 4 000 leaves held in one POST entry, available is untouched', () => {
    expect(decidePaymentCompletion(completion().payload, pending())).toMatchObject({
      kind: 'SETTLE',
      entry: { walletId: WALLET_ID, transactionId: TRANSACTION_ID, entryType: 'POST', availableDelta: 0n, heldDelta: -4_000n, availableAfter: 6_000n, heldAfter: 0n, walletVersion: 5 },
      reversal: null,
      publish: null,
    });
  });

  it('given a PENDING payment, when the completion arrives, then the payment ends COMPLETED keeping the token, units and provider reference', () => {
    expect(decidePaymentCompletion(completion().payload, pending())).toMatchObject({
      settlement: {
        transactionId: TRANSACTION_ID,
        status: 'COMPLETED',
        failureReason: null,
        details: { token: '12345678901234567890', units: '31.7', providerReference: 'prov-1' },
      },
    });
  });

  it('given a COMPLETED payment, when the completion is delivered again, then it is already settled and nothing moves', () => {
    expect(decidePaymentCompletion(completion().payload, endedAs('COMPLETED'))).toEqual({ kind: 'ALREADY_SETTLED' });
  });

  it.each(['REVERSED', 'FAILED'] as const)(
    'given a %s payment, when a completion arrives after all, then no money moves and the decision raises PAYMENT_COMPLETED_AFTER_REVERSAL',
    (status) => {
      expect(decidePaymentCompletion(completion().payload, endedAs(status))).toEqual(
        alertOnThePayment('PAYMENT_COMPLETED_AFTER_REVERSAL', 'Completion arrived for a payment that was already reversed; left as is for reconciliation'),
      );
    },
  );
});

describe('reversing a payment that billing failed', () => {
  it('given a PENDING payment holding 4 000, when the failure arrives, then the hold is released: 4 000 returns to available in one RELEASE entry of the reversal', () => {
    expect(decidePaymentFailure(failure(), pending(), REVERSAL)).toMatchObject({
      kind: 'SETTLE',
      entry: {
        walletId: WALLET_ID,
        transactionId: NEW_TRANSACTION_ID,
        entryType: 'RELEASE',
        availableDelta: 4_000n,
        heldDelta: -4_000n,
        availableAfter: 10_000n,
        heldAfter: 0n,
        walletVersion: 5,
      },
    });
  });

  it('given a PENDING payment, when the failure arrives, then exactly one REVERSAL of the same amount returns it and the payment ends REVERSED with the reason', () => {
    expect(decidePaymentFailure(failure(), pending(), REVERSAL)).toMatchObject({
      reversal: {
        id: NEW_TRANSACTION_ID,
        walletId: WALLET_ID,
        userId: USER_ID,
        type: 'REVERSAL',
        status: 'COMPLETED',
        amount: 4_000n,
        currency: 'NGN',
        reference: null,
        requestFingerprint: null,
        paymentId: PAYMENT_ID,
        reversesTransactionId: TRANSACTION_ID,
        availableAfter: 10_000n,
        details: { reasonCode: 'PROVIDER.METER_BLOCKED' },
      },
      settlement: { transactionId: TRANSACTION_ID, status: 'REVERSED', failureReason: 'PROVIDER.METER_BLOCKED: The meter is blocked.', details: {} },
    });
  });

  it('given a PENDING payment, when the failure arrives, then payment-reversed is published, caused by the failure and in its correlation', () => {
    expect(decidePaymentFailure(failure(), pending(), REVERSAL)).toMatchObject({
      publish: {
        topic: EVENT_TOPICS.paymentReversed,
        event: {
          metadata: { eventId: NEW_EVENT_ID, eventType: 'PaymentReversed', occurredAt: NOW.toISOString(), correlationId: 'purchase-1', causationId: 'failed-1', producer: 'wallet' },
          payload: {
            paymentId: PAYMENT_ID,
            originalTransactionId: TRANSACTION_ID,
            reversalTransactionId: NEW_TRANSACTION_ID,
            walletId: WALLET_ID,
            userId: USER_ID,
            amountMinor: 4_000n,
            currency: 'NGN',
          },
        },
      },
    });
  });

  it.each(['REVERSED', 'FAILED'] as const)('given a %s payment, when a failure is delivered again, then it is already settled and nothing moves', (status) => {
    expect(decidePaymentFailure(failure(), endedAs(status), REVERSAL)).toEqual({ kind: 'ALREADY_SETTLED' });
  });

  it('given a COMPLETED payment, when a failure arrives after it, then it is never reversed: no money moves and the decision raises PAYMENT_FAILED_AFTER_COMPLETION', () => {
    expect(decidePaymentFailure(failure(), endedAs('COMPLETED'), REVERSAL)).toEqual(
      alertOnThePayment('PAYMENT_FAILED_AFTER_COMPLETION', 'Failure arrived for a completed payment; not reversed'),
    );
  });
});

describe('outcomes that name the wrong payment', () => {
  it('given no PAYMENT with the event transaction id, when either outcome arrives, then it is unprocessable', () => {
    const unknown = { kind: 'UNPROCESSABLE', reason: `no PAYMENT transaction ${TRANSACTION_ID}` };
    expect(decidePaymentCompletion(completion().payload, null)).toEqual(unknown);
    expect(decidePaymentFailure(failure(), null, REVERSAL)).toEqual(unknown);
  });

  it.each([
    ['another amount', { amountMinor: 1n }],
    ['another payment id', { paymentId: '77777777-7777-4777-8777-777777777777' }],
    ['another wallet', { walletId: '88888888-8888-4888-8888-888888888888' }],
  ])('given a PENDING payment, when an outcome describes it with %s, then it is unprocessable and nothing moves', (_what, change) => {
    const mismatch = { kind: 'UNPROCESSABLE', reason: expect.stringMatching(/does not match transaction/) };
    expect(decidePaymentCompletion(completion(change).payload, pending())).toEqual(mismatch);
    expect(decidePaymentFailure(failure(change), pending(), REVERSAL)).toEqual(mismatch);
  });

  it('given a COMPLETED payment, when a mismatched failure arrives, then it is unprocessable rather than an alert', () => {
    expect(decidePaymentFailure(failure({ amountMinor: 1n }), endedAs('COMPLETED'), REVERSAL)).toMatchObject({ kind: 'UNPROCESSABLE' });
  });
});

describe('outcomes arriving twice and out of order', () => {
  it.each([
    {
      when: 'the failure arrives twice and then a late success',
      then: 'the money is returned exactly once and the success only raises the alert',
      outcomes: [{ kind: 'failed', event: failure() }, { kind: 'failed', event: failure() }, { kind: 'completed', event: completion() }] as const,
      ends: { status: 'REVERSED', available: 10_000n, reversals: 1 },
    },
    {
      when: 'the success arrives twice and then a late failure',
      then: 'the money leaves exactly once and is never returned',
      outcomes: [{ kind: 'completed', event: completion() }, { kind: 'completed', event: completion() }, { kind: 'failed', event: failure() }] as const,
      ends: { status: 'COMPLETED', available: 6_000n, reversals: 0 },
    },
  ])('given a PENDING payment of 4 000, when $when, then $then', ({ outcomes, ends }) => {
    const { decisions, book } = deliver(pending(), outcomes);
    expect(decisions.map((decision) => decision.kind)).toEqual(['SETTLE', 'ALREADY_SETTLED', 'ANOMALY']);
    expect(decisions.filter((decision) => decision.kind === 'SETTLE' && decision.reversal)).toHaveLength(ends.reversals);
    expect(book.payment.status).toBe(ends.status);
    expect(book.wallet).toMatchObject({ available: ends.available, held: 0n });
  });
});

describe('deciding a batch of payment outcomes', () => {
  const SECOND_PAYMENT = aPayment({ id: 'second-transaction', paymentId: 'second-payment', reference: 'pay-2', amount: 1_000n });
  const heldForBoth = aWallet({ available: 5_000n, held: 5_000n, version: 5 });
  const booked = (...payments: LedgerTransaction[]) => new Map(payments.map((payment) => [payment.id, payment]));
  const completing = (event: PaymentCompletedEvent): BatchedOutcome => ({ transactionId: event.payload.transactionId, decide: (state) => decidePaymentCompletion(event.payload, state) });
  const failing = (event: PaymentFailedEvent): BatchedOutcome => ({ transactionId: event.payload.transactionId, decide: (state) => decidePaymentFailure(event, state, REVERSAL) });
  const secondFacts = { paymentId: 'second-payment', transactionId: 'second-transaction', amountMinor: 1_000n };

  it('given two pending payments of one wallet, when one completes and one fails in a batch, then the second entry follows the first and the wallet is saved once', () => {
    const { decisions, balanceChanges } = decideOutcomeBatch(
      [completing(completion()), failing(failure(secondFacts))],
      booked(aPayment(), SECOND_PAYMENT),
      new Map([[WALLET_ID, heldForBoth]]),
    );
    expect(decisions).toMatchObject([
      { kind: 'SETTLE', entry: { entryType: 'POST', availableAfter: 5_000n, heldAfter: 1_000n, walletVersion: 6 } },
      { kind: 'SETTLE', entry: { entryType: 'RELEASE', availableAfter: 6_000n, heldAfter: 0n, walletVersion: 7 } },
    ]);
    expect(balanceChanges).toEqual([{ walletId: WALLET_ID, readVersion: 5, last: expect.objectContaining({ walletVersion: 7 }) }]);
  });

  it('given one payment named twice in a batch, when decided, then the first outcome settles it and the second meets it settled', () => {
    const { decisions } = decideOutcomeBatch([completing(completion()), failing(failure())], booked(aPayment()), new Map([[WALLET_ID, pending().wallet]]));
    expect(decisions[0]).toMatchObject({ kind: 'SETTLE' });
    expect(decisions[1]).toEqual(
      alertOnThePayment('PAYMENT_FAILED_AFTER_COMPLETION', 'Failure arrived for a completed payment; not reversed'),
    );
  });

  it('given an outcome for a payment not in the book, when decided, then it is unprocessable and moves nothing', () => {
    const { decisions, balanceChanges } = decideOutcomeBatch([completing(completion())], booked(), new Map());
    expect(decisions).toEqual([{ kind: 'UNPROCESSABLE', reason: `no PAYMENT transaction ${TRANSACTION_ID}` }]);
    expect(balanceChanges).toEqual([]);
  });
});

describe('balance changes of a batch', () => {
  it('given entries on two wallets, when grouped, then each wallet is saved once from the version before its first entry to its last', () => {
    const first = aWallet();
    const other = aWallet({ id: 'other-wallet', version: 0 });
    const a = moveBalance(first, MOVEMENTS.hold(100n), 'a');
    const b = moveBalance(other, MOVEMENTS.credit(50n), 'b');
    const c = moveBalance(applyEntry(first, a), MOVEMENTS.hold(100n), 'c');
    expect(balanceChangesOf([a, b, c])).toEqual([
      { walletId: first.id, readVersion: 3, last: c },
      { walletId: 'other-wallet', readVersion: 0, last: b },
    ]);
  });
});
