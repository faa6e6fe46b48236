import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { BILL_STATUSES, type BillStatus, TRANSACTION_STATUSES, type TransactionStatus } from '@bvs/contracts';
import { PageQueryDto } from '../http/page-query.dto';
import { REFERENCE_PATTERN } from '../wallets/dto/wallet.dto';

const PROVIDER_CODE = /^[a-z0-9-]{1,64}$/;
const METER_NUMBER = /^\d{6,20}$/;

export class ProviderDto {
  @ApiProperty({ example: 'ikeja-electric-prepaid' })
  code!: string;

  @ApiProperty({ example: 'Ikeja Electric (Prepaid)' })
  name!: string;

  @ApiProperty({ enum: ['PREPAID', 'POSTPAID'] })
  meterType!: 'PREPAID' | 'POSTPAID';

  @ApiProperty({ description: 'Minor units.', example: 100000 })
  minimumAmount!: number;

  @ApiProperty({ description: 'Minor units.', example: 50000000 })
  maximumAmount!: number;

  @ApiProperty({ description: "The provider's fee, minor units.", example: 0 })
  fee!: number;

  @ApiProperty({ example: 'NGN' })
  currency!: string;
}

export class ProviderListDto {
  @ApiProperty({ type: [ProviderDto] })
  providers!: ProviderDto[];
}

export class ValidateMeterDto {
  @ApiProperty({ example: 'ikeja-electric-prepaid' })
  @IsString()
  @Matches(PROVIDER_CODE, { message: 'provider must be a provider code from GET /api/bills/providers' })
  provider!: string;

  @ApiProperty({ example: '1111111111111', description: '6 to 20 digits.' })
  @IsString()
  @Matches(METER_NUMBER, { message: 'meterNumber must be 6 to 20 digits' })
  meterNumber!: string;
}

export class MeterDto {
  @ApiProperty({ example: 'ikeja-electric-prepaid' })
  providerCode!: string;

  @ApiProperty({ example: 'Ikeja Electric (Prepaid)' })
  providerName!: string;

  @ApiProperty({ example: '1111111111111' })
  meterNumber!: string;

  @ApiProperty({ enum: ['PREPAID', 'POSTPAID'] })
  meterType!: 'PREPAID' | 'POSTPAID';

  @ApiProperty({ description: 'Show it to the payer to confirm before paying.', example: 'Adaeze Okonkwo' })
  customerName!: string;

  @ApiProperty({ example: '12 Adeola Odeku Street, Victoria Island, Lagos' })
  address!: string;

  @ApiProperty({ example: 100000 })
  minimumAmount!: number;

  @ApiProperty({ example: 50000000 })
  maximumAmount!: number;

  @ApiProperty({ example: 'NGN' })
  currency!: string;
}

export class PayBillDto extends ValidateMeterDto {
  @ApiProperty({ description: 'Integer minor units (kobo), within the provider limits.', example: 500000 })
  @IsInt({ message: 'amount must be a whole number of minor units' })
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  amount!: number;

  @ApiProperty({ description: 'Your idempotency key: a replay returns the same bill payment and moves no money.', example: 'power-2026-11-25-0001' })
  @IsString()
  @Matches(REFERENCE_PATTERN, { message: 'reference must be 1-64 characters of A-Z a-z 0-9 . _ : -' })
  reference!: string;
}

export class BillDto {
  @ApiProperty({ format: 'uuid', description: 'The bill payment id; poll GET /api/bills/{id}.' })
  id!: string;

  @ApiProperty({ enum: BILL_STATUSES, description: 'PENDING until the provider answers definitively.' })
  status!: BillStatus;

  @ApiProperty({ format: 'uuid' })
  transactionId!: string;

  @ApiPropertyOptional({
    enum: TRANSACTION_STATUSES,
    description: 'The wallet side, on GET /api/bills/{id} and POST /api/bills/pay: COMPLETED with a COMPLETED bill, REVERSED (money back) with a FAILED one.',
  })
  transactionStatus?: TransactionStatus;

  @ApiProperty({ example: 500000 })
  amount!: number;

  @ApiProperty({ example: 'NGN' })
  currency!: string;

  @ApiProperty({ example: '1111111111111' })
  meterNumber!: string;

  @ApiProperty({ example: 'ikeja-electric-prepaid' })
  providerCode!: string;

  @ApiProperty({ example: 'power-2026-11-25-0001' })
  reference!: string;

  @ApiProperty({ nullable: true, type: String, description: '20-digit token to key into the meter (prepaid, COMPLETED).', example: '51234567890123456789' })
  token!: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'kWh bought, exact decimal.', example: '23.8' })
  units!: string | null;

  @ApiProperty({ nullable: true, type: String })
  providerReference!: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'PROVIDER.VEND.DECLINED' })
  failureCode!: string | null;

  @ApiProperty({ nullable: true, type: String })
  failureMessage!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  completedAt!: string | null;
}

export class BillPageDto {
  @ApiProperty({ type: [BillDto] })
  items!: BillDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}

export class BillQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: BILL_STATUSES })
  @IsOptional()
  @IsIn(BILL_STATUSES)
  status?: BillStatus;

  @ApiPropertyOptional({ example: 'ikeja-electric-prepaid' })
  @IsOptional()
  @Matches(PROVIDER_CODE)
  provider?: string;
}
