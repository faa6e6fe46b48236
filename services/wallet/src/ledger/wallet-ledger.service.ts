import { createHash, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  EVENT_TOPICS,
  PAYMENT_REQUESTED,
  PAYMENT_REVERSED,
  PaymentCompletedEvent,
  PaymentFailedEvent,
  PaymentInitiation,
  TransactionType,
  WALLET_ERROR_CODES,
  WALLET_FUNDED,
  WalletOperationResult,
} from '@bvs/contracts';
import { enqueueEvent, ServiceError, UnprocessableEventError } from '@bvs/platform';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { WalletEnv } from '../config/wallet-env';
import { toTransaction, toWalletState, TransactionRow, WalletRow, WalletState } from '../persistence/rows';
import { changeBalance, MOVEMENTS, recordEntry } from './balance-change';

const UNIQUE_VIOLATION = '23505';
const WALLET_SERVICE_NAME = 'wallet';
const TRANSACTION_COLUMNS = `id, wallet_id, user_id, type, status, amount, currency, reference, request_fingerprint, payment_id,
  reverses_transaction_id, available_after, failure_reason, details, created_at, updated_at`;

/** Why and where a change was asked for: carried into the events it causes. */
export interface Origin {
  readonly correlationId: string;
  readonly causationId: string | null;
}

export interface FundCommand {
  readonly userId: string;
  readonly amount: bigint;
  readonly reference: string;
}

export interface PaymentCommand {
  readonly userId: string;
  readonly amount: bigint;
  readonly reference: string;
  readonly meterNumber: string;
  readonly providerCode: string;
}

/**
 * Every change to a balance. Each method is one database transaction holding the idempotency
 * claim, the optimistic balance update, the transaction row, its ledger entry and the outbox event:
 * all of it commits, or none of it does.
 */
@Injectable()
export class WalletLedger {
  private readonly logger = new Logger(WalletLedger.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly env: WalletEnv,
  ) {}

  /** The user's wallet, created on first use if `user-registered` has not arrived yet. */
  async walletOf(userId: string, manager: EntityManager = this.dataSource.manager): Promise<WalletState> {
    await manager.query('INSERT INTO wallets (id, user_id, currency) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING', [
      randomUUID(),
      userId,
      this.env.WALLET_CURRENCY,
    ]);
    const rows: WalletRow[] = await manager.query('SELECT id, user_id, currency, available, held, version, updated_at FROM wallets WHERE user_id = $1', [userId]);
    const row = rows[0];
    if (!row) throw new Error(`wallet of ${userId} vanished right after it was ensured`);
    return toWalletState(row);
  }

  async fund(command: FundCommand, origin: Origin): Promise<WalletOperationResult> {
    const fingerprint = fingerprintOf({ operation: 'FUND', amount: command.amount.toString() });
    const wallet = await this.walletOf(command.userId);
    return this.idempotently(wallet.id, command.reference, fingerprint, 'FUNDING', async (manager) => {
      const movement = MOVEMENTS.credit(command.amount);
      const { after } = await changeBalance(manager, wallet.id, movement, this.env.BALANCE_UPDATE_ATTEMPTS);
      const row = await insertTransaction(manager, {
        walletId: wallet.id,
        userId: command.userId,
        type: 'FUNDING',
        status: 'COMPLETED',
        amount: command.amount,
        currency: wallet.currency,
        reference: command.reference,
        fingerprint,
        paymentId: null,
        reversesTransactionId: null,
        availableAfter: after.available,
        details: {},
      });
      await recordEntry(manager, row.id, movement, after);
      await enqueueEvent(manager, EVENT_TOPICS.walletFunded, {
        metadata: this.metadata(WALLET_FUNDED, origin),
        payload: {
          walletId: wallet.id,
          userId: command.userId,
          transactionId: row.id,
          amountMinor: command.amount,
          currency: wallet.currency,
          reference: command.reference,
          availableAfterMinor: after.available,
        },
      });
      return row;
    });
  }

