import type { MinorUnits, WalletBalance, WalletTransaction } from '@bvs/contracts';
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

export function toBalanceDto(balance: WalletBalance): BalanceDto {
  return { ...balance, available: toApiAmount(balance.available), held: toApiAmount(balance.held), total: toApiAmount(balance.total) };
}

export function toTransactionDto(transaction: WalletTransaction): TransactionDto {
  return {
    ...transaction,
    details: { ...transaction.details },
    amount: toApiAmount(transaction.amount),
    availableAfter: toApiAmount(transaction.availableAfter),
  };
}
