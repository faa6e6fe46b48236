import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { chargeSuccessEvent } from '../charge-view';
import { SIGNATURE_HEADER, signWebhookBody } from '../domain/webhook-signature';
import { webhookRetryDelayMs } from '../domain/webhook-backoff';
import type { ChargeReading } from '../domain/charge';
import { MAX_WEBHOOK_BACKLOG, MAX_WEBHOOK_RETRY_DELAY_MS, PROCESSOR_CONFIG, type ProcessorConfig, WEBHOOK_ATTEMPT_TIMEOUT_MS } from '../processor-config';
import { abortablePause } from '../../http/abortable-pause';
import { RequestSlots } from './request-slots';

interface AttemptOutcome {
  readonly delivered: boolean;
  /** `HTTP 500`, `ECONNREFUSED`, `TimeoutError`: what the log says about the attempt. */
  readonly detail: string;
}

/**
 * Sends `charge.success` webhooks as Paystack does: a JSON POST signed with `x-paystack-signature`,
 * retried with exponential backoff until the receiver answers 2xx or the attempts run out.
 *
 * Bounds: PROCESSOR_WEBHOOKS_IN_FLIGHT requests outstanding at once; a delivery beyond that waits
 * for a free slot (pauses between retries hold none), and at most MAX_WEBHOOK_BACKLOG deliveries
 * are accepted and unfinished: past that a new one is dropped with an error log, not queued.
 *
 * Deliveries live in memory only: a restart or shutdown drops those still pending (logged). That
 * is deliberate: Paystack's webhooks are not guaranteed either, and a merchant must find a paid
 * charge through verify even when its webhook never comes.
 *
 * Nothing here is allowed to throw to the caller or reject unobserved: a failed webhook is logged,
 * never a crash. The secret key and the signature are never logged.
 */
@Injectable()
export class ChargeWebhookSender implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ChargeWebhookSender.name);
  private readonly slots: RequestSlots;
  /** Ends every pause and every request in progress when the service stops. */
  private readonly shutdown = new AbortController();
  /** Deliveries accepted and not yet finished, whatever stage they are at. */
  private backlog = 0;

  constructor(@Inject(PROCESSOR_CONFIG) private readonly config: ProcessorConfig) {
    this.slots = new RequestSlots(config.webhooksInFlight);
  }

  onApplicationBootstrap(): void {
    if (this.config.webhookUrl === null) {
      this.logger.warn('PROCESSOR_WEBHOOK_URL is not set: the payment processor sends no webhooks; merchants learn of payments only by verifying');
    } else {
      this.logger.log({ webhookUrl: loggableUrl(this.config.webhookUrl), attempts: this.config.webhookAttempts }, 'Payment processor webhooks enabled');
    }
  }

  /** Sends the webhook of a charge that succeeded, after this returns; a declined charge has none. */
  announce(reading: ChargeReading): void {
    const reference = reading.charge.reference;
    try {
      const url = this.config.webhookUrl;
      if (reading.charge.settlement?.status !== 'success' || url === null) return;
      if (this.shutdown.signal.aborted) {
        this.logger.warn({ reference }, 'Charge webhook not sent: the service is shutting down');
        return;
      }
      if (this.backlog >= MAX_WEBHOOK_BACKLOG) {
        this.logger.error({ reference, backlog: this.backlog }, 'Charge webhook dropped: too many webhooks are waiting to be delivered');
        return;
      }
      // Signed and sent as these exact bytes, so the receiver's HMAC over what it got matches.
      const body = Buffer.from(JSON.stringify(chargeSuccessEvent(reading)), 'utf8');
      const signature = signWebhookBody(body, this.config.secretKey);
      this.backlog += 1;
      void this.deliver(url, reference, body, signature).finally(() => {
        this.backlog -= 1;
      });
    } catch (error: unknown) {
      this.logger.error({ err: error, reference }, 'Charge webhook not sent');
    }
  }

  beforeApplicationShutdown(): void {
    this.shutdown.abort();
    if (this.backlog > 0) {
      this.logger.warn({ pending: this.backlog }, 'Charge webhooks still pending are dropped at shutdown; merchants find those charges by verifying');
    }
  }

  /** Never rejects. */
  private async deliver(url: string, reference: string, body: Buffer, signature: string): Promise<void> {
    try {
      for (let attempt = 1; ; attempt += 1) {
        const outcome = await this.slots.run(() => this.post(url, body, signature));
        if (outcome.delivered) {
          this.logger.log({ reference, attempt, answer: outcome.detail }, 'Charge webhook delivered');
          return;
        }
        if (this.shutdown.signal.aborted) return;
        if (attempt >= this.config.webhookAttempts) {
          this.logger.error({ reference, attempts: attempt, lastAnswer: outcome.detail }, 'Charge webhook given up after its last attempt');
          return;
        }
        const delayMs = webhookRetryDelayMs(attempt, this.config.webhookFirstRetryMs, MAX_WEBHOOK_RETRY_DELAY_MS);
        this.logger.warn({ reference, attempt, answer: outcome.detail, retryInMs: delayMs }, 'Charge webhook attempt failed');
        await abortablePause(delayMs, this.shutdown.signal);
      }
    } catch (error: unknown) {
      this.logger.error({ err: error, reference }, 'Charge webhook delivery failed unexpectedly');
    }
  }

  private async post(url: string, body: Buffer, signature: string): Promise<AttemptOutcome> {
    if (this.shutdown.signal.aborted) return { delivered: false, detail: 'shutdown' };
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
        body,
        // A redirect is not a delivery: following it would send the signed payment elsewhere.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(WEBHOOK_ATTEMPT_TIMEOUT_MS), this.shutdown.signal]),
      });
      // The answer's body means nothing here; cancelling it frees the connection at once.
      await response.body?.cancel().catch(() => undefined);
      return { delivered: response.ok, detail: `HTTP ${response.status}` };
    } catch (error: unknown) {
      return { delivered: false, detail: describeFailure(error) };
    }
  }
}

/** fetch fails with `TypeError: fetch failed` and the real reason (ECONNREFUSED...) in `cause`. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return error.name === 'Error' || error.name === 'TypeError' ? error.message : error.name;
}

/** Origin and path only: a query string or user-info could hold a token of the receiver's. */
function loggableUrl(raw: string): string {
  const url = new URL(raw);
  return `${url.origin}${url.pathname}`;
}
