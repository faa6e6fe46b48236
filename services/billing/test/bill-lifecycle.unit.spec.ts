import type { Bill, CompletedBill, FailedBill, PendingBill, RequestedPayment, Settlement } from '../src/bills/domain/bill';
import { decideNextStep, decideProviderCall, requeryLater } from '../src/bills/domain/decide-next-step';
import { BILL_PENDING_TOO_LONG, decideReconcile, pendingTooLongCutoff } from '../src/bills/domain/decide-reconcile';
import { decideSettlement, decideSettlements } from '../src/bills/domain/decide-settlement';
import type { RequeryOutcome } from '../src/bills/domain/provider-answers';
import type { RequeryPolicy } from '../src/bills/domain/requery-backoff';

const RECORDED_AT = new Date('2026-11-25T10:00:00.000Z');
const POLICY: RequeryPolicy = { baseMs: 1_000, maxMs: 60_000 };
const HALFWAY = () => 0.5;

const payment: RequestedPayment = {
  paymentId: '0b6f2f4e-8a36-4d64-9a43-6f4f7a3c1d10',
  transactionId: '5a1c9d0e-3b7f-4e2a-8c61-2d9e4f7b8a01',
  walletId: '9c3e7a51-6d2b-4f80-b1e4-7a5c3d9f2e60',
  userId: 'e4a7c2d9-1f5b-4c83-9e6a-3b8d7f1c5a22',
  amountMinor: 250_000n,
  currency: 'NGN',
  meterNumber: '45067891239',
  providerCode: 'ikeja-electric-prepaid',
  clientReference: 'ref-1',
  correlationId: 'corr-1',
  traceparent: null,
};

const pending = (overrides: Partial<PendingBill> = {}): PendingBill => ({
  payment,
  createdAt: RECORDED_AT,
  status: 'PENDING',
  phase: 'AWAITING_REQUERY',
  attempts: 1,
  dueAt: RECORDED_AT,
  ...overrides,
});
const completed: CompletedBill = { payment, createdAt: RECORDED_AT, status: 'COMPLETED', token: '12345678901234567890', units: '23.8', providerReference: 'PSIM-1' };
const failed: FailedBill = { payment, createdAt: RECORDED_AT, status: 'FAILED', reasonCode: 'PROVIDER.VEND.DECLINED', reasonMessage: 'declined', providerReference: 'PSIM-2' };

const vended: Settlement = { status: 'COMPLETED', token: '12345678901234567890', units: '23.8', providerReference: 'PSIM-1' };
const declined: Settlement = { status: 'FAILED', reasonCode: 'PROVIDER.VEND.DECLINED', reasonMessage: 'The provider declined the vend (VEND.DECLINED).', providerReference: 'PSIM-1' };

describe('choosing the provider call of a step', () => {
  it('given a bill whose vend was never sent, then it is sent', () => {
    expect(decideProviderCall(pending({ phase: 'NOT_SENT' }))).toBe('SEND_VEND');
  });

  it('given a bill whose vend may have reached the provider, then the provider is asked first, never sent a second vend blindly', () => {
    expect(decideProviderCall(pending({ phase: 'AWAITING_REQUERY' }))).toBe('REQUERY');
  });
});

describe('deciding the next step from the provider answer', () => {
  const decide = (outcome: RequeryOutcome, bill = pending()) => decideNextStep(bill, outcome, POLICY, HALFWAY);

  it('given a pending bill, when the provider vended, then it settles COMPLETED with the token, units and reference', () => {
    expect(decide({ kind: 'SUCCEEDED', token: '12345678901234567890', units: '23.8', providerReference: 'PSIM-1' })).toEqual({ kind: 'SETTLE', settlement: vended });
  });

  it('given a pending bill, when the provider definitely declined, then it settles FAILED with the reason', () => {
    expect(
      decide({ kind: 'FAILED', reasonCode: 'PROVIDER.VEND.DECLINED', reasonMessage: 'The provider declined the vend (VEND.DECLINED).', providerReference: 'PSIM-1' }),
    ).toEqual({ kind: 'SETTLE', settlement: declined });
  });

  it('given a pending bill, when the provider says the vend is still pending, then it is requeried after the backoff', () => {
    expect(decide({ kind: 'PENDING', providerReference: 'PSIM-1' })).toEqual({ kind: 'REQUERY_LATER', delayMs: 750, reason: 'PENDING' });
  });

  it.each(['timed out', 'ECONNRESET', 'transient errors persisted: HTTP 503', 'unexpected status 302', 'request id conflict at the provider'])(
    'given a pending bill, when the outcome is unknown (%s), then it is requeried later and never failed',
    (cause) => {
      expect(decide({ kind: 'UNKNOWN', cause })).toEqual({ kind: 'REQUERY_LATER', delayMs: 750, reason: cause });
    },
  );

  it('given a bill awaiting requery, when the provider has no record of it, then it is vended again with the same request id', () => {
    expect(decide({ kind: 'NOT_RECEIVED' })).toEqual({ kind: 'VEND_AGAIN' });
  });

  it('given a bill never sent, when the step broke before the provider answered (e.g. the database), then it is requeried later', () => {
    expect(requeryLater(pending({ phase: 'NOT_SENT', attempts: 2 }), 'connection terminated', POLICY, HALFWAY)).toEqual({
      kind: 'REQUERY_LATER',
      delayMs: 1_500,
      reason: 'connection terminated',
    });
  });

  it('given a bill on its third attempt, when the outcome is unknown, then the wait is the third step of the backoff', () => {
    expect(decide({ kind: 'UNKNOWN', cause: 'timed out' }, pending({ attempts: 3 }))).toMatchObject({ delayMs: 3_000 });
  });
});

