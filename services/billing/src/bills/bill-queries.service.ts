import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BILLING_ERROR_CODES, BillPage, BillPayment, ListBillsRequest } from '@bvs/contracts';
import { ServiceError } from '@bvs/platform';
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
      const [createdAt, id] = decodeCursor(request.cursor);
      parameters.push(createdAt, id);
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
    const nextCursor = rows.length > limit && last ? Buffer.from(JSON.stringify([last.created_at_exact, last.id])).toString('base64url') : null;
    return { items: page.map((row) => toBillPayment(row)), nextCursor };
  }
}

function decodeCursor(text: string): [string, string] {
  const invalid = () => new ServiceError(BILLING_ERROR_CODES.invalidCursor, 400, 'The cursor is not one this API returned.', { field: 'cursor' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)) || typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw invalid();
  return [createdAt, id];
}
