import { Injectable } from '@nestjs/common';
import { PreparedStatement } from '@bvs/platform';
import type { EntityManager } from 'typeorm';
import type { BalanceChange, LedgerEntry } from '../domain/wallet';
import { toStoredWallet, WALLET_COLUMNS, type StoredWallet, type WalletRow } from './rows';

const INSERT_WALLETS = new PreparedStatement(
  'wallets_insert',
  `INSERT INTO wallets (id, user_id, currency) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::char(3)[])
    ON CONFLICT (user_id) DO NOTHING`,
);
const WALLETS_OF_USERS = new PreparedStatement('wallets_of_users', `SELECT ${WALLET_COLUMNS} FROM wallets WHERE user_id = ANY($1::uuid[])`);
const WALLET_BY_ID = new PreparedStatement('wallet_by_id', `SELECT ${WALLET_COLUMNS} FROM wallets WHERE id = $1`);
const LOCK_WALLETS = new PreparedStatement('wallets_lock', `SELECT ${WALLET_COLUMNS} FROM wallets WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`);

/**
 * The balance update of `saveBalances`, as a statement or as a CTE of a larger one: reads
 * `balanceParameters` from `$first` on and returns the ids of the wallets it moved.
 */
export function saveBalancesSql(first: number): string {
  const [ids, readVersions, available, held, versions] = [0, 1, 2, 3, 4].map((offset) => `$${first + offset}`);
  return `UPDATE wallets SET available = moved.available, held = moved.held, version = moved.version, updated_at = now()
     FROM (SELECT * FROM unnest(${ids}::uuid[], ${readVersions}::int[], ${available}::bigint[], ${held}::bigint[], ${versions}::int[])
                      AS given (id, read_version, available, held, version)
            ORDER BY id) AS moved
    WHERE wallets.id = moved.id AND wallets.version = moved.read_version
      AND wallets.id IN (SELECT id FROM wallets WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE)
    RETURNING wallets.id`;
}

/** How many parameters `saveBalancesSql` reads, for a statement that runs it beside others. */
export const BALANCE_PARAMETERS = 5;

/** What `saveBalancesSql` reads: one array per column, the wallets in id order (the order they are locked in). */
export function balanceParameters(changes: readonly BalanceChange[]): unknown[] {
  const ordered = [...changes].sort((one, other) => (one.walletId < other.walletId ? -1 : one.walletId > other.walletId ? 1 : 0));
  const column = <T>(pick: (change: BalanceChange) => T) => ordered.map(pick);
  return [
    column((change) => change.walletId),
    column((change) => change.readVersion),
    column((change) => change.last.availableAfter.toString()),
    column((change) => change.last.heldAfter.toString()),
    column((change) => change.last.walletVersion),
  ];
}

const SAVE_BALANCES = new PreparedStatement('wallets_save_balances', saveBalancesSql(1));

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
    const opened = (await this.openAll(manager, [wallet])).get(wallet.userId);
    if (!opened) throw new Error(`wallet of ${wallet.userId} vanished right after it was opened`);
    return opened;
  }

  /** `open` for several users at once, in at most three statements; keyed by user. */
  async openAll(manager: EntityManager, wallets: readonly NewWallet[]): Promise<Map<string, StoredWallet>> {
    const found = await this.findByUsers(
      manager,
      wallets.map((wallet) => wallet.userId),
    );
    const missing = wallets.filter((wallet) => !found.has(wallet.userId));
    if (missing.length === 0) return found;
    await this.insertUnlessOpen(manager, missing);
    const opened = await this.findByUsers(
      manager,
      missing.map((wallet) => wallet.userId),
    );
    for (const wallet of missing) {
      const row = opened.get(wallet.userId);
      if (!row) throw new Error(`wallet of ${wallet.userId} vanished right after it was opened`);
      found.set(wallet.userId, row);
    }
    return found;
  }

  /** Opens these wallets where their users have none: a user who has one, or gets one meanwhile, keeps it. */
  async insertUnlessOpen(manager: EntityManager, wallets: readonly NewWallet[]): Promise<void> {
    await INSERT_WALLETS.run(manager, [wallets.map((wallet) => wallet.id), wallets.map((wallet) => wallet.userId), wallets.map((wallet) => wallet.currency)]);
  }

  private async findByUsers(manager: EntityManager, userIds: readonly string[]): Promise<Map<string, StoredWallet>> {
    const { rows } = await WALLETS_OF_USERS.run<WalletRow>(manager, [userIds]);
    return new Map(rows.map((row) => [row.user_id, toStoredWallet(row)]));
  }

  /** Reads the wallet without locking it: a change made from this read is saved only if nobody changed the wallet since. */
  async load(manager: EntityManager, walletId: string): Promise<StoredWallet> {
    const { rows } = await WALLET_BY_ID.run<WalletRow>(manager, [walletId]);
    const row = rows[0];
    if (!row) throw new Error(`wallet ${walletId} does not exist`);
    return toStoredWallet(row);
  }

  /**
   * The wallets with these ids, locked until the transaction ends, keyed by id; in id order, so two
   * batches over the same wallets queue rather than deadlock. For a consumer's batch, which must
   * save every wallet it decided on; client requests read without locking instead.
   */
  async lockAll(manager: EntityManager, walletIds: readonly string[]): Promise<Map<string, StoredWallet>> {
    const { rows } = await LOCK_WALLETS.run<WalletRow>(manager, [walletIds]);
    return new Map(rows.map((row) => [row.id, toStoredWallet(row)]));
  }

  /**
   * Sets the balances `entry` leaves, if the wallet is still at the version the entry was decided
   * on (one below the entry's). False when another transaction changed the wallet first: the
   * caller reads it again and decides again.
   */
  async saveBalance(manager: EntityManager, entry: LedgerEntry): Promise<boolean> {
    const saved = await this.saveBalances(manager, [{ walletId: entry.walletId, readVersion: entry.walletVersion - 1, last: entry }]);
    return saved.has(entry.walletId);
  }

  /**
   * Moves each wallet to the state its `last` entry leaves, where the wallet is still at the version
   * it was read at; returns the wallets saved. The others changed meanwhile and keep the newer
   * state. The rows are locked in id order first (the sub-select), as every other writer locks
   * them: an UPDATE joined to a list locks rows in whatever order the planner's join yields, and a
   * request batch doing that crossed the outcome consumers' id-ordered locks into deadlocks under
   * load (each one failing a whole transaction, which then ran again event by event).
   */
  async saveBalances(manager: EntityManager, changes: readonly BalanceChange[]): Promise<Set<string>> {
    if (changes.length === 0) return new Set();
    const { rows: updated } = await SAVE_BALANCES.run<{ id: string }>(manager, balanceParameters(changes));
    return new Set(updated.map((row) => row.id));
  }
}
