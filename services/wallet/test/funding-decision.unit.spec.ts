import { EVENT_TOPICS, WALLET_ERROR_CODES } from '@bvs/contracts';
import { decideFunding, fundingFingerprint, type FundWallet } from '../src/wallet/domain/decide-funding';
import type { LedgerTransaction } from '../src/wallet/domain/ledger-transaction';
import { aPayment, aWallet, NEW_EVENT_ID, NEW_TRANSACTION_ID, NOW, REQUEST_ORIGIN, USER_ID, WALLET_ID } from './support/decision-fixtures';

const FUND_5000: FundWallet = { userId: USER_ID, amount: 5_000n, reference: 'fund-1' };
const CONTEXT = { transactionId: NEW_TRANSACTION_ID, eventId: NEW_EVENT_ID, now: NOW, origin: REQUEST_ORIGIN };

const earlierFunding = (overrides: Partial<LedgerTransaction> = {}): LedgerTransaction =>
  aPayment({
    id: 'earlier-funding',
    type: 'FUNDING',
    status: 'COMPLETED',
    amount: 5_000n,
    reference: 'fund-1',
    requestFingerprint: fundingFingerprint(5_000n),
    paymentId: null,
    details: {},
    ...overrides,
  });

describe('funding a wallet', () => {
  it('given a wallet with 10 000 available and 2 000 held, when 5 000 is funded, then available rises to 15 000 in one CREDIT entry and held is untouched', () => {
    const decision = decideFunding(FUND_5000, { wallet: aWallet({ held: 2_000n }), earlier: null }, CONTEXT);

    expect(decision).toMatchObject({ kind: 'ACCEPTED' });
    if (decision.kind !== 'ACCEPTED') return;
    expect(decision.entry).toEqual({
      walletId: WALLET_ID,
      transactionId: NEW_TRANSACTION_ID,
      entryType: 'CREDIT',
      availableDelta: 5_000n,
      heldDelta: 0n,
      availableAfter: 15_000n,
      heldAfter: 2_000n,
      walletVersion: 4,
    });
  });

  it('given a reference never used, when it funds the wallet, then one COMPLETED FUNDING is recorded under that reference and fingerprint', () => {
    const decision = decideFunding(FUND_5000, { wallet: aWallet(), earlier: null }, CONTEXT);

    expect(decision).toMatchObject({
      kind: 'ACCEPTED',
      transaction: {
        id: NEW_TRANSACTION_ID,
        walletId: WALLET_ID,
        userId: USER_ID,
        type: 'FUNDING',
        status: 'COMPLETED',
        amount: 5_000n,
        currency: 'NGN',
        reference: 'fund-1',
        requestFingerprint: fundingFingerprint(5_000n),
        paymentId: null,
        reversesTransactionId: null,
        availableAfter: 15_000n,
        details: {},
      },
    });
  });

  it('given the time and the request origin, when a funding is accepted, then wallet-funded announces it with that time, origin and the new ids', () => {
    const decision = decideFunding(FUND_5000, { wallet: aWallet(), earlier: null }, CONTEXT);

    expect(decision).toMatchObject({
      publish: {
        topic: EVENT_TOPICS.walletFunded,
        event: {
          metadata: {
            eventId: NEW_EVENT_ID,
            eventType: 'WalletFunded',
            occurredAt: '2026-12-01T10:00:00.000Z',
            correlationId: 'request-1',
            causationId: null,
            producer: 'wallet',
          },
          payload: {
            walletId: WALLET_ID,
            userId: USER_ID,
            transactionId: NEW_TRANSACTION_ID,
            amountMinor: 5_000n,
            currency: 'NGN',
            reference: 'fund-1',
            availableAfterMinor: 15_000n,
            processorReference: null,
          },
        },
      },
    });
  });

  it('given the reference already funded the same amount, when the request comes again, then the earlier funding is replayed and nothing moves', () => {
    const earlier = earlierFunding();
    expect(decideFunding(FUND_5000, { wallet: aWallet(), earlier }, CONTEXT)).toEqual({ kind: 'REPLAY', earlier });
  });

  it('given the reference already funded another amount, when it comes with 5 000, then it is refused as an idempotency conflict naming the earlier transaction', () => {
    const earlier = earlierFunding({ amount: 4_999n, requestFingerprint: fundingFingerprint(4_999n) });
    expect(decideFunding(FUND_5000, { wallet: aWallet(), earlier }, CONTEXT)).toEqual({
      kind: 'REFUSED',
      code: WALLET_ERROR_CODES.idempotencyConflict,
      message: 'This reference was already used for a different request.',
      details: { transactionId: 'earlier-funding' },
    });
  });

  it('given the reference already started a payment, when it is used to fund, then it is refused as an idempotency conflict', () => {
    const earlier = aPayment({ reference: 'fund-1' });
    expect(decideFunding(FUND_5000, { wallet: aWallet(), earlier }, CONTEXT)).toMatchObject({ code: WALLET_ERROR_CODES.idempotencyConflict });
  });

  it('given a funding stored by an earlier release of the service, when it is replayed, then its stored fingerprint still matches', () => {
    // The fingerprint is stored data: this is the value earlier releases wrote for the same request.
    expect(fundingFingerprint(700n)).toBe('533672caa7a47f59fc91a768ed54f64a266b8a3bd59f4ca3632c5559021c4cf9');
  });
});
