import { createHmac } from 'node:crypto';
import { EVENT_TOPICS, WALLET_ERROR_CODES } from '@bvs/contracts';
import { decideChargeConfirmation, screenClaim, type ConfirmationContext, type FundingState } from '../src/wallet/domain/decide-charge-confirmation';
import { decideChargeInitiation } from '../src/wallet/domain/decide-charge-initiation';
import { fundingFingerprint } from '../src/wallet/domain/decide-funding';
import type { LedgerTransaction } from '../src/wallet/domain/ledger-transaction';
import { chargeClaimOf, isSignedBy, processorReferenceOf, type ChargeClaim, type ChargeVerification } from '../src/wallet/domain/processor-charge';
import { aPayment, aWallet, NEW_EVENT_ID, NEW_TRANSACTION_ID, NOW, REQUEST_ORIGIN, USER_ID, WALLET_ID } from './support/decision-fixtures';

const PROCESSOR_REFERENCE = processorReferenceOf(NEW_TRANSACTION_ID);
const HOUR_MS = 3_600_000;
const CONTEXT: ConfirmationContext = { eventId: NEW_EVENT_ID, now: NOW, origin: REQUEST_ORIGIN, abandonAfterMs: HOUR_MS };

/** A PENDING funding of 5 000 through the processor, recorded a minute before NOW unless told otherwise. */
const aFunding = (overrides: Partial<LedgerTransaction> = {}): LedgerTransaction =>
  aPayment({
    id: NEW_TRANSACTION_ID,
    type: 'FUNDING',
    status: 'PENDING',
    amount: 5_000n,
    reference: 'fund-1',
    requestFingerprint: fundingFingerprint(5_000n),
    paymentId: null,
    availableAfter: 10_000n,
    details: { processorReference: PROCESSOR_REFERENCE, checkoutUrl: 'http://checkout.test/abc' },
    ...overrides,
  });
const stateOf = (funding: LedgerTransaction, recordedMsAgo = 60_000): FundingState => ({ funding, recordedAt: new Date(NOW.getTime() - recordedMsAgo), wallet: aWallet() });
const paid = (overrides: Partial<{ amount: bigint; currency: string }> = {}): ChargeVerification => ({
  kind: 'FOUND',
  charge: { status: 'SUCCESS', amount: 5_000n, currency: 'NGN', paidAt: '2026-12-01T09:59:30.000Z', channel: 'card', ...overrides },
});
const claim = (overrides: Partial<ChargeClaim> = {}): ChargeClaim => ({ event: 'charge.success', processorReference: PROCESSOR_REFERENCE, amount: 5_000n, currency: 'NGN', ...overrides });

describe('starting a charge with the processor', () => {
  it('given a reference never used, when funding is asked for, then a PENDING FUNDING reserves the reference, moves nothing and names the charge after itself', () => {
    const decision = decideChargeInitiation({ userId: USER_ID, amount: 5_000n, reference: 'fund-1' }, { wallet: aWallet(), earlier: null }, NEW_TRANSACTION_ID);

    expect(decision).toEqual({
      kind: 'RESERVE',
      processorReference: `bvs-fund-${NEW_TRANSACTION_ID}`,
      transaction: {
        id: NEW_TRANSACTION_ID,
        walletId: WALLET_ID,
        userId: USER_ID,
        type: 'FUNDING',
        status: 'PENDING',
        amount: 5_000n,
        currency: 'NGN',
        reference: 'fund-1',
        requestFingerprint: fundingFingerprint(5_000n),
        paymentId: null,
        reversesTransactionId: null,
        availableAfter: 10_000n,
        details: { processorReference: `bvs-fund-${NEW_TRANSACTION_ID}` },
      },
    });
  });

  it('given the reference already started the same funding, when it comes again, then the earlier funding is replayed whatever its status', () => {
    const earlier = aFunding({ status: 'COMPLETED' });
    expect(decideChargeInitiation({ userId: USER_ID, amount: 5_000n, reference: 'fund-1' }, { wallet: aWallet(), earlier }, 'unused')).toEqual({ kind: 'REPLAY', earlier });
  });

  it('given the reference started a funding of another amount, when it comes again, then it is refused as a conflict', () => {
    const decision = decideChargeInitiation({ userId: USER_ID, amount: 6_000n, reference: 'fund-1' }, { wallet: aWallet(), earlier: aFunding() }, 'unused');
    expect(decision).toMatchObject({ kind: 'REFUSED', code: WALLET_ERROR_CODES.idempotencyConflict });
  });
});

