import { MinorUnits, TRANSACTION_STATUSES, TRANSACTION_TYPES, WalletBalance, WalletTransaction } from '@bvs/contracts';
import type { BalanceDto, TransactionDto } from './dto/wallet.dto';

/**
 * Services speak decimal strings of minor units; the public API speaks JSON integers. Every amount
 * entered through this API is capped far below 2^53, so the conversion is exact; a value that
 * would not be is an internal fault, never silently rounded.
 */
export function toApiAmount(value: MinorUnits): number {
  const amount = Number(value);
  if (!Number.isSafeInteger(amount) || String(amount) !== value) throw new Error(`amount ${value} cannot be represented exactly in JSON`);
  return amount;
}

/**
 * A string field of the gRPC contract that must hold one of the listed values: a service that
 * answers anything else is at fault, and the caller gets a 500 rather than an undocumented value.
 */
export function oneOf<T extends string>(allowed: readonly T[], value: string, field: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${field} "${value}" is none of ${allowed.join(', ')}`);
  return value as T;
}

export function toBalanceDto(balance: WalletBalance): BalanceDto {
  return { ...balance, available: toApiAmount(balance.available), held: toApiAmount(balance.held), total: toApiAmount(balance.total) };
}

export function toTransactionDto(transaction: WalletTransaction): TransactionDto {
  return {
    id: transaction.id,
    walletId: transaction.walletId,
    type: oneOf(TRANSACTION_TYPES, transaction.type, 'type'),
    status: oneOf(TRANSACTION_STATUSES, transaction.status, 'status'),
    amount: toApiAmount(transaction.amount),
    currency: transaction.currency,
    reference: transaction.reference ?? null,
    paymentId: transaction.paymentId ?? null,
    reversesTransactionId: transaction.reversesTransactionId ?? null,
    availableAfter: toApiAmount(transaction.availableAfter),
    failureReason: transaction.failureReason ?? null,
    details: { ...transaction.details },
    createdAt: transaction.createdAt,
    updatedAt: transaction.updatedAt,
  };
}
