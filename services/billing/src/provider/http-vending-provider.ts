import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { MetricsRegistry, readBoundedStreamText } from '@bvs/platform';
import { Counter, Histogram } from 'prom-client';
import { Agent, request } from 'undici';
import { retryPauseCeilingMs } from '../bills/domain/bill-step-budget';
import { BillingEnv } from '../config/billing-env';
import type { MeterLookupResult, RequeryOutcome, VendOutcome } from '../bills/domain/provider-answers';
import { ProviderCatalogueEntry, ProviderUnavailableError, VendingProvider, VendOrder } from './vending-provider';

interface VendView {
  readonly requestId: string;
  readonly providerReference: string;
  readonly status: 'SUCCESS' | 'FAILED' | 'PENDING';
  readonly reasonCode: string | null;
  readonly token: string | null;
  readonly units: string | null;
}

interface ProviderView {
  readonly code: string;
  readonly name: string;
  readonly meterType: 'PREPAID' | 'POSTPAID';
  readonly minimumAmount: number;
  readonly maximumAmount: number;
  readonly fee: number;
  readonly currency: string;
}

interface VerifiedMeterView {
  readonly providerName: string;
  readonly meterType: 'PREPAID' | 'POSTPAID';
  readonly customerName: string;
  readonly address: string;
  readonly minimumAmount: number;
  readonly maximumAmount: number;
  readonly currency: string;
}

/** Largest answer read from the provider; every answer of its API is a few hundred bytes. */
const MAX_ANSWER_BYTES = 64 * 1024;
const VEND_STATUSES: ReadonlySet<string> = new Set(['SUCCESS', 'FAILED', 'PENDING']);
/**
 * Refusals of a vend that say nothing about whether it happened: the provider timed the request
 * out (408) or is shedding load (429). Like a 5xx or a dropped connection, they mean "unknown":
 * the bill is requeried, never failed, since failing it returns money for a vend that may stand.
 * A refused key (401, 403) is our configuration, not the payment's fault: the bill stays pending
 * (and is reported if it stays too long) rather than every payment being reversed until it is fixed.
 */
const UNKNOWN_VEND_STATUSES: ReadonlySet<number> = new Set([401, 403, 408, 429]);

/** The calls of the provider's API: the `operation` label of its metrics. */
const OPERATIONS = ['catalogue', 'verify-meter', 'vend', 'requery'] as const;
type Operation = (typeof OPERATIONS)[number];

/**
 * How a call to the provider went wrong: the `kind` label of bvs_provider_errors_total. A call is
 * counted once, its retries included, by how it ended:
 * - timeout: no answer within PROVIDER_TIMEOUT_MS (a vend's outcome is then unknown);
 * - network: the provider could not be reached on any try, or the connection broke off;
 * - http_5xx: the provider failed on every try;
 * - http_4xx: the provider refused the request itself (our key, its rate limit, a request id used
 *   with other details, a request it found invalid), as against the answers its API gives for the
 *   case at hand (an unknown meter, a vend it never received), which are not errors;
 * - malformed: an answer outside its API: not JSON, not a vend record, over MAX_ANSWER_BYTES, a
 *   redirect, an amount that is not an exact integer;
 * - pending: the provider took the vend and has not decided it. Not a failure (the bill is
 *   requeried), but a provider deferring more vends than usual is the first sign of its trouble.
 */
const PROVIDER_ERROR_KINDS = ['timeout', 'network', 'http_5xx', 'http_4xx', 'malformed', 'pending'] as const;
type ProviderErrorKind = (typeof PROVIDER_ERROR_KINDS)[number];

type Attempt =
  | { readonly kind: 'answer'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'transient'; readonly cause: string; readonly error: 'network' | 'http_5xx' }
  | { readonly kind: 'unknown'; readonly cause: string; readonly error: 'timeout' | 'network' | 'http_5xx' | 'malformed' };

/**
 * The provider simulator's HTTP API (docs/provider-sim-api.md). Transient errors (5xx, connection
 * refused) are retried here with exponential backoff and jitter; a timeout or a connection that
 * drops after the request went out is reported as UNKNOWN and never retried as a new vend.
 *
 * Calls share a pool of at most PROVIDER_MAX_CONNECTIONS keep-alive connections. Global fetch's
 * pool has no limit, so a burst of steps would open a connection per call in flight. Calls go
 * through undici's `request()` (what Node's fetch is built on) rather than its fetch: fetch's
 * WHATWG machinery (web streams, a Response, its own abort plumbing) took about a tenth of the
 * billing service's CPU under load (docs/benchmarks.md), and none of it is needed for a JSON API.
 * `request()` follows no redirect, and rejects with the AbortSignal's own reason on a timeout.
 */