describe("a processor's webhook", () => {
  const SECRET = 'sk_test_0123456789abcdef';
  const body = Buffer.from(JSON.stringify({ event: 'charge.success', data: { reference: PROCESSOR_REFERENCE, amount: 5000, currency: 'NGN' } }));
  const signatureOf = (bytes: Buffer, key = SECRET) => createHmac('sha512', key).update(bytes).digest('hex');

  it('given a body signed with the secret key, when checked, then it is authentic', () => {
    expect(isSignedBy(SECRET, body, signatureOf(body))).toBe(true);
  });

  it('given a body changed after signing, a signature made with another key, or no signature, when checked, then none is authentic', () => {
    const tampered = Buffer.from(body.toString('utf8').replace('5000', '500000'));
    expect(isSignedBy(SECRET, tampered, signatureOf(body))).toBe(false);
    expect(isSignedBy(SECRET, body, signatureOf(body, 'sk_test_someone_elses_key'))).toBe(false);
    expect(isSignedBy(SECRET, body, '')).toBe(false);
    expect(isSignedBy(SECRET, body, signatureOf(body).toUpperCase())).toBe(false);
  });

  it('given a charge event, when read, then its reference, exact amount and currency are the claim', () => {
    expect(chargeClaimOf(JSON.parse(body.toString('utf8')))).toEqual(claim());
  });

  it('given amounts that are fractional, negative, beyond 2^53 or not numbers, or a missing reference, when read, then there is no claim', () => {
    for (const data of [
      { reference: PROCESSOR_REFERENCE, amount: 50.5, currency: 'NGN' },
      { reference: PROCESSOR_REFERENCE, amount: -5000, currency: 'NGN' },
      { reference: PROCESSOR_REFERENCE, amount: 2 ** 60, currency: 'NGN' },
      { reference: PROCESSOR_REFERENCE, amount: '5e3', currency: 'NGN' },
      { amount: 5000, currency: 'NGN' },
      { reference: PROCESSOR_REFERENCE, amount: 5000, currency: 'naira' },
    ]) {
      expect(chargeClaimOf({ event: 'charge.success', data })).toBeNull();
    }
    expect(chargeClaimOf('charge.success')).toBeNull();
  });

  it.each([
    ['another event', claim({ event: 'transfer.success' }), aFunding(), 'IGNORED_EVENT'],
    ['a reference of no funding', claim(), null, 'UNKNOWN_REFERENCE'],
    ['a funding already credited (a replay)', claim(), aFunding({ status: 'COMPLETED' }), 'ALREADY_CREDITED'],
    ['another currency', claim({ currency: 'USD' }), aFunding(), 'CURRENCY_MISMATCH'],
    ['another amount', claim({ amount: 500_000n }), aFunding(), 'AMOUNT_MISMATCH'],
  ])('given %s, when screened, then nothing is credited and the processor is not asked', (_case, given, funding, outcome) => {
    expect(screenClaim(given, funding)).toEqual({ kind: 'NO_CREDIT', outcome });
  });

  it('given a claim that matches a pending funding, when screened, then the processor is asked', () => {
    expect(screenClaim(claim(), aFunding())).toEqual({ kind: 'VERIFY' });
  });
});

