import { WALLET_ERROR_CODES } from '@bvs/contracts';
import { decidePaymentInitiation, paymentFingerprint, type InitiatePayment } from '../src/wallet/domain/decide-payment-initiation';
import { decideRequestBatch, referenceKey, type BatchedRequest } from '../src/wallet/domain/decide-request-batch';
import type { LedgerTransaction } from '../src/wallet/domain/ledger-transaction';
import { applyEntry, type Wallet } from '../src/wallet/domain/wallet';
import { aPayment, aWallet, NOW, REQUEST_ORIGIN, USER_ID, WALLET_ID } from './support/decision-fixtures';

const OTHER_USER_ID = '77777777-7777-4777-8777-777777777777';
const OTHER_WALLET_ID = '88888888-8888-4888-8888-888888888888';

let ids = 0;
function aPaymentRequest(reference: string, amount: bigint, userId = USER_ID): BatchedRequest<LedgerTransaction> {
  const command: InitiatePayment = { userId, amount, reference, meterNumber: '45700000001', providerCode: 'ikeja-electric-prepaid' };
  ids += 1;
  const context = { paymentId: `payment-${ids}`, transactionId: `transaction-${ids}`, eventId: `event-${ids}`, now: NOW, origin: REQUEST_ORIGIN };
  return { userId, reference, decide: (state) => decidePaymentInitiation(command, state, context) };
}

function batchOn(wallets: readonly Wallet[], earlier: readonly LedgerTransaction[] = []) {
  return {
    walletsByUser: new Map(wallets.map((wallet) => [wallet.userId, wallet])),
    earlierByReference: new Map(earlier.map((transaction) => [referenceKey(transaction.walletId, transaction.reference ?? ''), transaction])),
  };
}

describe('deciding a batch of client requests (group commit)', () => {
  it('given 10 000 available at version 3, when three payments of 3 000 arrive in one batch, then each sees the balance the one before left', () => {
    const { decisions } = decideRequestBatch([aPaymentRequest('a', 3_000n), aPaymentRequest('b', 3_000n), aPaymentRequest('c', 3_000n)], batchOn([aWallet()]));
    expect(decisions.map((decision) => decision.kind === 'ACCEPTED' && [decision.entry.availableAfter, decision.entry.heldAfter, decision.entry.walletVersion])).toEqual([
      [7_000n, 3_000n, 4],
      [4_000n, 6_000n, 5],
      [1_000n, 9_000n, 6],
    ]);
  });

  it('given 10 000 available, when payments of 6 000 and 6 000 arrive in one batch, then the second is refused for funds the first took', () => {
    const { decisions } = decideRequestBatch([aPaymentRequest('a', 6_000n), aPaymentRequest('b', 6_000n)], batchOn([aWallet()]));
    expect(decisions[0]).toMatchObject({ kind: 'ACCEPTED' });
    expect(decisions[1]).toMatchObject({ kind: 'REFUSED', code: WALLET_ERROR_CODES.insufficientFunds, details: { available: '4000' } });
  });

  it('given three accepted payments on one wallet, when the batch is decided, then one balance change saves the last state at the version read', () => {
    const { balanceChanges } = decideRequestBatch([aPaymentRequest('a', 1_000n), aPaymentRequest('b', 1_000n), aPaymentRequest('c', 1_000n)], batchOn([aWallet()]));
    expect(balanceChanges).toEqual([{ walletId: WALLET_ID, readVersion: 3, last: expect.objectContaining({ availableAfter: 7_000n, heldAfter: 3_000n, walletVersion: 6 }) }]);
  });

  it('given two users, when both pay in one batch, then each wallet moves on its own and gets its own balance change', () => {
    const other = aWallet({ id: OTHER_WALLET_ID, userId: OTHER_USER_ID, available: 500n, version: 0 });
    const { decisions, balanceChanges } = decideRequestBatch([aPaymentRequest('a', 4_000n), aPaymentRequest('a', 500n, OTHER_USER_ID)], batchOn([aWallet(), other]));
    expect(decisions).toMatchObject([
      { kind: 'ACCEPTED', entry: { walletId: WALLET_ID, availableAfter: 6_000n, walletVersion: 4 } },
      { kind: 'ACCEPTED', entry: { walletId: OTHER_WALLET_ID, availableAfter: 0n, walletVersion: 1 } },
    ]);
    expect(balanceChanges.map((change) => [change.walletId, change.readVersion, change.last.walletVersion])).toEqual([
      [WALLET_ID, 3, 4],
      [OTHER_WALLET_ID, 0, 1],
    ]);
  });

  it('given a reference accepted earlier in the same batch, when it comes again, then it is deferred to the next batch, which can see its row', () => {
    const { decisions, balanceChanges } = decideRequestBatch([aPaymentRequest('a', 1_000n), aPaymentRequest('a', 1_000n)], batchOn([aWallet()]));
    expect(decisions.map((decision) => decision.kind)).toEqual(['ACCEPTED', 'DEFERRED']);
    expect(balanceChanges[0]?.last.walletVersion).toBe(4);
  });

  it('given a reference already in the book, when the same payment comes in a batch, then it replays and moves nothing', () => {
    const command: InitiatePayment = { userId: USER_ID, amount: 4_000n, reference: 'pay-1', meterNumber: '45700000001', providerCode: 'ikeja-electric-prepaid' };
    const earlier = aPayment({ requestFingerprint: paymentFingerprint(command) });
    const { decisions, balanceChanges } = decideRequestBatch([aPaymentRequest('pay-1', 4_000n)], batchOn([aWallet()], [earlier]));
    expect(decisions).toEqual([{ kind: 'REPLAY', earlier }]);
    expect(balanceChanges).toEqual([]);
  });

  it('given only refusals and replays, when the batch is decided, then no wallet changes', () => {
    const { decisions, balanceChanges } = decideRequestBatch([aPaymentRequest('a', 20_000n)], batchOn([aWallet()]));
    expect(decisions).toMatchObject([{ kind: 'REFUSED', code: WALLET_ERROR_CODES.insufficientFunds }]);
    expect(balanceChanges).toEqual([]);
  });

  it('given a user whose wallet was not read, when the batch is decided, then it throws rather than decide on nothing', () => {
    expect(() => decideRequestBatch([aPaymentRequest('a', 1_000n, OTHER_USER_ID)], batchOn([aWallet()]))).toThrow(/without the wallet of user/);
  });
});

describe('applying a ledger entry to a wallet', () => {
  it('given an entry decided on another version, when applied, then it throws rather than skip or repeat a version', () => {
    const decision = decideRequestBatch([aPaymentRequest('a', 1_000n)], batchOn([aWallet()])).decisions[0];
    if (decision?.kind !== 'ACCEPTED') throw new Error('expected the payment to be accepted');
    expect(applyEntry(aWallet(), decision.entry)).toMatchObject({ available: 9_000n, held: 1_000n, version: 4 });
    expect(() => applyEntry(aWallet({ version: 4 }), decision.entry)).toThrow(/does not follow/);
  });
});