export class HttpVendingProvider extends VendingProvider implements OnApplicationShutdown {
  private readonly logger = new Logger(HttpVendingProvider.name);
  private readonly duration: Histogram;
  private readonly errors: Counter<'operation' | 'kind'>;
  private readonly connections: Agent;

  constructor(
    private readonly env: BillingEnv,
    metrics: MetricsRegistry,
  ) {
    super();
    this.connections = new Agent({ connections: env.PROVIDER_MAX_CONNECTIONS });
    this.duration = new Histogram({
      name: 'bvs_provider_request_duration_seconds',
      help: 'Calls to the vending provider, retries included, by operation and outcome',
      labelNames: ['operation', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [metrics],
    });
    this.errors = new Counter({
      name: 'bvs_provider_errors_total',
      help: 'Calls to the vending provider that failed or left the outcome open, retries included, by operation and kind',
      labelNames: ['operation', 'kind'],
      registers: [metrics],
    });
    // Every series exists from the start at 0, so that rate() and increase() see a replica's first error of a kind.
    for (const operation of OPERATIONS) for (const kind of PROVIDER_ERROR_KINDS) this.errors.inc({ operation, kind }, 0);
  }

  /** After the worker's beforeApplicationShutdown has waited for its steps: lets calls still out finish, then closes the connections. */
  async onApplicationShutdown(): Promise<void> {
    await this.connections.close();
  }

  async catalogue(): Promise<readonly ProviderCatalogueEntry[]> {
    const body = this.requireAnswer('catalogue', await this.call('catalogue', 'GET', '/providers'), 200) as { providers: ProviderView[] };
    return this.readAnswer('catalogue', () =>
      body.providers.map((provider) => ({
        code: provider.code,
        name: provider.name,
        meterType: provider.meterType,
        minimumAmount: minorUnitsFromJson(provider.minimumAmount),
        maximumAmount: minorUnitsFromJson(provider.maximumAmount),
        fee: minorUnitsFromJson(provider.fee),
        currency: provider.currency,
      })),
    );
  }

  async lookupMeter(providerCode: string, meterNumber: string): Promise<MeterLookupResult> {
    const attempt = await this.call('verify-meter', 'POST', '/meters/verify', { providerCode, meterNumber });
    if (attempt.kind !== 'answer') throw new ProviderUnavailableError(attempt.cause);
    const body = attempt.body as (VerifiedMeterView & { code?: undefined }) | { code: string; message: string };
    if (attempt.status === 200) {
      const meter = body as VerifiedMeterView;
      return this.readAnswer<MeterLookupResult>('verify-meter', () => ({
        kind: 'FOUND',
        providerName: meter.providerName,
        meterType: meter.meterType,
        customerName: meter.customerName,
        address: meter.address,
        minimumAmount: minorUnitsFromJson(meter.minimumAmount),
        maximumAmount: minorUnitsFromJson(meter.maximumAmount),
        currency: meter.currency,
      }));
    }
    const refusal = body as { code?: string; message?: string };
    const message = refusal.message ?? 'refused by the provider';
    if (refusal.code === 'PROVIDER.NOT_FOUND') return { kind: 'UNKNOWN_PROVIDER', message };
    if (refusal.code === 'METER.NOT_FOUND' || attempt.status === 400) return { kind: 'METER_NOT_FOUND', message };
    if (refusal.code === 'METER.BLOCKED') return { kind: 'METER_BLOCKED', message };
    this.countError('verify-meter', refusedOrMalformed(attempt.status));
    throw new ProviderUnavailableError(`unexpected answer ${attempt.status} ${refusal.code ?? ''}`);
  }

  async vend(order: VendOrder): Promise<VendOutcome> {
    // The provider's API takes a JSON number; one JSON cannot carry exactly is refused here, never rounded.
    if (order.amount > BigInt(Number.MAX_SAFE_INTEGER)) {
      return { kind: 'FAILED', reasonCode: 'PROVIDER.AMOUNT_NOT_REPRESENTABLE', reasonMessage: 'The amount is too large for the provider API.', providerReference: null };
    }
    const attempt = await this.call('vend', 'POST', '/vend', {
      requestId: order.requestId,
      providerCode: order.providerCode,
      meterNumber: order.meterNumber,
      amount: Number(order.amount),
    });
    if (attempt.kind !== 'answer') return { kind: 'UNKNOWN', cause: attempt.cause };
    if (attempt.status === 200) return this.vendRecordOutcome('vend', attempt.body);
    // Every other status is an error of the call: a refusal of the request itself (4xx) or a status the API does not give.
    this.countError('vend', refusedOrMalformed(attempt.status));
    const refusal = attempt.body as { code?: string; message?: string };
    // 409: this request id already exists with other details. What it did is what requery says.
    if (attempt.status === 409) return { kind: 'UNKNOWN', cause: 'request id conflict at the provider' };
    if (UNKNOWN_VEND_STATUSES.has(attempt.status)) return { kind: 'UNKNOWN', cause: `HTTP ${attempt.status}` };
    if (attempt.status >= 400 && attempt.status < 500) {
      return { kind: 'FAILED', reasonCode: `PROVIDER.${refusal.code ?? 'REQUEST_REFUSED'}`, reasonMessage: refusal.message ?? 'The provider refused the request.', providerReference: null };
    }
    return { kind: 'UNKNOWN', cause: `unexpected status ${attempt.status}` };
  }

  async requery(requestId: string): Promise<RequeryOutcome> {
    const attempt = await this.call('requery', 'GET', `/vend/${encodeURIComponent(requestId)}`);
    if (attempt.kind !== 'answer') return { kind: 'UNKNOWN', cause: attempt.cause };
    if (attempt.status === 200) return this.vendRecordOutcome('requery', attempt.body);
    if (attempt.status === 404 && (attempt.body as { code?: string }).code === 'VEND.NOT_FOUND') return { kind: 'NOT_RECEIVED' };
    this.countError('requery', refusedOrMalformed(attempt.status));
    return { kind: 'UNKNOWN', cause: `unexpected status ${attempt.status}` };
  }

  private requireAnswer(operation: Operation, attempt: Attempt, status: number): unknown {
    if (attempt.kind !== 'answer') throw new ProviderUnavailableError(attempt.cause);
    if (attempt.status !== status) {
      this.countError(operation, refusedOrMalformed(attempt.status));
      throw new ProviderUnavailableError(`unexpected status ${attempt.status}`);
    }
    return attempt.body;
  }

  /** Reads an answer's body with `read`; a body that does not hold what the API promises (read throws) is counted as malformed. */
  private readAnswer<T>(operation: Operation, read: () => T): T {
    try {
      return read();
    } catch (error) {
      this.countError(operation, 'malformed');
      throw error;
    }
  }

  /** The vend record of a 200, counting one that leaves the vend open (PENDING) or is no vend record at all. */
  private vendRecordOutcome(operation: 'vend' | 'requery', body: unknown): VendOutcome {
    const outcome = outcomeOf(body);
    if (outcome.kind === 'PENDING') this.countError(operation, 'pending');
    if (outcome.kind === 'UNKNOWN') this.countError(operation, 'malformed');
    return outcome;
  }

  private countError(operation: Operation, kind: ProviderErrorKind): void {
    this.errors.inc({ operation, kind });
  }

  /**
   * One logical call, timed by operation and outcome: transient failures are retried, and when they
   * persist it is UNKNOWN. A call that got no answer is counted here; what an answer means is for
   * the operation to say, and it counts the answers that are errors.
   */
  private async call(operation: Operation, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Attempt> {
    const stop = this.duration.startTimer({ operation });
    const attempt = await this.callWithRetries(method, path, body);
    stop({ outcome: attempt.kind === 'answer' ? `http_${attempt.status}` : attempt.kind });
    if (attempt.kind !== 'answer') this.countError(operation, attempt.error);
    return attempt;
  }

  private async callWithRetries(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Attempt> {
    let last: Extract<Attempt, { kind: 'transient' }> = { kind: 'transient', cause: 'not attempted', error: 'network' };
    for (let attempt = 0; attempt <= this.env.PROVIDER_RETRIES; attempt += 1) {
      if (attempt > 0) {
        const ceiling = retryPauseCeilingMs(attempt, this.env.PROVIDER_RETRY_BASE_MS);
        await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)));
      }
      const result = await this.once(method, path, body);
      if (result.kind !== 'transient') return result;
      last = result;
      this.logger.warn({ path, attempt: attempt + 1, cause: result.cause }, 'Transient provider error');
    }
    return { kind: 'unknown', cause: `transient errors persisted: ${last.cause}`, error: last.error };
  }

