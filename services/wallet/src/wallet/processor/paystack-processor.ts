import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { MetricsRegistry, readBoundedText } from '@bvs/platform';
import { Histogram } from 'prom-client';
import { Agent, fetch } from 'undici';
import { isSignedBy, type ChargeStatus, type ChargeVerification, type VerifiedCharge } from '../domain/processor-charge';
import { ChargeOrder, InitializedCharge, PaymentProcessor, ProcessorUnavailableError } from './payment-processor';

/** Largest answer read from the processor; its answers to these two calls are a few kilobytes at most. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** Paystack's transaction statuses, as the wallet acts on them. Anything not listed is still in flight. */
const STATUS_BY_NAME: Readonly<Record<string, ChargeStatus>> = {
  success: 'SUCCESS',
  failed: 'FAILED',
  abandoned: 'ABANDONED',
  // The money went back to the customer: for the wallet that is a charge that did not pay.
  reversed: 'FAILED',
};

export interface PaystackSettings {
  readonly baseUrl: string;
  readonly secretKey: string;
  readonly timeoutMs: number;
  readonly maxConnections: number;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * The processor through Paystack's transaction API (POST /transaction/initialize, GET
 * /transaction/verify/:reference), which the simulator's /processor routes copy. Calls share a
 * bounded pool of keep-alive connections; each has a timeout, follows no redirect, and reads at
 * most MAX_ANSWER_BYTES. An answer not in the documented shape is ProcessorUnavailableError, never
 * a guess. The secret key is the API's bearer credential and the webhooks' HMAC key; it is never logged.
 */
export class PaystackProcessor extends PaymentProcessor implements OnApplicationShutdown {
  private readonly logger = new Logger(PaystackProcessor.name);
  private readonly connections: Agent;
  private readonly duration: Histogram;

  constructor(
    private readonly settings: PaystackSettings,
    metrics: MetricsRegistry,
  ) {
    super();
    this.connections = new Agent({ connections: settings.maxConnections });
    this.duration = new Histogram({
      name: 'bvs_payment_processor_request_duration_seconds',
      help: 'Calls to the payment processor by operation and outcome',
      labelNames: ['operation', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics],
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connections.close();
  }

  async initialize(order: ChargeOrder): Promise<InitializedCharge> {
    // Paystack takes the amount in the currency's subunit, as a JSON integer: one JSON cannot carry exactly is refused, never rounded.
    if (order.amount > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProcessorUnavailableError('amount too large for the processor API');
    const answer = await this.call('initialize', 'POST', '/transaction/initialize', {
      email: order.customerEmail,
      amount: Number(order.amount),
      currency: order.currency,
      reference: order.processorReference,
      ...(order.callbackUrl ? { callback_url: order.callbackUrl } : {}),
    });
    const data = answer.status === 200 ? dataOf(answer.body) : undefined;
    const checkoutUrl = data?.['authorization_url'];
    if (typeof checkoutUrl !== 'string' || !/^https?:\/\//.test(checkoutUrl) || data?.['reference'] !== order.processorReference) {
      this.logger.error({ status: answer.status, message: messageOf(answer.body) }, 'The processor did not initialize the charge');
      throw new ProcessorUnavailableError(`initialize answered ${answer.status}`);
    }
    return { checkoutUrl };
  }

  async verify(processorReference: string): Promise<ChargeVerification> {
    const answer = await this.call('verify', 'GET', `/transaction/verify/${encodeURIComponent(processorReference)}`);
    if (answer.status === 404) return { kind: 'NOT_FOUND' };
    const data = answer.status === 200 ? dataOf(answer.body) : undefined;
    const charge = data && verifiedChargeOf(data, processorReference);
    if (!charge) throw new ProcessorUnavailableError(`verify answered ${answer.status} without a charge in the documented shape`);
    return { kind: 'FOUND', charge };
  }

  isSignedWebhook(rawBody: Uint8Array, signature: string): boolean {
    return isSignedBy(this.settings.secretKey, rawBody, signature);
  }

  private async call(operation: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    const stop = this.duration.startTimer({ operation });
    try {
      const response = await fetch(`${this.settings.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.settings.secretKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
        dispatcher: this.connections,
        redirect: 'manual',
      });
      const text = await readBoundedText(response, MAX_ANSWER_BYTES);
      stop({ outcome: `http_${response.status}` });
      if (text === undefined) throw new ProcessorUnavailableError(`answer larger than ${MAX_ANSWER_BYTES} bytes`);
      return { status: response.status, body: parseJson(text) };
    } catch (error) {
      if (error instanceof ProcessorUnavailableError) throw error;
      stop({ outcome: 'unreachable' });
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new ProcessorUnavailableError(`${operation}: ${cause}`);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : {};
  } catch {
    return undefined;
  }
}

/** Paystack wraps every answer as `{ status: true, message, data }`. */
function dataOf(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { status, data } = body as { status?: unknown; data?: unknown };
  if (status !== true || typeof data !== 'object' || data === null) return undefined;
  return data as Record<string, unknown>;
}

function messageOf(body: unknown): string | undefined {
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message.slice(0, 200) : undefined;
}

/** The charge in a verify answer, if it is in the documented shape and about the charge asked for. */
function verifiedChargeOf(data: Record<string, unknown>, processorReference: string): VerifiedCharge | undefined {
  const { status, reference, amount, currency, paid_at: paidAt, channel } = data;
  if (reference !== processorReference || typeof status !== 'string') return undefined;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0) return undefined;
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) return undefined;
  const textOrNull = (value: unknown) => (typeof value === 'string' ? value : null);
  return { status: STATUS_BY_NAME[status] ?? 'ONGOING', amount: BigInt(amount), currency, paidAt: textOrNull(paidAt), channel: textOrNull(channel) };
}
