import type { PaymentInitiation, WalletBalance, WalletTransaction } from '@bvs/contracts';
import type { StoredTransaction, StoredWallet } from './persistence/rows';

// What callers see. Amounts leave as decimal strings of minor units: exact in JSON and in every language.

export function toBalanceView(wallet: StoredWallet): WalletBalance {
  return {
    walletId: wallet.id,
    currency: wallet.currency,
    available: wallet.available.toString(),
    held: wallet.held.toString(),
    total: (wallet.available + wallet.held).toString(),
    updatedAt: wallet.updatedAt.toISOString(),
  };
}

export function toTransactionView(transaction: StoredTransaction): WalletTransaction {
  return {
    id: transaction.id,
    walletId: transaction.walletId,
    type: transaction.type,
    status: transaction.status,
    amount: transaction.amount.toString(),
    currency: transaction.currency,
    reference: transaction.reference,
    paymentId: transaction.paymentId,
    reversesTransactionId: transaction.reversesTransactionId,
    availableAfter: transaction.availableAfter.toString(),
    failureReason: transaction.failureReason,
    details: transaction.details,
    createdAt: transaction.createdAt.toISOString(),
    updatedAt: transaction.updatedAt.toISOString(),
  };
}

/** A PAYMENT as the answer to the pay request that started it, or to a replay of that request. */
export function toPaymentInitiation(payment: StoredTransaction, replayed: boolean): PaymentInitiation {
  return {
    paymentId: payment.paymentId ?? '',
    transactionId: payment.id,
    walletId: payment.walletId,
    status: payment.status,
    amount: payment.amount.toString(),
    currency: payment.currency,
    reference: payment.reference ?? '',
    meterNumber: payment.details['meterNumber'] ?? '',
    providerCode: payment.details['providerCode'] ?? '',
    createdAt: payment.createdAt.toISOString(),
    replayed,
  };
}
