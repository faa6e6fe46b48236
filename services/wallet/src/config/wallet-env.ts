import { Expose, Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, Matches, Max, Min } from 'class-validator';
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
   * Client requests allowed to wait for a batch; past it the wallet answers 503 at once. At the
   * default batch size this is about ten batches, well inside the gateway's deadline.
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  MAX_QUEUED_REQUESTS = 1_000;
}
