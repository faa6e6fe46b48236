import { Injectable } from '@nestjs/common';
import { BILLING_ERROR_CODES, BillPage, BillPayment, BillStatus, ListBillsRequest } from '@bvs/contracts';
import { decodePageCursor, encodePageCursor, ServiceError } from '@bvs/platform';
import { BillHistoryRepository } from './persistence/bill-history.repository';

const MAX_PAGE = 100;

/** The user's own bills only: another user's id answers exactly like an unknown one. */
@Injectable()
export class BillQueries {
  constructor(private readonly history: BillHistoryRepository) {}

  async bill(userId: string, billId: string): Promise<BillPayment> {
    const bill = await this.history.findOwned(userId, billId);
    if (!bill) throw new ServiceError(BILLING_ERROR_CODES.billNotFound, 404, 'No such bill payment.');
    return bill;
  }

  /** `request` has been shape-checked by the caller: its status, if any, is a BillStatus. */
  async list(userId: string, request: ListBillsRequest): Promise<BillPage> {
    const limit = Math.min(Math.max(request.limit, 1), MAX_PAGE);
    const after = request.cursor ? decodePageCursor(request.cursor, BILLING_ERROR_CODES.invalidCursor) : null;
    const filter = {
      userId,
      ...(request.status ? { status: request.status as BillStatus } : {}),
      ...(request.providerCode ? { providerCode: request.providerCode } : {}),
      ...(request.from ? { from: request.from } : {}),
      ...(request.to ? { to: request.to } : {}),
    };
    const page = await this.history.page(filter, limit, after);
    return { items: page.items, nextCursor: page.next ? encodePageCursor(page.next) : null };
  }
}
