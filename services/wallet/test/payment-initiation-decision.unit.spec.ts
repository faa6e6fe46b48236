import { EVENT_TOPICS, WALLET_ERROR_CODES } from '@bvs/contracts';
import { decidePaymentInitiation, paymentFingerprint, type InitiatePayment } from '../src/wallet/domain/decide-payment-initiation';
import { fundingFingerprint } from '../src/wallet/domain/decide-funding';
import type { LedgerTransaction } from '../src/wallet/domain/ledger-transaction';
import {
  aPayment,
  aWallet,
  NEW_EVENT_ID,
  NEW_TRANSACTION_ID,
  NOW,
  PAYMENT_ID,
  REQUEST_ORIGIN,
  USER_ID,
  WALLET_ID,
} from './support/decision-fixtures';

const PAY_4000: InitiatePayment = { userId: USER_ID, amount: 4_000n, reference: 'pay-1', meterNumber: '45700000001', providerCode: 'ikeja-electric-prepaid' };
const CONTEXT = { paymentId: PAYMENT_ID, transactionId: NEW_TRANSACTION_ID, eventId: NEW_EVENT_ID, now: NOW, origin: REQUEST_ORIGIN };
const decide = (command: InitiatePayment, wallet = aWallet(), earlier: LedgerTransaction | null = null) =>
  decidePaymentInitiation(command, { wallet, earlier }, CONTEXT);

describe('initiating a bill payment', () => {
  it('given 10 000 available, when a bill of 4 000 is paid, then 4 000 moves from available to held in one HOLD entry', () => {
    expect(decide(PAY_4000)).toMatchObject({
      kind: 'ACCEPTED',
      entry: {
        walletId: WALLET_ID,
        transactionId: NEW_TRANSACTION_ID,
        entryType: 'HOLD',
        availableDelta: -4_000n,
        heldDelta: 4_000n,
        availableAfter: 6_000n,
        heldAfter: 4_000n,
        walletVersion: 4,
      },
    });
  });

  it('given a reference never used, when it pays, then one PENDING PAYMENT with a new payment id records the meter and provider', () => {
    expect(decide(PAY_4000)).toMatchObject({
      transaction: {
        id: NEW_TRANSACTION_ID,
        type: 'PAYMENT',
        status: 'PENDING',
        amount: 4_000n,
        reference: 'pay-1',
        requestFingerprint: paymentFingerprint(PAY_4000),
        paymentId: PAYMENT_ID,
        reversesTransactionId: null,
        availableAfter: 6_000n,
        details: { meterNumber: '45700000001', providerCode: 'ikeja-electric-prepaid' },
      },
    });
  });

  it('given an accepted payment, when it is recorded, then payment-requested asks billing to vend it, with the time and origin given', () => {
    expect(decide(PAY_4000)).toMatchObject({
      publish: {
        topic: EVENT_TOPICS.paymentRequested,
        event: {
          metadata: { eventId: NEW_EVENT_ID, eventType: 'PaymentRequested', occurredAt: NOW.toISOString(), correlationId: 'request-1', causationId: null, producer: 'wallet' },
          payload: {
            paymentId: PAYMENT_ID,
            transactionId: NEW_TRANSACTION_ID,
            walletId: WALLET_ID,
            userId: USER_ID,
            amountMinor: 4_000n,
            currency: 'NGN',
            meterNumber: '45700000001',
            providerCode: 'ikeja-electric-prepaid',
            clientReference: 'pay-1',
          },
        },
      },
    });
  });

  it('given exactly 4 000 available, when 4 000 is paid, then it is accepted and leaves nothing available', () => {
    expect(decide(PAY_4000, aWallet({ available: 4_000n }))).toMatchObject({ kind: 'ACCEPTED', entry: { availableAfter: 0n, heldAfter: 4_000n } });
  });

  it('given 3 999 available, when 4 000 is paid, then it is refused for insufficient funds, naming what is available, and nothing is written', () => {
    expect(decide(PAY_4000, aWallet({ available: 3_999n }))).toEqual({
      kind: 'REFUSED',
      code: WALLET_ERROR_CODES.insufficientFunds,
      message: 'The available balance is lower than the amount.',
      details: { available: '3999' },
    });
  });

  it('given 1 000 available and 9 000 held by other payments, when 2 000 is paid, then held money does not count and it is refused', () => {
    expect(decide({ ...PAY_4000, amount: 2_000n }, aWallet({ available: 1_000n, held: 9_000n }))).toMatchObject({
      code: WALLET_ERROR_CODES.insufficientFunds,
    });
  });

  it('given the reference already paid this bill, when the request comes again, then the earlier payment is replayed, even though the funds are gone now', () => {
    const earlier = aPayment({ requestFingerprint: paymentFingerprint(PAY_4000) });
    expect(decide(PAY_4000, aWallet({ available: 0n, held: 4_000n }), earlier)).toEqual({ kind: 'REPLAY', earlier });
  });

  it.each([
    ['another amount', { amount: 4_001n }],
    ['another meter', { meterNumber: '45700000002' }],
    ['another provider', { providerCode: 'eko-electric-prepaid' }],
  ])('given the reference already paid a bill, when it comes with %s, then it is refused as an idempotency conflict', (_what, change) => {
    const earlier = aPayment({ requestFingerprint: paymentFingerprint(PAY_4000) });
    expect(decide({ ...PAY_4000, ...change }, aWallet(), earlier)).toMatchObject({
      code: WALLET_ERROR_CODES.idempotencyConflict,
      details: { transactionId: earlier.id },
    });
  });

  it('given the reference already funded the wallet with the same amount, when it is used to pay, then it is refused as an idempotency conflict', () => {
    const earlier = aPayment({ type: 'FUNDING', status: 'COMPLETED', paymentId: null, requestFingerprint: fundingFingerprint(4_000n) });
    expect(decide(PAY_4000, aWallet(), earlier)).toMatchObject({ code: WALLET_ERROR_CODES.idempotencyConflict });
  });

  it('given a payment stored by an earlier release of the service, when it is replayed, then its stored fingerprint still matches', () => {
    // The fingerprint is stored data: this is the value earlier releases wrote for the same request.
    expect(paymentFingerprint({ ...PAY_4000, amount: 2_500n })).toBe('22cbf983cf75c6f629e680be1378b4dd6fb4636cd27a6a1794ec78ac107eb69b');
  });
});
