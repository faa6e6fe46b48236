import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BILLING_ERROR_CODES, BillPage, BillPayment, ListBillsRequest } from '@bvs/contracts';
import { decodePageCursor, encodePageCursor, ServiceError } from '@bvs/platform';
import { DataSource } from 'typeorm';
import { BillRow, toBillPayment } from './bill-row';

const MAX_PAGE = 100;

/** The user's own bills only: another user's id answers exactly like an unknown one. */
@Injectable()
export class BillQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async bill(userId: string, billId: string): Promise<BillPayment> {
    const rows: BillRow[] = await this.dataSource.query('SELECT * FROM bill_payments WHERE id = $1 AND user_id = $2', [billId, userId]);
    const row = rows[0];
    if (!row) throw new ServiceError(BILLING_ERROR_CODES.billNotFound, 404, 'No such bill payment.');
    return toBillPayment(row);
  }

  async list(request: ListBillsRequest): Promise<BillPage> {
    const limit = Math.min(Math.max(request.limit, 1), MAX_PAGE);
    const conditions = ['user_id = $1'];
    const parameters: unknown[] = [request.userId];
    const add = (sql: string, value: unknown) => {
      parameters.push(value);
      conditions.push(sql.replace('?', `$${parameters.length}`));
    };
    if (request.status) add('status = ?', request.status);
    if (request.providerCode) add('provider_code = ?', request.providerCode);
    if (request.from) add('created_at >= ?', request.from);
    if (request.to) add('created_at < ?', request.to);
    if (request.cursor) {
      const cursor = decodePageCursor(request.cursor, BILLING_ERROR_CODES.invalidCursor);
      parameters.push(cursor.createdAt, cursor.id);
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
    const nextCursor = rows.length > limit && last ? encodePageCursor({ createdAt: last.created_at_exact, id: last.id }) : null;
    return { items: page.map((row) => toBillPayment(row)), nextCursor };
  }
}
