import { Charge, chargeStatusAt, ChargeRequest, sameMoney } from '../src/processor/domain/charge';
import { decidePayment, PaymentAttempt } from '../src/processor/domain/decide-payment';
import { DECLINED_CARD, SUCCESSFUL_CARD } from '../src/processor/domain/sandbox-cards';

const CREATED_AT = new Date('2026-12-01T10:00:00.000Z');
const EXPIRES_AT = new Date('2026-12-01T10:30:00.000Z');
const BEFORE_EXPIRY = new Date('2026-12-01T10:29:59.999Z');

const ongoingCharge = (overrides: Partial<Charge> = {}): Charge => ({
  id: 1n,
  reference: 'ref-1',
  accessCode: 'abcdefghij0123456789',
  email: 'ada@example.com',
  amountMinor: 500_000n,
  currency: 'NGN',
  callbackUrl: null,
  metadata: null,
  createdAt: CREATED_AT,
  expiresAt: EXPIRES_AT,
  settlement: null,
  ...overrides,
});
const paidCharge = (): Charge =>
  ongoingCharge({
    settlement: { status: 'success', channel: 'card', gatewayResponse: 'Approved', paidAmountMinor: 500_000n, paidCurrency: 'NGN', settledAt: BEFORE_EXPIRY },
  });
const declinedCharge = (): Charge => ongoingCharge({ settlement: { status: 'failed', channel: 'card', gatewayResponse: 'Declined', settledAt: BEFORE_EXPIRY } });

const card = (cardNumber: string): PaymentAttempt => ({ cardNumber, amountMinor: null, currency: null });
const transfer = (amountMinor: bigint | null = null, currency: string | null = null): PaymentAttempt => ({ cardNumber: null, amountMinor, currency });

describe('chargeStatusAt', () => {
  describe('given a charge no payment has ended', () => {
    it('when read before its expiry, then it is ongoing', () => {
      expect(chargeStatusAt(ongoingCharge(), CREATED_AT)).toBe('ongoing');
      expect(chargeStatusAt(ongoingCharge(), BEFORE_EXPIRY)).toBe('ongoing');
    });

    it('when read at or after its expiry, then it is abandoned', () => {
      expect(chargeStatusAt(ongoingCharge(), EXPIRES_AT)).toBe('abandoned');
      expect(chargeStatusAt(ongoingCharge(), new Date('2027-01-01T00:00:00.000Z'))).toBe('abandoned');
    });
  });

  describe('given a settled charge', () => {
    it('when read after its expiry, then it keeps its outcome: expiry only ends an unpaid checkout', () => {
      expect(chargeStatusAt(paidCharge(), new Date('2027-01-01T00:00:00.000Z'))).toBe('success');
      expect(chargeStatusAt(declinedCharge(), new Date('2027-01-01T00:00:00.000Z'))).toBe('failed');
    });
  });
});

describe('sameMoney', () => {
  const request: ChargeRequest = { reference: 'ref-1', email: 'ada@example.com', amountMinor: 500_000n, currency: 'NGN', callbackUrl: null, metadata: null };

  it('given a charge, when the same reference comes again with the same amount and currency, then it is the same charge', () => {
    expect(sameMoney(ongoingCharge(), { ...request, email: 'someone-else@example.com', metadata: { retry: true } })).toBe(true);
  });

  it('given a charge, when the same reference comes with another amount or currency, then it is not', () => {
    expect(sameMoney(ongoingCharge(), { ...request, amountMinor: 500_001n })).toBe(false);
    expect(sameMoney(ongoingCharge(), { ...request, currency: 'USD' })).toBe(false);
  });
});

