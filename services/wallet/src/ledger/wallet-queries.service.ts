import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ListTransactionsRequest, TransactionPage, WALLET_ERROR_CODES, WalletBalance, WalletTransaction } from '@bvs/contracts';
import { decodePageCursor, encodePageCursor, ServiceError } from '@bvs/platform';
import { DataSource } from 'typeorm';
import { toBalance, toTransaction, TransactionRow } from '../persistence/rows';
import { WalletLedger } from './wallet-ledger.service';

const MAX_PAGE = 100;

/** Reads for the owner only: every query is scoped by the caller's wallet, so another user's id is a 404. */
@Injectable()
export class WalletQueries {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: WalletLedger,
  ) {}

  async balance(userId: string): Promise<WalletBalance> {
    return toBalance(await this.ledger.walletOf(userId));
  }

  async transaction(userId: string, transactionId: string): Promise<WalletTransaction> {
    const rows: TransactionRow[] = await this.dataSource.query(
      `SELECT t.* FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1 AND t.id = $2`,
      [userId, transactionId],
    );
    const row = rows[0];
    if (!row) throw new ServiceError(WALLET_ERROR_CODES.transactionNotFound, 404, 'No such transaction.');
    return toTransaction(row);
  }

  async payment(userId: string, paymentId: string): Promise<WalletTransaction> {
    const rows: TransactionRow[] = await this.dataSource.query(
      `SELECT t.* FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1 AND t.payment_id = $2 AND t.type = 'PAYMENT'`,
      [userId, paymentId],
    );
    const row = rows[0];
    if (!row) throw new ServiceError(WALLET_ERROR_CODES.paymentNotFound, 404, 'No such payment.');
    return toTransaction(row);
  }

  /** Newest first. The cursor is the (created_at, id) of the last row seen, so pages never skip or repeat rows. */
  async list(request: ListTransactionsRequest): Promise<TransactionPage> {
    const limit = Math.min(Math.max(request.limit, 1), MAX_PAGE);
    const conditions = ['w.user_id = $1'];
    const parameters: unknown[] = [request.userId];
    const add = (sql: string, value: unknown) => {
      parameters.push(value);
      conditions.push(sql.replace('?', `$${parameters.length}`));
    };
    if (request.type) add('t.type = ?', request.type);
    if (request.status) add('t.status = ?', request.status);
    if (request.from) add('t.created_at >= ?', request.from);
    if (request.to) add('t.created_at < ?', request.to);
    if (request.cursor) {
      const cursor = decodePageCursor(request.cursor, WALLET_ERROR_CODES.invalidCursor);
      parameters.push(cursor.createdAt, cursor.id);
      conditions.push(`(t.created_at, t.id) < ($${parameters.length - 1}::timestamptz, $${parameters.length}::uuid)`);
    }
    parameters.push(limit + 1);
    // created_at as text too: a JavaScript Date keeps milliseconds, PostgreSQL microseconds, and a
    // cursor rounded to the millisecond would skip or repeat rows written in the same millisecond.
    const rows: (TransactionRow & { created_at_exact: string })[] = await this.dataSource.query(
      `SELECT t.*, t.created_at::text AS created_at_exact FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id
        WHERE ${conditions.join(' AND ')}
        ORDER BY t.created_at DESC, t.id DESC
        LIMIT $${parameters.length}`,
      parameters,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > limit && last ? encodePageCursor({ createdAt: last.created_at_exact, id: last.id }) : null;
    return { items: page.map((row) => toTransaction(row)), nextCursor };
  }
}
