import { Expose, Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';
import { DatabaseServiceEnv } from '@bvs/platform';
import { MAX_DELAY_MS, MAX_SEED, TIMEOUT_MODES, type TimeoutMode } from '../behaviour/domain/behaviour';

const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/**
 * Everything the simulator reads from its environment, validated once at start-up. The SIM_*
 * variables are the fault-injection defaults; the admin endpoint can change them at runtime and
 * `POST /admin/reset` returns to them.
 */
export class ProviderSimEnv extends DatabaseServiceEnv {
  /** The bearer token of the admin endpoints (fault injection); unset, they do not exist (404), so a shared deployment cannot be re-tuned by anyone. */
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters when set' })
  ADMIN_TOKEN?: string;

  /** The key every caller of the provider API must send as a bearer token; unset, the API is open (own machine only). */
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'API_KEY must be at least 16 characters when set' })
  API_KEY?: string;

  /** The shortest delay before the simulator answers a vend (the delay is drawn between MIN and MAX). */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_MS)
  SIM_LATENCY_MIN_MS = 0;

  /** The longest such delay. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_MS)
  SIM_LATENCY_MAX_MS = 0;

  /** Share of vends declined for good (FAILED, VEND.DECLINED); the four rates together may not exceed 1. */
  @Expose()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  SIM_FAILURE_RATE = 0;

  /** Share of vends answered 503 before anything is recorded. */
  @Expose()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  SIM_TRANSIENT_ERROR_RATE = 0;

  /** Share of vends that succeed but whose answer is held back or dropped (SIM_TIMEOUT_MODE). */
  @Expose()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  SIM_TIMEOUT_RATE = 0;

  /** Share of vends answered PENDING, whose outcome a requery shows after SIM_PENDING_RESOLVE_AFTER_MS. */
  @Expose()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  SIM_PENDING_RATE = 0;

  /** How long a HOLD timeout keeps the answer back: longer than any sane client timeout (Flutterwave gives up at about 28 s). */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_MS)
  SIM_TIMEOUT_DELAY_MS = 30_000;

  /** What a timed-out vend gets: HOLD answers after SIM_TIMEOUT_DELAY_MS, DROP closes the connection unanswered. */
  @Expose()
  @IsIn(TIMEOUT_MODES)
  SIM_TIMEOUT_MODE: TimeoutMode = 'HOLD';

  /** How long a PENDING vend stays pending before requeries show its final state. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(24 * 3_600_000)
  SIM_PENDING_RESOLVE_AFTER_MS = 10_000;

  /** The seed of the simulator's random draws, for a repeatable run; unset, one is chosen at start-up (and shown by `GET /admin/behaviour`). */
  @Expose()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SEED)
  SIM_SEED?: number;

  /**
   * The simulated payment processor's secret key (Paystack's `sk_test_...`): the bearer token of
   * its merchant API and the key of its webhook signatures. Unset: the processor is not registered
   * at all, so every /processor route, the checkout included, answers 404 (as the admin routes do
   * without ADMIN_TOKEN): a simulator that cannot sign its webhooks has no business taking payments.
   */
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'PROCESSOR_SECRET_KEY must be at least 16 characters when set' })
  PROCESSOR_SECRET_KEY?: string;

  /** Where `charge.success` webhooks are POSTed (the gateway's webhook route). Unset: none are sent. */
  @Expose()
  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'PROCESSOR_WEBHOOK_URL must be an http(s) URL when set' })
  PROCESSOR_WEBHOOK_URL?: string;

  /** The base of `authorization_url`. Unset: the address the initialize request reached (its Host). */
  @Expose()
  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'PROCESSOR_CHECKOUT_BASE_URL must be an http(s) URL when set' })
  PROCESSOR_CHECKOUT_BASE_URL?: string;

  /**
   * Whether every new charge is paid with the sandbox card as soon as it is initialized ("the
   * sandbox card succeeds at once"), for flows with no one at the checkout. Only 'true' or 'false':
   * anything else is refused at start-up rather than guessed at. `PUT /admin/processor` changes it.
   */
  @Expose()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: "PROCESSOR_AUTO_PAY must be 'true' or 'false'" })
  PROCESSOR_AUTO_PAY = false;

  /** How long a checkout stays open; an unpaid charge is `abandoned` after it (Paystack: about 30 minutes). */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(7 * 24 * 3_600_000)
  PROCESSOR_CHARGE_TTL_MS = 30 * 60_000;

  /** Delivery attempts per webhook, the first included; after the last failure it is dropped (and logged). */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(20)
  PROCESSOR_WEBHOOK_ATTEMPTS = 6;

  /** The pause after the first failed delivery; each further failure doubles it (up to a minute). */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(60_000)
  PROCESSOR_WEBHOOK_RETRY_MS = 250;

  /** Webhook requests outstanding at once; further deliveries wait their turn (see ChargeWebhookSender). */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_024)
  PROCESSOR_WEBHOOKS_IN_FLIGHT = 64;
}