  async initiatePayment(command: PaymentCommand, origin: Origin): Promise<PaymentInitiation> {
    const fingerprint = fingerprintOf({
      operation: 'PAY',
      amount: command.amount.toString(),
      meterNumber: command.meterNumber,
      providerCode: command.providerCode,
    });
    const wallet = await this.walletOf(command.userId);
    const result = await this.idempotently(wallet.id, command.reference, fingerprint, 'PAYMENT', async (manager) => {
      const movement = MOVEMENTS.hold(command.amount);
      const { after } = await changeBalance(manager, wallet.id, movement, this.env.BALANCE_UPDATE_ATTEMPTS);
      const paymentId = randomUUID();
      const row = await insertTransaction(manager, {
        walletId: wallet.id,
        userId: command.userId,
        type: 'PAYMENT',
        status: 'PENDING',
        amount: command.amount,
        currency: wallet.currency,
        reference: command.reference,
        fingerprint,
        paymentId,
        reversesTransactionId: null,
        availableAfter: after.available,
        details: { meterNumber: command.meterNumber, providerCode: command.providerCode },
      });
      await recordEntry(manager, row.id, movement, after);
      await enqueueEvent(manager, EVENT_TOPICS.paymentRequested, {
        metadata: this.metadata(PAYMENT_REQUESTED, origin),
        payload: {
          paymentId,
          transactionId: row.id,
          walletId: wallet.id,
          userId: command.userId,
          amountMinor: command.amount,
          currency: wallet.currency,
          meterNumber: command.meterNumber,
          providerCode: command.providerCode,
          clientReference: command.reference,
        },
      });
      return row;
    });
    const { transaction, replayed } = result;
    return {
      paymentId: transaction.paymentId ?? '',
      transactionId: transaction.id,
      walletId: transaction.walletId,
      status: transaction.status,
      amount: transaction.amount,
      currency: transaction.currency,
      reference: command.reference,
      meterNumber: transaction.details['meterNumber'] ?? command.meterNumber,
      providerCode: transaction.details['providerCode'] ?? command.providerCode,
      createdAt: transaction.createdAt,
      replayed,
    };
  }

  /** Billing delivered: the hold is posted (the money leaves) and the payment is COMPLETED. */
  async completePayment(manager: EntityManager, event: PaymentCompletedEvent): Promise<void> {
    const payment = await this.lockPayment(manager, event.payload);
    if (payment.status === 'COMPLETED') return;
    if (payment.status !== 'PENDING') {
      // The money was already returned; the provider says it vended after all. A person must settle it.
      this.logger.error(
        { alert: 'PAYMENT_COMPLETED_AFTER_REVERSAL', paymentId: payment.payment_id, transactionId: payment.id, eventId: event.metadata.eventId },
        'Completion arrived for a payment that was already reversed; left as is for reconciliation',
      );
      return;
    }
    const movement = MOVEMENTS.post(BigInt(payment.amount));
    const { after } = await changeBalance(manager, payment.wallet_id, movement, this.env.BALANCE_UPDATE_ATTEMPTS);
    await manager.query(
      `UPDATE wallet_transactions SET status = 'COMPLETED', details = details || $2::jsonb, updated_at = now() WHERE id = $1`,
      [payment.id, JSON.stringify({ token: event.payload.token, units: event.payload.units, providerReference: event.payload.providerReference })],
    );
    await recordEntry(manager, payment.id, movement, after);
  }

  /**
   * Billing gave up for good: the payment becomes FAILED, a REVERSAL of the same amount returns
   * the held funds, and the payment ends REVERSED. A COMPLETED payment is never reversed, and a
   * second failure (or a redelivery) finds the payment REVERSED and does nothing.
   */
  async failAndReversePayment(manager: EntityManager, event: PaymentFailedEvent): Promise<void> {
    const payment = await this.lockPayment(manager, event.payload);
    if (payment.status === 'REVERSED' || payment.status === 'FAILED') return;
    if (payment.status === 'COMPLETED') {
      this.logger.error(
        { alert: 'PAYMENT_FAILED_AFTER_COMPLETION', paymentId: payment.payment_id, transactionId: payment.id, eventId: event.metadata.eventId },
        'Failure arrived for a completed payment; not reversed',
      );
      return;
    }
    const reason = `${event.payload.reasonCode}: ${event.payload.reasonMessage}`;
    await manager.query(`UPDATE wallet_transactions SET status = 'FAILED', failure_reason = $2, updated_at = now() WHERE id = $1`, [payment.id, reason]);
    const amount = BigInt(payment.amount);
    const movement = MOVEMENTS.release(amount);
    const { after } = await changeBalance(manager, payment.wallet_id, movement, this.env.BALANCE_UPDATE_ATTEMPTS);
    const reversal = await insertTransaction(manager, {
      walletId: payment.wallet_id,
      userId: payment.user_id,
      type: 'REVERSAL',
      status: 'COMPLETED',
      amount,
      currency: payment.currency,
      reference: null,
      fingerprint: null,
      paymentId: payment.payment_id,
      reversesTransactionId: payment.id,
      availableAfter: after.available,
      details: { reasonCode: event.payload.reasonCode },
    });
    await recordEntry(manager, reversal.id, movement, after);
    await manager.query(`UPDATE wallet_transactions SET status = 'REVERSED', updated_at = now() WHERE id = $1`, [payment.id]);
    await enqueueEvent(manager, EVENT_TOPICS.paymentReversed, {
      metadata: this.metadata(PAYMENT_REVERSED, { correlationId: event.metadata.correlationId, causationId: event.metadata.eventId }),
      payload: {
        paymentId: payment.payment_id ?? event.payload.paymentId,
        originalTransactionId: payment.id,
        reversalTransactionId: reversal.id,
        walletId: payment.wallet_id,
        userId: payment.user_id,
        amountMinor: amount,
        currency: payment.currency,
      },
    });
  }

