import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CURRENCY_PATTERN } from '../domain/charge';

/**
 * What the customer's browser sends to pay. A card number pays exactly the charge; without one it
 * is a bank transfer, of `amount` in `currency` when given (to simulate paying another sum).
 */
export class PayChargeRequest {
  /** One of the sandbox cards (see sandbox-cards.ts); any other is refused with 400. */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  card_number?: string;

  /** Minor units; a safe integer, so JSON cannot have rounded it before it got here. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  amount?: number;

  @IsOptional()
  @IsString()
  @Matches(CURRENCY_PATTERN, { message: 'currency must be three upper-case letters, e.g. NGN' })
  currency?: string;
}