describe("crediting a funding on the processor's word", () => {
  it('given the processor reports the exact charge paid, when decided, then one CREDIT entry, the funding COMPLETED and wallet-funded with the processor reference', () => {
    const decision = decideChargeConfirmation(stateOf(aFunding()), paid(), CONTEXT);

    expect(decision).toEqual({
      kind: 'CREDIT',
      entry: { walletId: WALLET_ID, transactionId: NEW_TRANSACTION_ID, entryType: 'CREDIT', availableDelta: 5_000n, heldDelta: 0n, availableAfter: 15_000n, heldAfter: 0n, walletVersion: 4 },
      completion: { transactionId: NEW_TRANSACTION_ID, availableAfter: 15_000n, details: { paidAt: '2026-12-01T09:59:30.000Z', channel: 'card' } },
      publish: {
        topic: EVENT_TOPICS.walletFunded,
        event: {
          metadata: { eventId: NEW_EVENT_ID, eventType: 'WalletFunded', occurredAt: NOW.toISOString(), correlationId: 'request-1', causationId: null, producer: 'wallet' },
          payload: {
            walletId: WALLET_ID,
            userId: USER_ID,
            transactionId: NEW_TRANSACTION_ID,
            amountMinor: 5_000n,
            currency: 'NGN',
            reference: 'fund-1',
            availableAfterMinor: 15_000n,
            processorReference: PROCESSOR_REFERENCE,
          },
        },
      },
    });
  });

  it('given the funding was already credited, when the processor says paid again, then nothing moves', () => {
    expect(decideChargeConfirmation(stateOf(aFunding({ status: 'COMPLETED' })), paid(), CONTEXT)).toEqual({ kind: 'NO_CREDIT', outcome: 'ALREADY_CREDITED' });
  });

  it('given a funding failed as abandoned, when the processor later reports it paid in full, then it is credited: the customer paid', () => {
    expect(decideChargeConfirmation(stateOf(aFunding({ status: 'FAILED', failureReason: 'PROCESSOR.CHARGE_ABANDONED' })), paid(), CONTEXT)).toMatchObject({ kind: 'CREDIT' });
  });

  it('given the processor took another amount, when decided, then nothing is credited and the funding fails with an alert for a person', () => {
    expect(decideChargeConfirmation(stateOf(aFunding()), paid({ amount: 4_000n }), CONTEXT)).toEqual({
      kind: 'FAIL',
      transactionId: NEW_TRANSACTION_ID,
      failureReason: 'PROCESSOR.AMOUNT_MISMATCH',
      alert: 'FUNDING_PAID_WRONG_AMOUNT',
      outcome: 'AMOUNT_MISMATCH',
    });
  });

  it('given the processor took another currency, when decided, then nothing is credited and the funding fails with an alert', () => {
    expect(decideChargeConfirmation(stateOf(aFunding()), paid({ currency: 'USD' }), CONTEXT)).toMatchObject({ kind: 'FAIL', outcome: 'CURRENCY_MISMATCH', alert: 'FUNDING_PAID_WRONG_AMOUNT' });
  });

  it('given a funding already failed for that mismatch, when the same answer comes again, then nothing changes and the mismatch is still reported', () => {
    const failed = aFunding({ status: 'FAILED', failureReason: 'PROCESSOR.AMOUNT_MISMATCH' });
    expect(decideChargeConfirmation(stateOf(failed), paid({ amount: 4_000n }), CONTEXT)).toEqual({ kind: 'NO_CREDIT', outcome: 'AMOUNT_MISMATCH' });
  });

  it.each([
    ['not paid yet', { kind: 'FOUND', charge: { status: 'ONGOING', amount: 5_000n, currency: 'NGN', paidAt: null, channel: null } }, 'NOT_SUCCESSFUL'],
    ['declined', { kind: 'FOUND', charge: { status: 'FAILED', amount: 5_000n, currency: 'NGN', paidAt: null, channel: 'card' } }, 'NOT_SUCCESSFUL'],
    ['unknown to the processor', { kind: 'NOT_FOUND' }, 'UNKNOWN_REFERENCE'],
  ] as const)('given a young funding whose charge is %s, when decided, then it stays PENDING for the customer to pay', (_case, verification, outcome) => {
    expect(decideChargeConfirmation(stateOf(aFunding()), verification, CONTEXT)).toEqual({ kind: 'NO_CREDIT', outcome });
  });

  it.each([
    ['abandoned', { kind: 'FOUND', charge: { status: 'ABANDONED', amount: 5_000n, currency: 'NGN', paidAt: null, channel: null } }, 'PROCESSOR.CHARGE_ABANDONED'],
    ['still unpaid', { kind: 'FOUND', charge: { status: 'ONGOING', amount: 5_000n, currency: 'NGN', paidAt: null, channel: null } }, 'PROCESSOR.CHARGE_NOT_PAID_IN_TIME'],
    ['unknown to the processor', { kind: 'NOT_FOUND' }, 'PROCESSOR.CHARGE_NOT_FOUND'],
  ] as const)('given a funding older than the abandon window whose charge is %s, when decided, then it fails, so nothing stays PENDING for ever', (_case, verification, failureReason) => {
    expect(decideChargeConfirmation(stateOf(aFunding(), HOUR_MS), verification, CONTEXT)).toEqual({
      kind: 'FAIL',
      transactionId: NEW_TRANSACTION_ID,
      failureReason,
      alert: null,
      outcome: 'FAILED',
    });
  });
});
