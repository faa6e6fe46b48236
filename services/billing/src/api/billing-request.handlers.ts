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
import { ServiceError } from '@bvs/platform';
import { BillQueries } from '../bills/bill-queries.service';
import { MeterChecks } from '../bills/meter-checks.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CODE = /^[a-z0-9-]{1,64}$/;
const METER = /^\d{6,20}$/;
const MINOR_UNITS = /^[1-9]\d{0,18}$/;

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
    check(request, { providerCode: (v) => typeof v === 'string' && CODE.test(v), meterNumber: (v) => typeof v === 'string' && METER.test(v) });
    check(request, { amount: (v) => v === undefined || (typeof v === 'string' && MINOR_UNITS.test(v)) });
    return this.meters.validate(request.providerCode, request.meterNumber, request.amount === undefined ? undefined : BigInt(request.amount));
  }

  @MessagePattern(BILLING_PATTERNS.getBill)
  bill(@Payload() request: GetBillRequest): Promise<BillPayment> {
    check(request, { userId: isUuid, billId: isUuid });
    return this.bills.bill(request.userId, request.billId);
  }

  @MessagePattern(BILLING_PATTERNS.listBills)
  list(@Payload() request: ListBillsRequest): Promise<BillPage> {
    check(request, {
      userId: isUuid,
      limit: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 100,
      status: (v) => v === undefined || v === null || (typeof v === 'string' && (BILL_STATUSES as readonly string[]).includes(v)),
      providerCode: (v) => v === undefined || v === null || (typeof v === 'string' && CODE.test(v)),
      from: (v) => v === undefined || v === null || (typeof v === 'string' && !Number.isNaN(Date.parse(v))),
      to: (v) => v === undefined || v === null || (typeof v === 'string' && !Number.isNaN(Date.parse(v))),
      cursor: (v) => v === undefined || v === null || typeof v === 'string',
    });
    return this.bills.list(request);
  }
}

const isUuid = (value: unknown) => typeof value === 'string' && UUID.test(value);

function check(request: unknown, checks: Readonly<Record<string, (value: unknown) => boolean>>): void {
  const record = typeof request === 'object' && request !== null ? (request as Record<string, unknown>) : {};
  const bad = Object.entries(checks)
    .filter(([field, valid]) => !valid(record[field]))
    .map(([field]) => field);
  if (bad.length > 0) throw new ServiceError('REQUEST.INVALID', 400, `Invalid fields: ${bad.join(', ')}.`, { fields: bad });
}
