import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  BILL_STATUSES,
  BILLING_PATTERNS,
  BillPage,
  BillPayment,
  ElectricityProvider,
  GetBillRequest,
  ListBillsRequest,
  MeterValidation,
  ValidateMeterRequest,
} from '@bvs/contracts';
import { FIELD, requireShape } from '@bvs/platform';
import { BillQueries } from '../bills/bill-queries.service';
import { MeterChecks } from '../bills/meter-checks.service';

const isProviderCode = FIELD.matching(/^[a-z0-9-]{1,64}$/);
const isMeterNumber = FIELD.matching(/^\d{6,20}$/);
const isMinorUnits = FIELD.matching(/^[1-9]\d{0,18}$/);

/** Billing's request-reply surface; shapes are re-checked because any producer can write to these topics. */
@Controller()
export class BillingRequestHandlers {
  constructor(
    private readonly meters: MeterChecks,
    private readonly bills: BillQueries,
  ) {}

  @MessagePattern(BILLING_PATTERNS.listProviders)
  async providers(): Promise<{ providers: ElectricityProvider[] }> {
    return { providers: await this.meters.providers() };
  }

  @MessagePattern(BILLING_PATTERNS.validateMeter)
  validate(@Payload() request: ValidateMeterRequest): Promise<MeterValidation> {
    requireShape(request, { providerCode: isProviderCode, meterNumber: isMeterNumber, amount: FIELD.optional(isMinorUnits) });
    return this.meters.validate(request.providerCode, request.meterNumber, request.amount === undefined ? undefined : BigInt(request.amount));
  }

  @MessagePattern(BILLING_PATTERNS.getBill)
  bill(@Payload() request: GetBillRequest): Promise<BillPayment> {
    requireShape(request, { userId: FIELD.uuid, billId: FIELD.uuid });
    return this.bills.bill(request.userId, request.billId);
  }

  @MessagePattern(BILLING_PATTERNS.listBills)
  list(@Payload() request: ListBillsRequest): Promise<BillPage> {
    requireShape(request, {
      userId: FIELD.uuid,
      limit: FIELD.integerBetween(1, 100),
      status: FIELD.optional(FIELD.oneOf(BILL_STATUSES)),
      providerCode: FIELD.optional(isProviderCode),
      from: FIELD.optional(FIELD.instant),
      to: FIELD.optional(FIELD.instant),
      cursor: FIELD.optional(FIELD.string),
    });
    return this.bills.list(request);
  }
}
