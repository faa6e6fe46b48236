import { Expose, Type } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
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

  /** Attempts at a balance change that keeps meeting a newer wallet version before answering 409. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000)
  BALANCE_UPDATE_ATTEMPTS = 60;
}
