import { WALLET_ERROR_CODES } from '@bvs/contracts';
import { retryWhileVersionMoves, VERSION_MOVED } from '../src/wallet/persistence/retry-while-version-moves';

describe('retrying a balance change whose wallet version moved', () => {
  it('given the first two attempts lose the race, when the third saves, then its result is returned after three attempts', async () => {
    let attempts = 0;
    const result = await retryWhileVersionMoves(5, async () => {
      attempts += 1;
      return attempts < 3 ? VERSION_MOVED : 'saved';
    });
    expect({ result, attempts }).toEqual({ result: 'saved', attempts: 3 });
  });

  it('given every attempt loses the race, when the attempts run out, then the wallet is refused as too busy (409) after exactly that many', async () => {
    let attempts = 0;
    const losing = retryWhileVersionMoves(4, async () => {
      attempts += 1;
      return VERSION_MOVED;
    });
    await expect(losing).rejects.toMatchObject({ code: WALLET_ERROR_CODES.concurrentUpdate, status: 409 });
    expect(attempts).toBe(4);
  });

  it('given an attempt that throws, when it runs, then the error passes through without a retry', async () => {
    let attempts = 0;
    const failing = retryWhileVersionMoves(4, async () => {
      attempts += 1;
      throw new Error('database gone');
    });
    await expect(failing).rejects.toThrow('database gone');
    expect(attempts).toBe(1);
  });
});
