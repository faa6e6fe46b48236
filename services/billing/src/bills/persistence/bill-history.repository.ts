import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { BillPayment, ListBillsRequest } from '@bvs/contracts';
import type { PageCursor } from '@bvs/platform';
import { DataSource } from 'typeorm';
import { BillRow, toBillPayment } from './bill-row';

/** The request's filters (absent or null mean "any"; `from` inclusive, `to` exclusive), always for one user. */
export type BillHistoryFilter = Pick<ListBillsRequest, 'status' | 'providerCode' | 'from' | 'to'> & { readonly userId: string };

export interface BillHistoryPage {
  readonly items: BillPayment[];
  /** Where the next page starts, or null when this one is the last. */
  readonly next: PageCursor | null;
}

/** A user's bills as the API shows them, newest first. Every query is scoped to the user. */
@Injectable()
export class BillHistoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findOwned(userId: string, billId: string): Promise<BillPayment | null> {
    const rows: BillRow[] = await this.dataSource.query('SELECT * FROM bill_payments WHERE id = $1 AND user_id = $2', [billId, userId]);
    return rows[0] ? toBillPayment(rows[0]) : null;
  }

  /** Keyset pagination on (created_at, id): stable while new bills arrive, and cheap at any depth. */
  async page(filter: BillHistoryFilter, limit: number, after: PageCursor | null): Promise<BillHistoryPage> {
    const conditions = ['user_id = $1'];
    const parameters: unknown[] = [filter.userId];
    const add = (sql: string, value: unknown) => {
      parameters.push(value);
      conditions.push(sql.replace('?', `$${parameters.length}`));
    };
    if (filter.status) add('status = ?', filter.status);
    if (filter.providerCode) add('provider_code = ?', filter.providerCode);
    if (filter.from) add('created_at >= ?', filter.from);
    if (filter.to) add('created_at < ?', filter.to);
    if (after) {
      parameters.push(after.createdAt, after.id);
      conditions.push(`(created_at, id) < ($${parameters.length - 1}::timestamptz, $${parameters.length}::uuid)`);
    }
    parameters.push(limit + 1);
    // created_at also as text: microseconds, which a JavaScript Date would round away from the cursor.
    const rows: (BillRow & { created_at_exact: string })[] = await this.dataSource.query(
      `SELECT *, created_at::text AS created_at_exact FROM bill_payments WHERE ${conditions.join(' AND ')}
        ORDER BY created_at DESC, id DESC LIMIT $${parameters.length}`,
      parameters,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toBillPayment), next: rows.length > limit && last ? { createdAt: last.created_at_exact, id: last.id } : null };
  }
}