describe('settling a bill', () => {
  it.each<[string, Settlement]>([
    ['completed', vended],
    ['failed', declined],
  ])('given a pending bill, when it is %s, then the settlement is written with its event', (_, settlement) => {
    expect(decideSettlement(pending(), settlement)).toEqual({ kind: 'SETTLE', settlement });
    expect(decideSettlement(pending({ phase: 'NOT_SENT' }), settlement)).toEqual({ kind: 'SETTLE', settlement });
  });

  it.each<[string, Bill, Settlement]>([
    ['completed bill, a second success', completed, vended],
    ['completed bill, a late failure', completed, declined],
    ['failed bill, a late success', failed, vended],
    ['failed bill, a second failure', failed, declined],
  ])('given a %s arriving, then nothing changes and no second event is sent', (_, bill, settlement) => {
    expect(decideSettlement(bill, settlement)).toEqual({ kind: 'ALREADY_SETTLED', settledAs: bill.status });
  });
});

describe('reconciling bills pending too long', () => {
  const WINDOW = { pendingTooLongAfterMs: 300_000 };
  const NOW = new Date(RECORDED_AT.getTime() + 3_600_000);
  const LATER = new Date(NOW.getTime() + 60_000);
  const EARLIER = new Date(NOW.getTime() - 1);

  it('places the cutoff one window before now', () => {
    expect(pendingTooLongCutoff(NOW, WINDOW)).toEqual(new Date(NOW.getTime() - 300_000));
  });

  it('given a bill pending past the window and not due yet, then it is requeried now and BILL_PENDING_TOO_LONG is raised', () => {
    expect(decideReconcile(pending({ dueAt: LATER }), NOW, WINDOW)).toEqual({ kind: 'REQUERY_NOW', alert: BILL_PENDING_TOO_LONG, pendingSince: RECORDED_AT });
  });

  it('given a bill never sent and pending past the window, then it is made due all the same (it is still only vended once)', () => {
    expect(decideReconcile(pending({ phase: 'NOT_SENT', dueAt: LATER }), NOW, WINDOW)).toMatchObject({ kind: 'REQUERY_NOW' });
  });

  it('given a bill pending past the window that is already due, then it is left to the worker without a second alert', () => {
    expect(decideReconcile(pending({ dueAt: EARLIER }), NOW, WINDOW)).toEqual({ kind: 'LEAVE', because: 'ALREADY_DUE' });
    expect(decideReconcile(pending({ dueAt: NOW }), NOW, WINDOW)).toEqual({ kind: 'LEAVE', because: 'ALREADY_DUE' });
  });

  it('given a bill pending for the window exactly or less, then it is left to its backoff', () => {
    const atCutoff = pendingTooLongCutoff(NOW, WINDOW);
    expect(decideReconcile(pending({ createdAt: atCutoff, dueAt: LATER }), NOW, WINDOW)).toEqual({ kind: 'LEAVE', because: 'WITHIN_WINDOW' });
    expect(decideReconcile(pending({ createdAt: EARLIER, dueAt: LATER }), NOW, WINDOW)).toEqual({ kind: 'LEAVE', because: 'WITHIN_WINDOW' });
  });

  it.each<[string, Bill]>([
    ['completed', completed],
    ['failed', failed],
  ])('given a %s bill, then it is left alone', (_, bill) => {
    expect(decideReconcile(bill, NOW, WINDOW)).toEqual({ kind: 'LEAVE', because: 'SETTLED' });
  });
});

describe('settling a batch of provider answers', () => {
  const other = pending({ payment: { ...payment, paymentId: '7d2e9f41-5c8a-4b36-a1f7-0e6c3b9d2a54' } });
  const lockedBills = (...bills: Bill[]) => new Map(bills.map((bill) => [bill.payment.paymentId, bill]));

  it('given two pending bills, when both are answered in one batch, then each settles with its own answer', () => {
    const decisions = decideSettlements(lockedBills(pending(), other), [
      { billId: payment.paymentId, settlement: vended },
      { billId: other.payment.paymentId, settlement: declined },
    ]);
    expect(decisions).toEqual([
      { kind: 'SETTLE', settlement: vended },
      { kind: 'SETTLE', settlement: declined },
    ]);
  });

  it('given one bill answered twice in a batch, when decided, then the first answer settles it and the second changes nothing', () => {
    const decisions = decideSettlements(lockedBills(pending()), [
      { billId: payment.paymentId, settlement: declined },
      { billId: payment.paymentId, settlement: vended },
    ]);
    expect(decisions).toEqual([
      { kind: 'SETTLE', settlement: declined },
      { kind: 'ALREADY_SETTLED', settledAs: 'FAILED' },
    ]);
  });

  it('given an answer for a bill that was not locked, when decided, then it is named as no such bill and the others still settle', () => {
    const decisions = decideSettlements(lockedBills(pending()), [
      { billId: other.payment.paymentId, settlement: vended },
      { billId: payment.paymentId, settlement: vended },
    ]);
    expect(decisions).toEqual([{ kind: 'NO_SUCH_BILL' }, { kind: 'SETTLE', settlement: vended }]);
  });
});
