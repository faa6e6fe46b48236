import { moveBalance, MOVEMENTS } from '../src/wallet/domain/wallet';
import { aWallet, NEW_TRANSACTION_ID, WALLET_ID } from './support/decision-fixtures';

describe('moving a wallet balance', () => {
  it('given a wallet at version 3, when money moves, then the entry records the buckets after it and version 4', () => {
    expect(moveBalance(aWallet({ available: 700n, held: 300n }), MOVEMENTS.hold(200n), NEW_TRANSACTION_ID)).toEqual({
      walletId: WALLET_ID,
      transactionId: NEW_TRANSACTION_ID,
      entryType: 'HOLD',
      availableDelta: -200n,
      heldDelta: 200n,
      availableAfter: 500n,
      heldAfter: 500n,
      walletVersion: 4,
    });
  });

  it('given any wallet, when each step moves 100, then credit adds to available, hold moves it to held, post takes it from held and release gives it back', () => {
    const wallet = aWallet({ available: 1_000n, held: 500n });
    const after = (movement: ReturnType<typeof MOVEMENTS.credit>) => {
      const entry = moveBalance(wallet, movement, NEW_TRANSACTION_ID);
      return [entry.availableAfter, entry.heldAfter];
    };
    expect(after(MOVEMENTS.credit(100n))).toEqual([1_100n, 500n]);
    expect(after(MOVEMENTS.hold(100n))).toEqual([900n, 600n]);
    expect(after(MOVEMENTS.post(100n))).toEqual([1_000n, 400n]);
    expect(after(MOVEMENTS.release(100n))).toEqual([1_100n, 400n]);
  });

  it('given 100 held, when 200 would be released, then it throws: a decision that gets here is a bug, not a refusal', () => {
    expect(() => moveBalance(aWallet({ held: 100n }), MOVEMENTS.release(200n), NEW_TRANSACTION_ID)).toThrow(RangeError);
  });

  it('given 100 available, when 200 would be held, then it throws rather than write a negative balance', () => {
    expect(() => moveBalance(aWallet({ available: 100n }), MOVEMENTS.hold(200n), NEW_TRANSACTION_ID)).toThrow(RangeError);
  });
});