  private headers(withBody: boolean): Record<string, string> {
    return {
      ...(withBody ? { 'content-type': 'application/json' } : {}),
      ...(this.env.PROVIDER_API_KEY ? { authorization: `Bearer ${this.env.PROVIDER_API_KEY}` } : {}),
    };
  }

  private async once(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Attempt> {
    let status: number;
    let text: string | undefined;
    try {
      // A redirect is not an answer: request() follows none, so it comes back as its 3xx, which no caller takes for success or failure.
      const response = await request(`${this.env.PROVIDER_BASE_URL}${path}`, {
        method,
        headers: this.headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        // Started before the pool hands out a connection, so a wait for one counts against the timeout too;
        // it also covers reading the body, which it destroys with the same TimeoutError.
        signal: AbortSignal.timeout(this.env.PROVIDER_TIMEOUT_MS),
        dispatcher: this.connections,
      });
      status = response.statusCode;
      text = await readBoundedStreamText(response, MAX_ANSWER_BYTES);
    } catch (error) {
      return classify(error);
    }
    if (text === undefined) return { kind: 'unknown', cause: `answer larger than ${MAX_ANSWER_BYTES} bytes`, error: 'malformed' };
    if (status >= 500) return { kind: 'transient', cause: `HTTP ${status}`, error: 'http_5xx' };
    return answerOf(status, text);
  }
}

/** The answer's body as JSON (an empty body as {}); a body that is not JSON is no answer the API gives, and decides nothing. */
function answerOf(status: number, text: string): Attempt {
  try {
    return { kind: 'answer', status, body: text ? (JSON.parse(text) as unknown) : {} };
  } catch {
    return { kind: 'unknown', cause: `HTTP ${status} with a body that is not JSON`, error: 'malformed' };
  }
}

/** 5xx never gets here (it is retried, then a no-answer): a 4xx refuses the request, anything else is outside the API. */
function refusedOrMalformed(status: number): ProviderErrorKind {
  return status >= 400 && status < 500 ? 'http_4xx' : 'malformed';
}

/**
 * Amounts arrive as JSON numbers; above 2^53 the parser has already rounded them, so such an
 * answer is treated as garbled rather than turned into a wrong limit.
 */
function minorUnitsFromJson(value: number): bigint {
  if (!Number.isSafeInteger(value) || value < 0) throw new ProviderUnavailableError(`amount ${value} in the provider's answer is not an exact non-negative integer`);
  return BigInt(value);
}

/**
 * A call that ended without an answer. Connection refused or a name not resolved: nothing reached
 * the provider, so trying again is safe. Anything else (a reset, a socket closed mid-answer) may have.
 * undici's request() rejects with the socket's error itself (fetch wrapped it as the cause).
 */
function classify(error: unknown): Attempt {
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'unknown', cause: 'timed out', error: 'timeout' };
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'transient', cause: code, error: 'network' };
  return { kind: 'unknown', cause: code ?? (error instanceof Error ? error.message : String(error)), error: 'network' };
}

