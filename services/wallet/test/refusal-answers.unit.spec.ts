import { WALLET_ERROR_CODES } from '@bvs/contracts';
import { ServiceError } from '@bvs/platform';
import { REFUSALS } from '../src/wallet/domain/wallet-refusal';
import { amountFromWire, toServiceError } from '../src/wallet/service-errors';

const answerTo = (error: ServiceError) => error.toBody();

describe('what callers hear when the wallet refuses', () => {
  it.each([
    ['an amount that is not minor units', REFUSALS.invalidAmount(), 400, 'The amount must be a positive whole number of minor units.', { field: 'amount' }],
    ['an amount over the limit', REFUSALS.amountOverLimit(50_000_000n), 400, 'The amount must not exceed 50000000 minor units.', { field: 'amount', limit: '50000000' }],
    ['insufficient funds', REFUSALS.insufficientFunds(3_999n), 422, 'The available balance is lower than the amount.', { available: '3999' }],
    ['a reused reference', REFUSALS.idempotencyConflict('earlier'), 409, 'This reference was already used for a different request.', { transactionId: 'earlier' }],
    ['an unknown transaction', REFUSALS.transactionNotFound(), 404, 'No such transaction.', undefined],
    ['an unknown payment', REFUSALS.paymentNotFound(), 404, 'No such payment.', undefined],
    ['a wallet that stays too busy', REFUSALS.concurrentUpdate(), 409, 'The wallet is being changed by other requests; retry with the same reference.', undefined],
  ])('given a refusal for %s, when it reaches the edge, then it is answered with its code, its status and the words callers always had', (_why, refusal, status, message, details) => {
    expect(answerTo(toServiceError(refusal))).toEqual({ code: refusal.code, status, message, ...(details ? { details } : {}) });
  });

  it('given a well-formed amount on the wire, when it is read, then it is the bigint of minor units', () => {
    expect(amountFromWire('150000')).toBe(150_000n);
  });

  it('given a malformed amount on the wire, when it is read, then the caller gets 400 WALLET.INVALID_AMOUNT', () => {
    expect(() => amountFromWire('1.50')).toThrow(expect.objectContaining({ code: WALLET_ERROR_CODES.invalidAmount, status: 400 }));
  });
});
