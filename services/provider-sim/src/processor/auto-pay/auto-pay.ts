import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { ServiceError } from '@bvs/platform';
import { PayChargeService } from '../checkout/pay-charge.service';
import { SUCCESSFUL_CARD } from '../domain/sandbox-cards';
import { PROCESSOR_CONFIG, type ProcessorConfig } from '../processor-config';
import { ChargeWebhookSender } from '../webhook/charge-webhook-sender';

/**
 * "The sandbox card succeeds at once": when on, each new charge is paid with the sandbox card as
 * soon as its initialize answer is out, exactly as if a customer had paid at the checkout (same
 * service, same webhook), for flows nobody stands at a checkout for. Starts at PROCESSOR_AUTO_PAY;
 * `PUT /admin/processor` changes it and `POST /admin/reset` restores it, per process.
 *
 * The payments still running are bounded by the initializes that started them (one each, one
 * short database round trip), and are awaited at shutdown while the database is still there.
 */
@Injectable()
export class AutoPay implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AutoPay.name);
  private on: boolean;
  private readonly running = new Set<Promise<void>>();
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
    await Promise.all(this.running);
  }

  /** Never rejects. */
  private async pay(accessCode: string): Promise<void> {
    try {
      this.webhooks.announce(await this.payments.pay(accessCode, { cardNumber: SUCCESSFUL_CARD, amountMinor: null, currency: null }));
    } catch (error: unknown) {
      // A customer may have paid at the checkout in between: that is a refusal, not a fault.
      if (error instanceof ServiceError && error.status === 409) {
        this.logger.log({ code: error.code }, 'Automatic payment found the charge already ended');
      } else {
        this.logger.error({ err: error }, 'Automatic payment failed; the charge stays ongoing');
      }
    }
  }
}
