import { Expose, Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { EventConsumingServiceEnv } from '@bvs/platform';

/** Everything the wallet service reads from its environment, validated once at start-up. */
export class WalletEnv extends EventConsumingServiceEnv {
  /** The one currency wallets are kept in (ISO 4217); amounts are its minor units. */
  @Expose()
  @Matches(/^[A-Z]{3}$/, { message: 'WALLET_CURRENCY must be an ISO 4217 code such as NGN' })
  WALLET_CURRENCY = 'NGN';

  /** Largest single funding, minor units (default NGN 1,000,000.00). */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  MAX_FUNDING_AMOUNT = 100_000_000;

  /** Largest single bill payment, minor units (default NGN 500,000.00). */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  MAX_PAYMENT_AMOUNT = 50_000_000;

  /**
   * Whether FundWallet credits a wallet directly, with no payment processor behind the money: a
   * sandbox for development and demos, which any logged-in user could otherwise use to mint money.
   * Off unless a deployment switches it on ('true'); the production overlay keeps it off.
   */
  @Expose()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  SANDBOX_DIRECT_FUNDING = false;

  /**
   * The payment processor's API (Paystack's shape: https://api.paystack.co, or the simulator's
   * /processor locally). With it, FundWallet initializes a charge and the processor's verified
   * webhook credits the wallet. Unset, and with no sandbox, the wallet cannot be funded (403).
   */
  @Expose()
  @ValidateIf((env: WalletEnv) => env.PAYMENT_PROCESSOR_BASE_URL !== undefined || env.PAYMENT_PROCESSOR_SECRET_KEY !== undefined)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'PAYMENT_PROCESSOR_BASE_URL must be an http(s) URL, and is needed with PAYMENT_PROCESSOR_SECRET_KEY' })
  PAYMENT_PROCESSOR_BASE_URL?: string;

  /** The processor's secret key: the bearer credential of its API, and the HMAC key of its webhooks. */
  @Expose()
  @ValidateIf((env: WalletEnv) => env.PAYMENT_PROCESSOR_BASE_URL !== undefined || env.PAYMENT_PROCESSOR_SECRET_KEY !== undefined)
  @IsString({ message: 'PAYMENT_PROCESSOR_SECRET_KEY is needed with PAYMENT_PROCESSOR_BASE_URL' })
  @MinLength(16, { message: 'PAYMENT_PROCESSOR_SECRET_KEY must be at least 16 characters' })
  PAYMENT_PROCESSOR_SECRET_KEY?: string;

  /** Each call to the processor (initialize, verify) gives up after this long; the caller then retries. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  PAYMENT_PROCESSOR_TIMEOUT_MS = 10_000;

  /** Keep-alive connections to the processor, shared by every call. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_024)
  PAYMENT_PROCESSOR_MAX_CONNECTIONS = 32;

  /**
   * The processor needs a customer e-mail for each charge and the wallet does not keep users'
   * addresses: charges name `<user id>@<this domain>`, a per-user alias the processor's receipts
   * cannot reach. A deployment that wants receipts delivered routes this domain to its mail.
   */
  @Expose()
  @Matches(/^[a-z0-9.-]{1,200}$/, { message: 'PAYMENT_PROCESSOR_CUSTOMER_EMAIL_DOMAIN must be a domain name' })
  PAYMENT_PROCESSOR_CUSTOMER_EMAIL_DOMAIN = 'customers.bvs.invalid';

  /** Where the processor's checkout sends the customer's browser after paying; unset, the processor's own page stays. */
  @Expose()
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  FUNDING_CALLBACK_URL?: string;

  /** A PENDING funding no webhook confirmed is verified with the processor once it is this old, in case the webhook was lost. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(24 * 3_600_000)
  FUNDING_RECONCILE_AFTER_MS = 60_000;

  /** How often the reconciler looks for such fundings. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  FUNDING_RECONCILE_INTERVAL_MS = 30_000;

  /** Fundings verified per round, one processor call each, one after another. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000)
  FUNDING_RECONCILE_BATCH = 50;

  /**
   * An unpaid funding older than this is FAILED. Longer than the processor keeps a checkout open
   * (the simulator's 30 min), so a customer still paying is never cut off; a success that arrives
   * later still credits.
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(60_000)
  @Max(30 * 24 * 3_600_000)
  FUNDING_ABANDON_AFTER_MS = 3_600_000;

  /** Attempts at a balance change that keeps meeting a newer wallet version before answering 409. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000)
  BALANCE_UPDATE_ATTEMPTS = 60;

  /**
   * Client requests (fund, pay) written in one database transaction by group commit. Larger
   * batches share a commit among more requests; each request waits for its whole batch.
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000)
  REQUESTS_PER_TRANSACTION = 100;

  /**
   * Batches of client requests written at once, each on its own connection from the pool (keep
   * it below DATABASE_POOL_SIZE less EVENT_TRANSACTIONS_IN_PARALLEL). The requests of one user are
   * never in two at once. One by default: on two cores shared with everything else a second batch
   * made the end-to-end tail worse near the machine's limit (150/s on 2026-12-06, 300/s on
   * 2026-12-07) and could not be told from one at 200/s; where the database has cores of its own,
   * two took 40% more payments in the ledger benchmark (docs/benchmarks.md).
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(16)
  REQUEST_BATCHES_IN_PARALLEL = 1;

  /**
   * Client requests allowed to wait for a batch; past it the wallet answers 503 at once. At the
   * default batch size this is about ten batches, well inside the gateway's deadline.
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  MAX_QUEUED_REQUESTS = 1_000;

  /**
   * Payments held and not yet completed or reversed, all replicas together, before a new payment
   * waits for one to settle: the length of the queue in front of the provider. Past it, accepting
   * more would only lengthen every purchase's wait for its token. Set it to billing's vends in
   * flight (VENDS_IN_FLIGHT × billing replicas) and a quarter more for the payments on their way to
   * and from billing, so that the vend slots stay full and nothing queues behind them (ADR 0016).
   * Each replica reads the count every PENDING_PAYMENTS_READ_MS, so replicas may overshoot it by
   * what they admit in that time.
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  MAX_PENDING_PAYMENTS = 640;

  /**
   * Longest a payment waits for room under MAX_PENDING_PAYMENTS before the wallet answers 503 (to be
   * sent again with the same reference). At most 1 500, so that the gateway's three attempts fit in
   * its 5 s deadline. At most MAX_QUEUED_REQUESTS payments wait at once; past it the next is
   * refused at once.
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_500)
  PAYMENT_ADMISSION_WAIT_MS = 1_000;

  /** How often a replica reads the count of pending payments (while payments arrive or wait). */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(1_000)
  PENDING_PAYMENTS_READ_MS = 50;
}
