import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../http/page-query.dto';
import { TRANSACTION_STATUSES, TRANSACTION_TYPES, type TransactionStatus, type TransactionType } from '@bvs/contracts';

export const REFERENCE_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

export class FundWalletDto {
  @ApiProperty({ description: 'Integer minor units (kobo): 150000 = NGN 1,500.00.', example: 150000, minimum: 1 })
  @IsInt({ message: 'amount must be a whole number of minor units' })
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  amount!: number;

  @ApiProperty({
    description: 'Your idempotency key, 1-64 of A-Z a-z 0-9 . _ : -. Replaying it returns the original result; reusing it for another request is 409.',
    example: 'fund-2026-11-25-0001',
  })
  @IsString()
  @Matches(REFERENCE_PATTERN, { message: 'reference must be 1-64 characters of A-Z a-z 0-9 . _ : -' })
  reference!: string;
}

export class BalanceDto {
  @ApiProperty({ format: 'uuid' })
  walletId!: string;

  @ApiProperty({ example: 'NGN' })
  currency!: string;

  @ApiProperty({ description: 'Spendable now, minor units.', example: 100000 })
  available!: number;

  @ApiProperty({ description: 'Locked by payments in flight, minor units.', example: 50000 })
  held!: number;

  @ApiProperty({ description: 'available + held, minor units.', example: 150000 })
  total!: number;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class TransactionDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  walletId!: string;

  @ApiProperty({ enum: TRANSACTION_TYPES })
  type!: TransactionType;

  @ApiProperty({ enum: TRANSACTION_STATUSES, description: 'A FUNDING through the payment processor is PENDING until its charge is verified, then COMPLETED (or FAILED when the charge was not paid); a sandbox FUNDING and a REVERSAL are COMPLETED; a PAYMENT goes PENDING, then COMPLETED or (FAILED then) REVERSED.' })
  status!: TransactionStatus;

  @ApiProperty({ description: 'Minor units.', example: 150000 })
  amount!: number;

  @ApiProperty({ example: 'NGN' })
  currency!: string;

  @ApiProperty({ nullable: true, type: String, example: 'fund-2026-11-25-0001' })
  reference!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The bill payment of a PAYMENT or REVERSAL.' })
  paymentId!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'For a REVERSAL: the PAYMENT whose money it returned.' })
  reversesTransactionId!: string | null;

  @ApiProperty({ description: 'Available balance right after this transaction, minor units.', example: 150000 })
  availableAfter!: number;

  @ApiProperty({ nullable: true, type: String })
  failureReason!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { meterNumber: '45700000001', providerCode: 'ikeja-electric-prepaid' } })
  details!: Record<string, string>;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** The answer to a funding request: its FUNDING, and where the customer pays when a processor takes the money. */
export class FundingDto extends TransactionDto {
  @ApiProperty({ nullable: true, type: String, example: 'bvs-fund-0b8f5c4e-4a6e-4a57-9d1e-2f1f7a0e1c2d', description: "The payment processor's reference of the charge; null for a sandbox credit." })
  processorReference!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'uri', description: "The processor's checkout page, where the customer pays; null for a sandbox credit." })
  checkoutUrl!: string | null;
}

export class TransactionPageDto {
  @ApiProperty({ type: [TransactionDto] })
  items!: TransactionDto[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` to get the next page; null on the last page.' })
  nextCursor!: string | null;
}

export class TransactionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TRANSACTION_TYPES })
  @IsOptional()
  @IsIn(TRANSACTION_TYPES)
  type?: TransactionType;

  @ApiPropertyOptional({ enum: TRANSACTION_STATUSES })
  @IsOptional()
  @IsIn(TRANSACTION_STATUSES)
  status?: TransactionStatus;
}
