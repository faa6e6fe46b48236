import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PreparedStatement } from '@bvs/platform';
import type { EntityManager } from 'typeorm';
import { toStoredTransaction, toStoredWallet, TRANSACTION_COLUMNS, WALLET_COLUMNS, type StoredTransaction, type StoredWallet, type TransactionRow, type WalletRow } from './rows';
import { WalletRepository } from './wallet-repository';

const columnsOf = (list: string) => list.split(',').map((column) => column.trim());
const TRANSACTION_COLUMN_NAMES = columnsOf(TRANSACTION_COLUMNS) as (keyof TransactionRow)[];

/** A row of the read: the wallet's columns, and beside them the transaction's as t_<column>, all null when the reference is unused. */
type WalletWithEarlierRow = WalletRow & { [Column in keyof TransactionRow as `t_${Column}`]: TransactionRow[Column] | null };

/**
 * One row per asked (user, reference): the user's wallet, and the transaction the reference
 * already made on it, if any. Users without a wallet have no row.
 *
 * Each lookup is a LATERAL subquery with LIMIT 1 on a unique key's columns, which the planner
 * cannot flatten into a join: it runs once per asked row, with both of that row's values to look
 * up by. A plain join was planned, once, while the wallets held a transaction or two, as a scan of
 * the wallet's history filtered by reference afterwards, and a hot wallet then read its whole
 * history per request (docs/benchmarks.md, 2026-12-06 morning). LATERAL alone is not enough: the
 * unique key must also look cheaper than the history index, which statistics taken while every
 * wallet held one transaction deny it (migration ManyTransactionsPerWallet; a test holds the plan).
 */
export const WALLETS_WITH_EARLIER = new PreparedStatement(
  'wallets_with_earlier_requests',
  `SELECT ${columnsOf(WALLET_COLUMNS)
    .map((column) => `w.${column}`)
    .join(', ')}, ${TRANSACTION_COLUMN_NAMES.map((column) => `t.${column} AS t_${column}`).join(', ')}
     FROM unnest($1::uuid[], $2::text[]) AS asked (user_id, reference)
     CROSS JOIN LATERAL (SELECT ${WALLET_COLUMNS} FROM wallets WHERE wallets.user_id = asked.user_id LIMIT 1) w
     LEFT JOIN LATERAL (SELECT ${TRANSACTION_COLUMNS} FROM wallet_transactions
                         WHERE wallet_transactions.wallet_id = w.id AND wallet_transactions.reference = asked.reference LIMIT 1) t ON true`,
);

/** A client request as the read needs it: whose wallet, and which of its references. */
export interface AskedReference {
  readonly userId: string;
  readonly reference: string;
}

/** What a batch of client requests is decided on. */
export interface RequestStates {
  readonly walletsByUser: Map<string, StoredWallet>;
  /** The transactions the asked references already made, in no particular order. */
  readonly earlier: StoredTransaction[];
}

/**
 * Reads what a batch of client requests is decided on, the wallets and what their references
 * already made, in one statement: one round trip instead of two, and one snapshot, so a reference
 * committed before the wallet version read is always seen with it. A user without a wallet gets
 * one opened in `currency` (two more statements, once per user).
 */
@Injectable()
export class RequestStateStore {
  constructor(private readonly wallets: WalletRepository) {}

  async read(manager: EntityManager, asked: readonly AskedReference[], currency: string): Promise<RequestStates> {
    const found = await this.readOpen(manager, asked);
    const missing = asked.filter((one) => !found.walletsByUser.has(one.userId));
    if (missing.length === 0) return found;
    const newUsers = [...new Set(missing.map((one) => one.userId))];
    await this.wallets.insertUnlessOpen(
      manager,
      newUsers.map((userId) => ({ id: randomUUID(), userId, currency })),
    );
    // Read again, not assumed empty: a racing replica may have opened the wallet and used a reference on it meanwhile.
    const opened = await this.readOpen(manager, missing);
    for (const userId of newUsers) {
      const wallet = opened.walletsByUser.get(userId);
      if (!wallet) throw new Error(`wallet of ${userId} vanished right after it was opened`);
      found.walletsByUser.set(userId, wallet);
    }
    return { walletsByUser: found.walletsByUser, earlier: [...found.earlier, ...opened.earlier] };
  }

  private async readOpen(manager: EntityManager, asked: readonly AskedReference[]): Promise<RequestStates> {
    const { rows } = await WALLETS_WITH_EARLIER.run<WalletWithEarlierRow>(manager, [asked.map((one) => one.userId), asked.map((one) => one.reference)]);
    const walletsByUser = new Map<string, StoredWallet>();
    const earlierById = new Map<string, StoredTransaction>();
    for (const row of rows) {
      walletsByUser.set(row.user_id, toStoredWallet(row));
      const earlier = earlierOf(row);
      if (earlier) earlierById.set(earlier.id, toStoredTransaction(earlier));
    }
    return { walletsByUser, earlier: [...earlierById.values()] };
  }
}

function earlierOf(row: WalletWithEarlierRow): TransactionRow | null {
  if (row.t_id === null) return null;
  return Object.fromEntries(TRANSACTION_COLUMN_NAMES.map((column) => [column, row[`t_${column}`]])) as unknown as TransactionRow;
}
