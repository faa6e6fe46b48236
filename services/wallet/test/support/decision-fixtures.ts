import type { LedgerTransaction } from '../../src/wallet/domain/ledger-transaction';
import type { Origin } from '../../src/wallet/domain/outbox-event';
import type { Wallet } from '../../src/wallet/domain/wallet';

/** Fixed inputs for the pure decisions: a decision given the same state, ids and time decides the same. */
export const NOW = new Date('2026-12-01T10:00:00.000Z');
export const REQUEST_ORIGIN: Origin = { correlationId: 'request-1', causationId: null };

export const WALLET_ID = '11111111-1111-4111-8111-111111111111';
export const USER_ID = '22222222-2222-4222-8222-222222222222';
export const PAYMENT_ID = '33333333-3333-4333-8333-333333333333';
export const TRANSACTION_ID = '44444444-4444-4444-8444-444444444444';
export const NEW_TRANSACTION_ID = '55555555-5555-4555-8555-555555555555';
export const NEW_EVENT_ID = '66666666-6666-4666-8666-666666666666';

export function aWallet(overrides: Partial<Wallet> = {}): Wallet {
  return { id: WALLET_ID, userId: USER_ID, currency: 'NGN', available: 10_000n, held: 0n, version: 3, ...overrides };
}

/** A PENDING payment of 4 000 held in the wallet above, unless told otherwise. */
export function aPayment(overrides: Partial<LedgerTransaction> = {}): LedgerTransaction {
  return {
    id: TRANSACTION_ID,
    walletId: WALLET_ID,
    userId: USER_ID,
    type: 'PAYMENT',
    status: 'PENDING',
    amount: 4_000n,
    currency: 'NGN',
    reference: 'pay-1',
    requestFingerprint: 'fingerprint-of-pay-1',
    paymentId: PAYMENT_ID,
    reversesTransactionId: null,
    availableAfter: 6_000n,
    failureReason: null,
    details: { meterNumber: '45700000001', providerCode: 'ikeja-electric-prepaid' },
    ...overrides,
  };
}
