import { Logger } from '@nestjs/common';
import { ServiceError } from '@bvs/platform';
import { paymentsAdmissible } from '../../domain/decide-payment-admission';

/** Lets a new payment start, or refuses it with a retryable 503 (an abstract class: Nest's token for it). */
export abstract class PaymentAdmission {
  abstract admit(): Promise<void>;
}

/** For the tools that run the use cases by hand (the ledger benchmark, harnesses): no provider stands behind them. */
export class AdmitEveryPayment extends PaymentAdmission {
  admit(): Promise<void> {
    return Promise.resolve();
  }
}

export interface PendingPaymentsLimits {
  /** Payments held and not yet settled, all replicas together, before new ones wait. */
  readonly maxPending: number;
  /** Longest one payment waits for room; 0 refuses at once. */
  readonly maxWaitMs: number;
  /** Payments allowed to wait at once; past it the next is refused at once. */
  readonly maxWaiting: number;
  /** How often the count is read while payments arrive or wait. */
  readonly readEveryMs: number;
}

interface WaitingPayment {
  readonly admit: () => void;
  readonly timer: NodeJS.Timeout;
}

/** The refusal of a payment that found no room in time: nothing was written, the same request may be sent again. */
export function pipelineFullError(): ServiceError {
  return new ServiceError(
    'SERVICE.UNAVAILABLE',
    503,
    'Payments waiting for the electricity provider are at their limit; send the same request again shortly.',
  );
}

/**
 * Bounds the payments held and not yet settled, so that a provider slower than the arrivals makes
 * payers wait for room before their money is held, instead of holding it and queueing the vend
 * behind thousands of others (a purchase's wait for its token would then grow without bound, as
 * docs/benchmarks.md shows for the 0.5-2 s provider).
 *
 * The count comes from the book (`readPending`, through the partial index of pending payments), read
 * at most every `readEveryMs` while payments arrive, and at that pace while any wait. Between reads
 * the replica adds what it admitted, so its estimate errs high; other replicas' admissions show at
 * the next read, so all of them together may overshoot the bound by what they admit in one period.
 *
 * Payments wait in arrival order, a new one never overtakes one waiting, and a payment that finds
 * no room within `maxWaitMs` (or no place among `maxWaiting`) is refused with a 503. A count that
 * cannot be read keeps the last estimate: if the database is away, the write would fail anyway.
 */
export class PendingPaymentsBound extends PaymentAdmission {
  private readonly logger = new Logger(PendingPaymentsBound.name);
  private pendingAtRead = 0;
  private admittedTotal = 0;
  private admittedAtRead = 0;
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly waiting: WaitingPayment[] = [];

  constructor(
    private readonly readPending: () => Promise<number>,
    private readonly limits: PendingPaymentsLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    super();
  }

  /** Payments waiting for room now. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  async admit(): Promise<void> {
    // Until a first read lands there is no estimate at all; afterwards a stale one still decides while the next is read.
    if (this.readAt === Number.NEGATIVE_INFINITY) await this.read();
    else if (this.now() - this.readAt >= this.limits.readEveryMs) void this.read();
    if (this.waiting.length === 0 && this.room() > 0) {
      this.admittedTotal += 1;
      return;
    }
    if (this.limits.maxWaitMs === 0 || this.waiting.length >= this.limits.maxWaiting) throw pipelineFullError();
    return new Promise((resolve, reject) => {
      const waiting: WaitingPayment = {
        admit: resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiting), 1);
          reject(pipelineFullError());
        }, this.limits.maxWaitMs),
      };
      this.waiting.push(waiting);
      this.pollWhileWaiting();
    });
  }

  private room(): number {
    return paymentsAdmissible({ pendingAtRead: this.pendingAtRead, admittedSinceRead: this.admittedTotal - this.admittedAtRead }, this.limits.maxPending);
  }

  /** One read at a time; callers that find one running share it. */
  private read(): Promise<void> {
    this.reading ??= this.readOnce().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    const admittedBefore = this.admittedTotal;
    try {
      this.pendingAtRead = await this.readPending();
      this.admittedAtRead = admittedBefore;
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not read the pending payments; keeping the last estimate');
      return;
    } finally {
      // A failed read counts too: while the database is away, one try per period, not one per payment.
      this.readAt = this.now();
    }
    this.admitWaiting();
  }

  private admitWaiting(): void {
    for (let room = this.room(); room > 0 && this.waiting.length > 0; room -= 1) {
      const next = this.waiting.shift() as WaitingPayment;
      clearTimeout(next.timer);
      this.admittedTotal += 1;
      next.admit();
    }
  }

  private pollWhileWaiting(): void {
    if (this.pollTimer !== undefined) return;
    this.pollTimer = setTimeout(() => {
      void this.read().finally(() => {
        this.pollTimer = undefined;
        if (this.waiting.length > 0) this.pollWhileWaiting();
      });
    }, this.limits.readEveryMs);
    // Each waiting payment's own timer keeps the process alive as long as it needs to.
    this.pollTimer.unref();
  }
}
