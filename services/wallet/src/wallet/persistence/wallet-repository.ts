import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { LedgerEntry } from '../domain/wallet';
import { toStoredWallet, WALLET_COLUMNS, type StoredWallet, type WalletRow } from './rows';

/** A wallet about to be opened: empty, at version 0. */
export interface NewWallet {
  readonly id: string;
  readonly userId: string;
  readonly currency: string;
}

/** The wallets table: one row a user, its two balances and the version that guards them. */
@Injectable()
export class WalletRepository {
  /**
   * The user's wallet, opened as `wallet` unless the user has one. Every payment and funding asks,
   * and nearly every time the wallet exists: one read answers that. `user-registered` and a first
   * use may race to open it: the unique key on the user lets one insert win, and both read the same row.
   */
  async open(manager: EntityManager, wallet: NewWallet): Promise<StoredWallet> {
    const existing = await this.findByUser(manager, wallet.userId);
    if (existing) return existing;
    await manager.query('INSERT INTO wallets (id, user_id, currency) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING', [
      wallet.id,
      wallet.userId,
      wallet.currency,
    ]);
    const opened = await this.findByUser(manager, wallet.userId);
    if (!opened) throw new Error(`wallet of ${wallet.userId} vanished right after it was opened`);
    return opened;
  }

  private async findByUser(manager: EntityManager, userId: string): Promise<StoredWallet | null> {
    const rows: WalletRow[] = await manager.query(`SELECT ${WALLET_COLUMNS} FROM wallets WHERE user_id = $1`, [userId]);
    return rows[0] ? toStoredWallet(rows[0]) : null;
  }

  /** Reads the wallet without locking it: a change made from this read is saved only if nobody changed the wallet since. */
  async load(manager: EntityManager, walletId: string): Promise<StoredWallet> {
    const rows: WalletRow[] = await manager.query(`SELECT ${WALLET_COLUMNS} FROM wallets WHERE id = $1`, [walletId]);
    const row = rows[0];
    if (!row) throw new Error(`wallet ${walletId} does not exist`);
    return toStoredWallet(row);
  }

  /**
   * Sets the balances `entry` leaves, if the wallet is still at the version the entry was decided
   * on (one below the entry's). False when another transaction changed the wallet first: the
   * caller reads it again and decides again.
   */
  async saveBalance(manager: EntityManager, entry: LedgerEntry): Promise<boolean> {
    // TypeORM answers an UPDATE with [rows, affected count], unlike a SELECT or an INSERT.
    const [updated]: [{ id: string }[], number] = await manager.query(
      `UPDATE wallets SET available = $1, held = $2, version = $3, updated_at = now()
        WHERE id = $4 AND version = $5
        RETURNING id`,
      [entry.availableAfter.toString(), entry.heldAfter.toString(), entry.walletVersion, entry.walletId, entry.walletVersion - 1],
    );
    return updated.length === 1;
  }
}
