import { Injectable } from '@nestjs/common';
import { WALLET_ERROR_CODES, type PaymentInitiation, type TransactionPage, type WalletBalance, type WalletTransaction } from '@bvs/contracts';
import { decodePageCursor, encodePageCursor } from '@bvs/platform';
import { OpenWalletHandler } from '../commands/open-wallet/open-wallet.handler';
import { REFUSALS } from '../domain/wallet-refusal';
import { WalletHistoryRepository, type HistoryFilter } from '../persistence/wallet-history-repository';
import { toServiceError } from '../service-errors';
import { toBalanceView, toPaymentInitiation, toTransactionView } from '../wallet-views';

/** The most transactions one page holds, whatever the caller asks for. */
const MAX_PAGE = 100;

/** What a user asks of their transaction history. */
export interface TransactionListRequest extends HistoryFilter {
  readonly limit: number;
  readonly cursor?: string | null;
}

/** Reads for the owner only: every query is scoped by the caller's wallet, so another user's id is a 404. */
@Injectable()
export class WalletQueries {
  constructor(
    private readonly openWallet: OpenWalletHandler,
    private readonly history: WalletHistoryRepository,
  ) {}

  /** Opens the wallet on first use, so a new user sees an empty wallet rather than a 404. */
  async balance(userId: string): Promise<WalletBalance> {
    return toBalanceView(await this.openWallet.execute(userId));
  }

  async transaction(userId: string, transactionId: string): Promise<WalletTransaction> {
    const transaction = await this.history.transactionOf(userId, transactionId);
    if (!transaction) throw toServiceError(REFUSALS.transactionNotFound());
    return toTransactionView(transaction);
  }

  async payment(userId: string, paymentId: string): Promise<WalletTransaction> {
    const payment = await this.history.paymentOf(userId, paymentId);
    if (!payment) throw toServiceError(REFUSALS.paymentNotFound());
    return toTransactionView(payment);
  }

  /** The payment a client reference started, as its first answer said it; undefined if none did. */
  async paymentByReference(userId: string, reference: string): Promise<PaymentInitiation | undefined> {
    const payment = await this.history.paymentByReference(userId, reference);
    return payment ? toPaymentInitiation(payment, true) : undefined;
  }

  /** Newest first. The cursor is the (created_at, id) of the last row seen, so pages never skip or repeat rows. */
  async list(userId: string, request: TransactionListRequest): Promise<TransactionPage> {
    const limit = Math.min(Math.max(request.limit, 1), MAX_PAGE);
    const after = request.cursor ? decodePageCursor(request.cursor, WALLET_ERROR_CODES.invalidCursor) : null;
    // One row more than the page tells whether another page follows.
    const items = await this.history.newestFirst(userId, request, after, limit + 1);
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = items.length > limit && last ? encodePageCursor(last.position) : null;
    return { items: page.map((item) => toTransactionView(item.transaction)), nextCursor };
  }
}