  /**
   * Locks the PAYMENT row so a completion and a failure of one payment never interleave, and
   * checks the event describes this very payment: a mismatch is a producer bug, refused loudly.
   */
  private async lockPayment(
    manager: EntityManager,
    facts: { transactionId: string; paymentId: string; walletId: string; amountMinor: bigint },
  ): Promise<TransactionRow> {
    const rows: TransactionRow[] = await manager.query(
      `SELECT ${TRANSACTION_COLUMNS} FROM wallet_transactions WHERE id = $1 AND type = 'PAYMENT' FOR UPDATE`,
      [facts.transactionId],
    );
    const payment = rows[0];
    if (!payment) throw new UnprocessableEventError(`no PAYMENT transaction ${facts.transactionId}`);
    if (payment.payment_id !== facts.paymentId || payment.wallet_id !== facts.walletId || BigInt(payment.amount) !== facts.amountMinor) {
      throw new UnprocessableEventError(`event for payment ${facts.paymentId} does not match transaction ${facts.transactionId}`);
    }
    return payment;
  }

  /**
   * Runs `work` unless the reference was used before on this wallet. The unique key on (wallet,
   * reference) decides races: of concurrent duplicates one commits, the others hit the key, roll
   * back and answer with the winner's transaction, or 409 when their body differs.
   */
  private async idempotently(
    walletId: string,
    reference: string,
    fingerprint: string,
    type: TransactionType,
    work: (manager: EntityManager) => Promise<TransactionRow>,
  ): Promise<WalletOperationResult> {
    const earlier = await this.findByReference(walletId, reference);
    if (earlier) return replay(earlier, fingerprint, type);
    try {
      const row = await this.dataSource.transaction('READ COMMITTED', work);
      return { transaction: toTransaction(row), replayed: false };
    } catch (error) {
      if (!isUniqueViolation(error, 'wallet_transactions_reference_unique')) throw error;
      const winner = await this.findByReference(walletId, reference);
      if (!winner) throw error;
      return replay(winner, fingerprint, type);
    }
  }

  private async findByReference(walletId: string, reference: string): Promise<TransactionRow | undefined> {
    const rows: TransactionRow[] = await this.dataSource.query(`SELECT ${TRANSACTION_COLUMNS} FROM wallet_transactions WHERE wallet_id = $1 AND reference = $2`, [
      walletId,
      reference,
    ]);
    return rows[0];
  }

  private metadata<T extends string>(eventType: T, origin: Origin) {
    return {
      eventId: randomUUID(),
      eventType,
      occurredAt: new Date().toISOString(),
      correlationId: origin.correlationId,
      causationId: origin.causationId,
      producer: WALLET_SERVICE_NAME,
    };
  }
}

function replay(row: TransactionRow, fingerprint: string, type: TransactionType): WalletOperationResult {
  if (row.request_fingerprint !== fingerprint || row.type !== type) {
    throw new ServiceError(WALLET_ERROR_CODES.idempotencyConflict, 409, 'This reference was already used for a different request.', {
      transactionId: row.id,
    });
  }
  return { transaction: toTransaction(row), replayed: true };
}

function fingerprintOf(request: Readonly<Record<string, string>>): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === UNIQUE_VIOLATION && driverError.constraint === constraint;
}

interface NewTransaction {
  readonly walletId: string;
  readonly userId: string;
  readonly type: TransactionType;
  readonly status: 'PENDING' | 'COMPLETED';
  readonly amount: bigint;
  readonly currency: string;
  readonly reference: string | null;
  readonly fingerprint: string | null;
  readonly paymentId: string | null;
  readonly reversesTransactionId: string | null;
  readonly availableAfter: bigint;
  readonly details: Readonly<Record<string, string>>;
}

async function insertTransaction(manager: EntityManager, transaction: NewTransaction): Promise<TransactionRow> {
  const rows: TransactionRow[] = await manager.query(
    `INSERT INTO wallet_transactions (id, wallet_id, user_id, type, status, amount, currency, reference, request_fingerprint, payment_id,
       reverses_transaction_id, available_after, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     RETURNING ${TRANSACTION_COLUMNS}`,
    [
      randomUUID(),
      transaction.walletId,
      transaction.userId,
      transaction.type,
      transaction.status,
      transaction.amount.toString(),
      transaction.currency,
      transaction.reference,
      transaction.fingerprint,
      transaction.paymentId,
      transaction.reversesTransactionId,
      transaction.availableAfter.toString(),
      JSON.stringify(transaction.details),
    ],
  );
  const row = rows[0];
  if (!row) throw new Error('INSERT ... RETURNING gave no row');
  return row;
}
