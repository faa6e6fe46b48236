import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PageCursor } from '@bvs/platform';
import { DataSource } from 'typeorm';
import { toStoredTransaction, type StoredTransaction, type TransactionRow } from './rows';

/** Which of a user's transactions to list; each filter applies only when given. */
export interface HistoryFilter {
  readonly type?: string | null;
  readonly status?: string | null;
  /** ISO-8601 instant, inclusive. */
  readonly from?: string | null;
  /** ISO-8601 instant, exclusive. */
  readonly to?: string | null;
}

/** A listed transaction and where it stands in the newest-first order, to continue after it. */
export interface HistoryItem {
  readonly transaction: StoredTransaction;
  readonly position: PageCursor;
}

/** Reads for the owner only: every query is scoped by the user's wallet, so another user's ids find nothing. */
@Injectable()
export class WalletHistoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async transactionOf(userId: string, transactionId: string): Promise<StoredTransaction | null> {
    return this.first(`SELECT t.* FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1 AND t.id = $2`, [
      userId,
      transactionId,
    ]);
  }

  async paymentOf(userId: string, paymentId: string): Promise<StoredTransaction | null> {
    return this.first(
      `SELECT t.* FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1 AND t.payment_id = $2 AND t.type = 'PAYMENT'`,
      [userId, paymentId],
    );
  }

  /** The PAYMENT a client reference started, if it started one. */
  async paymentByReference(userId: string, reference: string): Promise<StoredTransaction | null> {
    return this.first(
      `SELECT t.* FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1 AND t.reference = $2 AND t.type = 'PAYMENT'`,
      [userId, reference],
    );
  }

  /** Up to `count` transactions, newest first, after `after` when given: keyset pagination never skips or repeats a row. */
  async newestFirst(userId: string, filter: HistoryFilter, after: PageCursor | null, count: number): Promise<HistoryItem[]> {
    const conditions = ['w.user_id = $1'];
    const parameters: unknown[] = [userId];
    const add = (sql: string, value: unknown) => {
      parameters.push(value);
      conditions.push(sql.replace('?', `$${parameters.length}`));
    };
    if (filter.type) add('t.type = ?', filter.type);
    if (filter.status) add('t.status = ?', filter.status);
    if (filter.from) add('t.created_at >= ?', filter.from);
    if (filter.to) add('t.created_at < ?', filter.to);
    if (after) {
      parameters.push(after.createdAt, after.id);
      conditions.push(`(t.created_at, t.id) < ($${parameters.length - 1}::timestamptz, $${parameters.length}::uuid)`);
    }
    parameters.push(count);
    // created_at as text too: a JavaScript Date keeps milliseconds, PostgreSQL microseconds, and a
    // cursor rounded to the millisecond would skip or repeat rows written in the same millisecond.
    const rows: (TransactionRow & { created_at_exact: string })[] = await this.dataSource.query(
      `SELECT t.*, t.created_at::text AS created_at_exact FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id
        WHERE ${conditions.join(' AND ')}
        ORDER BY t.created_at DESC, t.id DESC
        LIMIT $${parameters.length}`,
      parameters,
    );
    return rows.map((row) => ({ transaction: toStoredTransaction(row), position: { createdAt: row.created_at_exact, id: row.id } }));
  }

  private async first(sql: string, parameters: readonly unknown[]): Promise<StoredTransaction | null> {
    const rows: TransactionRow[] = await this.dataSource.query(sql, [...parameters]);
    return rows[0] ? toStoredTransaction(rows[0]) : null;
  }
}
