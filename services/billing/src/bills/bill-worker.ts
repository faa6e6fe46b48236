import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EVENT_TOPICS, PAYMENT_COMPLETED, PAYMENT_FAILED } from '@bvs/contracts';
import { enqueueEvent } from '@bvs/platform';
import { DataSource, EntityManager } from 'typeorm';
import { BillingEnv } from '../config/billing-env';
import { VendingProvider, VendOutcome } from '../provider/vending-provider';
import { BillRow } from './bill-row';

const CLAIM_BATCH = 20;
const BILLING_SERVICE_NAME = 'billing';

/**
 * Drives every PENDING bill to a definite outcome. A bill is claimed with a lease (so replicas and
 * restarts never work one bill twice at once), then one step runs: the first vend, or a requery
 * when a vend was already sent. Success completes the bill and failure fails it, each in one
 * transaction with its outbox event. Anything else (pending, timeout, dropped connection,
 * persistent 5xx) leaves it PENDING with a later requery: an unknown outcome is never a failure.
 * A crash loses nothing: the bill stays PENDING in the table and its lease runs out.
 */
@Injectable()
export class BillWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BillWorker.name);
  private pollTimer: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly provider: VendingProvider,
    private readonly env: BillingEnv,
  ) {}

  onApplicationBootstrap(): void {
    this.schedulePoll(0);
    this.reconcileTimer = setInterval(() => void this.reconcile(), this.env.RECONCILE_INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.pollTimer);
    clearInterval(this.reconcileTimer);
    await this.running;
  }

  /** Claims and works the bills that are due; returns how many it worked. Tests call it directly. */
  async runOnce(): Promise<number> {
    const claimed = await this.claimDue();
    await Promise.all(claimed.map((bill) => this.step(bill)));
    return claimed.length;
  }

  /**
   * The reconciler: bills pending longer than the window are reported (someone should know a vend
   * is stuck) and made due at once, so they are requeried even if their backoff says later.
   */
  async reconcile(): Promise<number> {
    try {
      const [rows]: [{ id: string; provider_code: string; created_at: Date }[], number] = await this.dataSource.query(
        `UPDATE bill_payments SET next_attempt_at = now(), updated_at = now()
          WHERE status = 'PENDING' AND created_at < now() - make_interval(secs => $1::double precision / 1000)
            AND next_attempt_at > now() AND (claimed_until IS NULL OR claimed_until < now())
          RETURNING id, provider_code, created_at`,
        [this.env.RECONCILE_AFTER_MS],
      );
      for (const row of rows) {
        this.logger.warn({ alert: 'BILL_PENDING_TOO_LONG', billId: row.id, providerCode: row.provider_code, since: row.created_at }, 'Bill still pending; requerying now');
      }
      return rows.length;
    } catch (error) {
      this.logger.error({ err: error }, 'Reconciliation pass failed');
      return 0;
    }
  }

  private schedulePoll(delayMs: number): void {
    if (this.stopping) return;
    this.pollTimer = setTimeout(() => {
      this.running = this.runOnce()
        .then((worked) => this.schedulePoll(worked > 0 ? 0 : this.env.WORKER_POLL_MS))
        .catch((error: unknown) => {
          this.logger.error({ err: error }, 'Bill worker pass failed');
          this.schedulePoll(this.env.WORKER_POLL_MS);
        });
    }, delayMs);
  }

  private async claimDue(): Promise<BillRow[]> {
    const [rows]: [BillRow[], number] = await this.dataSource.query(
      `UPDATE bill_payments SET claimed_until = now() + make_interval(secs => $1::double precision / 1000), attempts = attempts + 1, updated_at = now()
        WHERE id IN (SELECT id FROM bill_payments
                      WHERE status = 'PENDING' AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
                      ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [this.env.CLAIM_LEASE_MS, CLAIM_BATCH],
    );
    return rows;
  }

  private async step(bill: BillRow): Promise<void> {
    try {
      const outcome = await this.ask(bill);
      if (outcome.kind === 'SUCCEEDED') return await this.complete(bill, outcome);
      if (outcome.kind === 'FAILED') return await this.fail(bill, outcome);
      await this.later(bill, outcome.kind === 'UNKNOWN' ? outcome.cause : outcome.kind);
    } catch (error) {
      this.logger.error({ err: error, billId: bill.id }, 'Bill step failed; it stays pending');
      await this.later(bill, error instanceof Error ? error.message : String(error)).catch(() => undefined);
    }
  }

  /** Vend once; from then on requery, and vend again (same request id) only if the provider never got it. */
  private async ask(bill: BillRow): Promise<VendOutcome> {
    if (bill.vend_sent_at) {
      const answer = await this.provider.requery(bill.id);
      if (answer.kind !== 'NOT_RECEIVED') return answer;
    } else {
      await this.dataSource.query('UPDATE bill_payments SET vend_sent_at = now() WHERE id = $1', [bill.id]);
    }
    return this.provider.vend({ requestId: bill.id, providerCode: bill.provider_code, meterNumber: bill.meter_number, amount: BigInt(bill.amount) });
  }

  private async complete(bill: BillRow, outcome: Extract<VendOutcome, { kind: 'SUCCEEDED' }>): Promise<void> {
    await this.settle(
      bill,
      `UPDATE bill_payments SET status = 'COMPLETED', token = $2, units = $3, provider_reference = $4, completed_at = now(), updated_at = now(),
              claimed_until = NULL, last_error = NULL
        WHERE id = $1 AND status = 'PENDING' RETURNING id`,
      [outcome.token, outcome.units, outcome.providerReference],
      (manager) =>
        enqueueEvent(manager, EVENT_TOPICS.paymentCompleted, {
          metadata: this.metadata(PAYMENT_COMPLETED, bill),
          payload: { ...paymentFacts(bill), token: outcome.token, units: outcome.units, providerReference: outcome.providerReference },
        }),
    );
    this.logger.log({ billId: bill.id, providerReference: outcome.providerReference }, 'Bill completed');
  }

  private async fail(bill: BillRow, outcome: Extract<VendOutcome, { kind: 'FAILED' }>): Promise<void> {
    await this.settle(
      bill,
      `UPDATE bill_payments SET status = 'FAILED', failure_code = $2, failure_message = $3, provider_reference = COALESCE($4, provider_reference),
              completed_at = now(), updated_at = now(), claimed_until = NULL
        WHERE id = $1 AND status = 'PENDING' RETURNING id`,
      [outcome.reasonCode, outcome.reasonMessage, outcome.providerReference],
      (manager) =>
        enqueueEvent(manager, EVENT_TOPICS.paymentFailed, {
          metadata: this.metadata(PAYMENT_FAILED, bill),
          payload: { ...paymentFacts(bill), reasonCode: outcome.reasonCode, reasonMessage: outcome.reasonMessage },
        }),
    );
    this.logger.warn({ billId: bill.id, reasonCode: outcome.reasonCode }, 'Bill failed definitively; the wallet will reverse it');
  }

  /** The final status and its event commit together, and only for a bill still PENDING: a bill is settled once. */
  private async settle(bill: BillRow, update: string, values: readonly unknown[], publish: (manager: EntityManager) => Promise<void>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [updated]: [unknown[], number] = await manager.query(update, [bill.id, ...values]);
      if (updated.length > 0) await publish(manager);
    });
  }

  private async later(bill: BillRow, reason: string): Promise<void> {
    const delay = Math.min(this.env.REQUERY_MAX_MS, this.env.REQUERY_BASE_MS * 2 ** Math.min(bill.attempts - 1, 16));
    const jittered = Math.round(delay / 2 + Math.random() * (delay / 2));
    await this.dataSource.query(
      `UPDATE bill_payments SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000), claimed_until = NULL, last_error = $3, updated_at = now()
        WHERE id = $1 AND status = 'PENDING'`,
      [bill.id, jittered, reason.slice(0, 500)],
    );
    this.logger.log({ billId: bill.id, reason, retryInMs: jittered, attempts: bill.attempts }, 'Outcome not known yet; will requery');
  }

  private metadata<T extends string>(eventType: T, bill: BillRow) {
    return {
      eventId: randomUUID(),
      eventType,
      occurredAt: new Date().toISOString(),
      correlationId: bill.correlation_id,
      causationId: null,
      producer: BILLING_SERVICE_NAME,
    };
  }
}

/** What every outcome event says about the payment it settles. */
function paymentFacts(bill: BillRow) {
  return {
    paymentId: bill.id,
    transactionId: bill.transaction_id,
    walletId: bill.wallet_id,
    userId: bill.user_id,
    amountMinor: BigInt(bill.amount),
    currency: bill.currency,
  };
}
