import { WALLET_ERROR_CODES } from '@bvs/contracts';
import { ServiceError } from '@bvs/platform';
import type { EntityManager } from 'typeorm';
import { toWalletState, WalletRow, WalletState } from '../persistence/rows';

export type LedgerEntryType = 'CREDIT' | 'HOLD' | 'POST' | 'RELEASE';

/** How a step moves money between the wallet's two buckets. */
export interface BalanceMovement {
  readonly entryType: LedgerEntryType;
  readonly availableDelta: bigint;
  readonly heldDelta: bigint;
}

export const MOVEMENTS = {
  credit: (amount: bigint): BalanceMovement => ({ entryType: 'CREDIT', availableDelta: amount, heldDelta: 0n }),
  hold: (amount: bigint): BalanceMovement => ({ entryType: 'HOLD', availableDelta: -amount, heldDelta: amount }),
  post: (amount: bigint): BalanceMovement => ({ entryType: 'POST', availableDelta: 0n, heldDelta: -amount }),
  release: (amount: bigint): BalanceMovement => ({ entryType: 'RELEASE', availableDelta: amount, heldDelta: -amount }),
};

const BACKOFF_BASE_MS = 2;
const BACKOFF_CAP_MS = 50;

export async function readWallet(manager: EntityManager, walletId: string): Promise<WalletState> {
  const rows: WalletRow[] = await manager.query('SELECT id, user_id, currency, available, held, version, updated_at FROM wallets WHERE id = $1', [walletId]);
  const row = rows[0];
  if (!row) throw new Error(`wallet ${walletId} does not exist`);
  return toWalletState(row);
}

/**
 * Moves the wallet's balance with optimistic locking: read, check, then update only if the
 * version is still the one read. When another transaction got there first, re-read (READ
 * COMMITTED sees its commit) and try again after a short jittered pause, up to `maxAttempts`.
 * Runs inside the caller's transaction, so the change commits or rolls back with the ledger rows
 * the caller writes; `recordEntry` must be called once the transaction row exists.
 */
export async function changeBalance(
  manager: EntityManager,
  walletId: string,
  movement: BalanceMovement,
  maxAttempts: number,
): Promise<{ before: WalletState; after: WalletState }> {
  for (let attempt = 1; ; attempt += 1) {
    const before = await readWallet(manager, walletId);
    const available = before.available + movement.availableDelta;
    const held = before.held + movement.heldDelta;
    if (available < 0n) {
      throw new ServiceError(WALLET_ERROR_CODES.insufficientFunds, 422, 'The available balance is lower than the amount.', {
        available: before.available.toString(),
      });
    }
    if (held < 0n) throw new Error(`wallet ${walletId}: releasing more than is held (held ${before.held}, delta ${movement.heldDelta})`);
    // TypeORM answers an UPDATE with [rows, affected count], unlike a SELECT or an INSERT.
    const [updated]: [WalletRow[], number] = await manager.query(
      `UPDATE wallets SET available = $1, held = $2, version = version + 1, updated_at = now()
        WHERE id = $3 AND version = $4
        RETURNING id, user_id, currency, available, held, version, updated_at`,
      [available.toString(), held.toString(), walletId, before.version],
    );
    const row = updated[0];
    if (row) return { before, after: toWalletState(row) };
    if (attempt >= maxAttempts) {
      throw new ServiceError(WALLET_ERROR_CODES.concurrentUpdate, 409, 'The wallet is being changed by other requests; retry with the same reference.');
    }
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 10));
    await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
  }
}

/** The ledger entry of one balance change: one per wallet version, enforced by a unique key. */
export async function recordEntry(manager: EntityManager, transactionId: string, movement: BalanceMovement, after: WalletState): Promise<void> {
  await manager.query(
    `INSERT INTO ledger_entries (wallet_id, transaction_id, entry_type, available_delta, held_delta, available_after, held_after, wallet_version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      after.id,
      transactionId,
      movement.entryType,
      movement.availableDelta.toString(),
      movement.heldDelta.toString(),
      after.available.toString(),
      after.held.toString(),
      after.version,
    ],
  );
}