describe('decidePayment', () => {
  describe('given an ongoing charge', () => {
    it('when paid with the successful sandbox card, then it succeeds for exactly the charge, by card', () => {
      expect(decidePayment(ongoingCharge(), card(SUCCESSFUL_CARD), BEFORE_EXPIRY)).toEqual({
        kind: 'SETTLE',
        settlement: { status: 'success', channel: 'card', gatewayResponse: 'Approved', paidAmountMinor: 500_000n, paidCurrency: 'NGN' },
      });
    });

    it('when paid with the declined sandbox card, then it fails as Declined with nothing paid', () => {
      expect(decidePayment(ongoingCharge(), card(DECLINED_CARD), BEFORE_EXPIRY)).toEqual({
        kind: 'SETTLE',
        settlement: { status: 'failed', channel: 'card', gatewayResponse: 'Declined' },
      });
    });

    it('when paid by bank transfer without an amount, then it succeeds for exactly the charge', () => {
      expect(decidePayment(ongoingCharge(), transfer(), BEFORE_EXPIRY)).toMatchObject({
        kind: 'SETTLE',
        settlement: { status: 'success', channel: 'bank_transfer', paidAmountMinor: 500_000n, paidCurrency: 'NGN' },
      });
    });

    it('when paid by bank transfer of another sum or currency, then it succeeds with what was paid', () => {
      expect(decidePayment(ongoingCharge(), transfer(499_999n), BEFORE_EXPIRY)).toMatchObject({
        settlement: { status: 'success', channel: 'bank_transfer', paidAmountMinor: 499_999n, paidCurrency: 'NGN' },
      });
      expect(decidePayment(ongoingCharge(), transfer(9_007_199_254_740_991n, 'USD'), BEFORE_EXPIRY)).toMatchObject({
        settlement: { status: 'success', paidAmountMinor: 9_007_199_254_740_991n, paidCurrency: 'USD' },
      });
      expect(decidePayment(ongoingCharge(), transfer(null, 'GHS'), BEFORE_EXPIRY)).toMatchObject({
        settlement: { status: 'success', paidAmountMinor: 500_000n, paidCurrency: 'GHS' },
      });
    });

    it('when paid with any other card, then it is refused and nothing is decided', () => {
      for (const number of ['4084084084084082', '', '4084 0840 8408 4081', '5060666666666666666']) {
        expect(decidePayment(ongoingCharge(), card(number), BEFORE_EXPIRY)).toEqual({ kind: 'REFUSE', reason: 'PAYMENT.CARD_UNKNOWN' });
      }
    });

    it('when a card comes with a transfer amount or currency, then it is refused rather than guessed at', () => {
      expect(decidePayment(ongoingCharge(), { cardNumber: SUCCESSFUL_CARD, amountMinor: 1n, currency: null }, BEFORE_EXPIRY)).toEqual({
        kind: 'REFUSE',
        reason: 'PAYMENT.CARD_WITH_TRANSFER',
      });
      expect(decidePayment(ongoingCharge(), { cardNumber: SUCCESSFUL_CARD, amountMinor: null, currency: 'NGN' }, BEFORE_EXPIRY)).toMatchObject({
        reason: 'PAYMENT.CARD_WITH_TRANSFER',
      });
    });
  });

  describe('given a charge whose checkout has expired unpaid', () => {
    it('when paid in any way, then it is refused as abandoned', () => {
      for (const attempt of [card(SUCCESSFUL_CARD), card(DECLINED_CARD), transfer(), transfer(1n)]) {
        expect(decidePayment(ongoingCharge(), attempt, EXPIRES_AT)).toEqual({ kind: 'REFUSE', reason: 'CHARGE.ABANDONED' });
      }
    });
  });

  describe('given a charge already paid', () => {
    it('when paid again, then it is refused: a charge is paid at most once', () => {
      for (const attempt of [card(SUCCESSFUL_CARD), card(DECLINED_CARD), transfer(), transfer(1n, 'USD')]) {
        expect(decidePayment(paidCharge(), attempt, BEFORE_EXPIRY)).toEqual({ kind: 'REFUSE', reason: 'CHARGE.ALREADY_PAID' });
      }
      expect(decidePayment(paidCharge(), card(SUCCESSFUL_CARD), new Date('2027-01-01T00:00:00.000Z'))).toMatchObject({ reason: 'CHARGE.ALREADY_PAID' });
    });
  });

  describe('given a declined charge', () => {
    it('when paid again, then it is refused: a declined charge stays declined', () => {
      expect(decidePayment(declinedCharge(), card(SUCCESSFUL_CARD), BEFORE_EXPIRY)).toEqual({ kind: 'REFUSE', reason: 'CHARGE.ALREADY_FAILED' });
    });
  });

  it('given any charge, when the request itself is wrong, then that is reported before the charge state', () => {
    expect(decidePayment(paidCharge(), card('1234'), BEFORE_EXPIRY)).toMatchObject({ reason: 'PAYMENT.CARD_UNKNOWN' });
    expect(decidePayment(ongoingCharge(), card('1234'), EXPIRES_AT)).toMatchObject({ reason: 'PAYMENT.CARD_UNKNOWN' });
  });
});
