import { Controller } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import {
  BILL_STATUSES,
  BILLING_SERVICE,
  BillPage,
  BillPayment,
  GetBillRequest,
  ListBillsRequest,
  ListProvidersRequest,
  MeterValidation,
  ProviderList,
  ValidateMeterRequest,
} from '@bvs/contracts';
import { type AuthenticatedUser, Caller, FIELD, requireShape } from '@bvs/platform';
import { BillQueries } from '../bills/bill-queries.service';
import { MeterChecks } from '../bills/meter-checks.service';

const isProviderCode = FIELD.matching(/^[a-z0-9-]{1,64}$/);
const isMeterNumber = FIELD.matching(/^\d{6,20}$/);
const isMinorUnits = FIELD.matching(/^[1-9]\d{0,18}$/);

/**
 * Billing's gRPC surface, called by the gateway for a verified caller: bills are always the
 * caller's own (the user comes from the access token, never from the request). Shapes are checked
 * again here: the gateway is not the only possible caller inside the cluster.
 */
@Controller()
export class BillingGrpcController {
  constructor(
    private readonly meters: MeterChecks,
    private readonly bills: BillQueries,
  ) {}

  @GrpcMethod(BILLING_SERVICE.service, 'ListProviders')
  async listProviders(@Payload() _request: ListProvidersRequest): Promise<ProviderList> {
    return { providers: await this.meters.providers() };
  }

  @GrpcMethod(BILLING_SERVICE.service, 'ValidateMeter')
  validateMeter(@Payload() request: ValidateMeterRequest): Promise<MeterValidation> {
    requireShape(request, { providerCode: isProviderCode, meterNumber: isMeterNumber, amount: FIELD.optional(isMinorUnits) });
    return this.meters.validate(request.providerCode, request.meterNumber, request.amount === undefined || request.amount === null ? undefined : BigInt(request.amount));
  }

  @GrpcMethod(BILLING_SERVICE.service, 'GetBill')
  getBill(@Payload() request: GetBillRequest, @Caller() caller: AuthenticatedUser): Promise<BillPayment> {
    requireShape(request, { billId: FIELD.uuid });
    return this.bills.bill(caller.userId, request.billId);
  }

  @GrpcMethod(BILLING_SERVICE.service, 'ListBills')
  listBills(@Payload() request: ListBillsRequest, @Caller() caller: AuthenticatedUser): Promise<BillPage> {
    requireShape(request, {
      limit: FIELD.integerBetween(1, 100),
      status: FIELD.optional(FIELD.oneOf(BILL_STATUSES)),
      providerCode: FIELD.optional(isProviderCode),
      from: FIELD.optional(FIELD.instant),
      to: FIELD.optional(FIELD.instant),
      cursor: FIELD.optional(FIELD.string),
    });
    return this.bills.list(caller.userId, request);
  }
}
