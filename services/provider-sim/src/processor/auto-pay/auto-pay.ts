import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { ServiceError, Wakeup } from '@bvs/platform';
import { PayChargeService } from '../checkout/pay-charge.service';
import { SUCCESSFUL_CARD } from '../domain/sandbox-cards';
import { webhookRetryDelayMs } from '../domain/webhook-backoff';
import { PROCESSOR_CONFIG, type ProcessorConfig } from '../processor-config';
import { ChargeWebhookSender } from '../webhook/charge-webhook-sender';

/** Tries of one automatic payment at most, and the pauses between them (see AutoPay). */
export const AUTO_PAY_ATTEMPTS = 8;
const AUTO_PAY_FIRST_RETRY_MS = 250;
const AUTO_PAY_MAX_RETRY_MS = 4_000;

/**
 * "The sandbox card succeeds at once": when on, each new charge is paid with the sandbox card as
 * soon as its initialize answer is out, exactly as if a customer had paid at the checkout (same
 * service, same webhook), for flows nobody stands at a checkout for. Starts at PROCESSOR_AUTO_PAY;
 * `PUT /admin/processor` changes it and `POST /admin/reset` restores it, per process.
 *
 * A payment that fails on the processor's own side (its database restarting, say) is tried
 * again, as a customer at the checkout would pay again: at most AUTO_PAY_ATTEMPTS times, the
 * pauses doubling from AUTO_PAY_FIRST_RETRY_MS to at most AUTO_PAY_MAX_RETRY_MS (about 16 s in
 * all, past the outages the chaos suite makes). A refusal (the charge ended, expired or unknown)
 * is final. Without the retries, a charge created as the database went away stayed unpaid, and its
 * funding pending until the charge expired.
 *
 * The payments still running are bounded by the initializes that started them (one each), and
 * are awaited at shutdown while the database is still there; shutdown cuts their pauses short.
 */
@Injectable()
export class AutoPay implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AutoPay.name);
  private on: boolean;
  private readonly running = new Set<Promise<void>>();
  /** The pauses between tries; shutdown wakes it so that no payment waits out its pause. */
  private readonly pauses = new Wakeup();
  private stopping = false;

  constructor(
    @Inject(PROCESSOR_CONFIG) private readonly config: ProcessorConfig,
    private readonly payments: PayChargeService,
    private readonly webhooks: ChargeWebhookSender,
  ) {
    this.on = config.autoPayByDefault;
  }

  enabled(): boolean {
    return this.on;
  }

  set(on: boolean): boolean {
    this.on = on;
    return this.on;
  }

  reset(): boolean {
    this.on = this.config.autoPayByDefault;
    return this.on;
  }

  /** Pays the charge with the sandbox card in the background; failures are logged, never thrown. */
  payLater(accessCode: string): void {
    if (this.stopping) {
      this.logger.warn('Automatic payment skipped: the service is shutting down; the charge stays ongoing');
      return;
    }
    const payment = this.pay(accessCode).finally(() => this.running.delete(payment));
    this.running.add(payment);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.pauses.wake();
    await Promise.all(this.running);
  }

  /** Never rejects. */
  private async pay(accessCode: string): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.webhooks.announce(await this.payments.pay(accessCode, { cardNumber: SUCCESSFUL_CARD, amountMinor: null, currency: null }));
        return;
      } catch (error: unknown) {
        // A customer may have paid at the checkout in between: that is a refusal, not a fault.
        if (error instanceof ServiceError && error.status === 409) {
          this.logger.log({ code: error.code }, 'Automatic payment found the charge already ended');
          return;
        }
        const refused = error instanceof ServiceError && error.status < 500;
        if (refused || attempt >= AUTO_PAY_ATTEMPTS || this.stopping) {
          this.logger.error({ err: error, attempts: attempt }, 'Automatic payment failed; the charge stays ongoing');
          return;
        }
        this.logger.warn({ err: error, attempt }, 'Automatic payment failed; paying again shortly');
        await this.pauses.wait(webhookRetryDelayMs(attempt, AUTO_PAY_FIRST_RETRY_MS, AUTO_PAY_MAX_RETRY_MS));
      }
    }
  }
}