/** The vend record in a 200 answer, if it has the shape the API promises; anything else is not an answer to act on. */
function vendViewOf(body: unknown): VendView | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const view = body as Record<string, unknown>;
  const textOrNull = (value: unknown) => value === null || value === undefined || typeof value === 'string';
  if (typeof view['status'] !== 'string' || !VEND_STATUSES.has(view['status'])) return undefined;
  if (typeof view['providerReference'] !== 'string' || typeof view['requestId'] !== 'string') return undefined;
  if (!textOrNull(view['reasonCode']) || !textOrNull(view['token']) || !textOrNull(view['units'])) return undefined;
  return view as unknown as VendView;
}

/** A malformed 200 decides nothing: the vend may have happened, so it is requeried like any unknown outcome. */
function outcomeOf(body: unknown): VendOutcome {
  const view = vendViewOf(body);
  if (!view) return { kind: 'UNKNOWN', cause: 'malformed answer' };
  switch (view.status) {
    case 'SUCCESS':
      // Postpaid bills deliver no token or units; the provider's reference is the receipt.
      return { kind: 'SUCCEEDED', token: view.token ?? '', units: view.units ?? '0', providerReference: view.providerReference };
    case 'FAILED':
      return {
        kind: 'FAILED',
        reasonCode: `PROVIDER.${view.reasonCode ?? 'DECLINED'}`,
        reasonMessage: `The provider declined the vend (${view.reasonCode ?? 'no reason given'}).`,
        providerReference: view.providerReference,
      };
    case 'PENDING':
      return { kind: 'PENDING', providerReference: view.providerReference };
  }
}
