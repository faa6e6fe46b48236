import { Injectable } from '@nestjs/common';
import { outboxInsert, outboxParameters, PreparedStatement, type OutboxItem } from '@bvs/platform';
import type { EntityManager } from 'typeorm';
import type { NewTransaction } from '../domain/ledger-transaction';
import type { BalanceChange, LedgerEntry } from '../domain/wallet';
import { ENTRY_PARAMETERS, entryParameters, insertEntriesSql, insertTransactionsSql, TRANSACTION_PARAMETERS, transactionParameters } from './ledger-repository';
import { toStoredTransaction, TRANSACTION_COLUMNS, type StoredTransaction, type TransactionRow } from './rows';
import { BALANCE_PARAMETERS, balanceParameters, saveBalancesSql } from './wallet-repository';

/** Rows of a wallet the batch did not save stay out: their decisions were taken on a state that is gone. */
const ON_SAVED_WALLETS = 'WHERE given.wallet_id IN (SELECT id FROM saved)';

const FIRST_TRANSACTION = 1 + BALANCE_PARAMETERS;
const FIRST_ENTRY = FIRST_TRANSACTION + TRANSACTION_PARAMETERS;
const FIRST_EVENT = FIRST_ENTRY + ENTRY_PARAMETERS;

/**
 * A batch of accepted requests in one statement: the balances saved where the wallet is still at
 * the version read, and only on those wallets the transactions, their ledger entries and their
 * outbox events. The statement is atomic on its own and its NOTIFY is delivered on its commit.
 * Foreign keys from the entries to the transactions inserted beside them hold: PostgreSQL checks
 * them when the whole statement has run.
 */
const SAVE_ACCEPTED_REQUESTS = new PreparedStatement(
  'accepted_requests_save',
  `WITH saved AS (${saveBalancesSql(1)}),
   written AS (${insertTransactionsSql(FIRST_TRANSACTION, ON_SAVED_WALLETS)}),
   entries AS (${insertEntriesSql(FIRST_ENTRY, ON_SAVED_WALLETS)}),
   events AS (${outboxInsert(FIRST_EVENT, { among: 'SELECT id FROM saved' })})
   SELECT ${TRANSACTION_COLUMNS} FROM written`,
);

/** What one accepted request writes: its transaction, its entry, and its event, on which wallet. */
export interface AcceptedWrite {
  readonly transaction: NewTransaction;
  readonly entry: LedgerEntry;
  readonly event: OutboxItem;
}

/** The outcome of saving a batch: the transactions written, keyed by id, and the wallets that had moved. */
export interface SavedBatch {
  readonly storedById: ReadonlyMap<string, StoredTransaction>;
  readonly movedWallets: ReadonlySet<string>;
}

/**
 * Writes a group commit's accepted requests in one round trip instead of six (BEGIN, balances,
 * transactions, entries, outbox, COMMIT): on a 2-core machine a purchase's cost is mostly its
 * round trips (docs/benchmarks.md). Needs no transaction around it, and takes none.
 */
@Injectable()
export class AcceptedRequestsStore {
  async save(manager: EntityManager, balanceChanges: readonly BalanceChange[], accepted: readonly AcceptedWrite[]): Promise<SavedBatch> {
    if (balanceChanges.length === 0) return { storedById: new Map(), movedWallets: new Set() };
    const events = outboxParameters(accepted.map((write) => write.event));
    const { rows } = await SAVE_ACCEPTED_REQUESTS.run<TransactionRow>(manager, [
      ...balanceParameters(balanceChanges),
      ...transactionParameters(accepted.map((write) => write.transaction)),
      ...entryParameters(accepted.map((write) => write.entry)),
      ...events,
      accepted.map((write) => write.entry.walletId),
    ]);
    const storedById = new Map(rows.map((row) => [row.id, toStoredTransaction(row)]));
    // Every wallet in `balanceChanges` has an accepted request on it, so a saved wallet is one with a transaction written.
    const savedWallets = new Set(rows.map((row) => row.wallet_id));
    return { storedById, movedWallets: new Set(balanceChanges.map((change) => change.walletId).filter((walletId) => !savedWallets.has(walletId))) };
  }
}
