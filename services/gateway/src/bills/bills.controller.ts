import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  BILL_STATUSES,
  BILLING_ERROR_CODES,
  BillPayment,
  METER_TYPES,
  MeterValidation,
  PaymentInitiation,
  TRANSACTION_STATUSES,
  WALLET_ERROR_CODES,
  WalletTransaction,
} from '@bvs/contracts';
import { CallContext, RemoteServiceError, ServiceTimeoutError, ServiceUnavailableError } from '@bvs/platform';
import type { Response } from 'express';
import { BackendClients } from '../backends/backend-clients';
import { ServiceCall } from '../backends/service-call.decorator';
import { ApiProblems } from '../http/api-problems.decorator';
import { DEFAULT_PAGE_SIZE } from '../http/page-query.dto';
import { ProblemError } from '../http/problem-error';
import { requireUuidPathId } from '../http/validation';
import { RateLimited } from '../limits/rate-limit.decorator';
import { oneOf, toApiAmount } from '../wallets/money';
import { IDEMPOTENT_REPLAY_HEADER } from '../wallets/wallets.controller';
import { BillDto, BillPageDto, BillQueryDto, MeterDto, PayBillDto, ProviderListDto, ValidateMeterDto } from './bills.dto';
import { CheckedMeters } from './checked-meters';

const notFound = () => new ProblemError(404, BILLING_ERROR_CODES.billNotFound, 'Not Found', 'No such bill payment.');

/**
 * Bills span two services: billing knows the vend, the wallet knows the money. The gateway joins
 * them, so a bill is visible from the moment the wallet accepted it (before billing has heard of
 * it) and always shows the wallet's side next to the provider's.
 */
@ApiTags('bills')
@Controller('bills')
export class BillsController {
  constructor(
    private readonly backends: BackendClients,
    private readonly checkedMeters: CheckedMeters,
  ) {}

  @Get('providers')
  @ApiOperation({ summary: 'Electricity distribution companies', description: 'With their meter type, limits and fee; amounts in minor units.' })
  @ApiOkResponse({ type: ProviderListDto })
  @ApiProblems({ 401: 'AUTH.UNAUTHENTICATED', 503: 'BILLING.PROVIDER_UNAVAILABLE' })
  async providers(@ServiceCall() call: CallContext): Promise<ProviderListDto> {
    const { providers } = await this.backends.billing.call('ListProviders', {}, call);
    return {
      providers: providers.map((provider) => ({
        ...provider,
        meterType: oneOf(METER_TYPES, provider.meterType, 'meterType'),
        minimumAmount: toApiAmount(provider.minimumAmount),
        maximumAmount: toApiAmount(provider.maximumAmount),
        fee: toApiAmount(provider.fee),
      })),
    };
  }

  @Post('validate-meter')
  @RateLimited('validate-meter')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Check a meter before paying', description: "Returns the customer's name and address for the payer to confirm." })
  @ApiOkResponse({ type: MeterDto })
  @ApiProblems({ 400: 'BILLING.UNKNOWN_PROVIDER', 401: 'AUTH.UNAUTHENTICATED', 422: 'BILLING.METER_NOT_FOUND', 429: 'RATE_LIMITED' })
  async validateMeter(@Body() body: ValidateMeterDto, @ServiceCall() call: CallContext): Promise<MeterDto> {
    const meter = await this.backends.billing.call('ValidateMeter', { providerCode: body.provider, meterNumber: body.meterNumber }, call);
    this.checkedMeters.remember(meter);
    return toMeterDto(meter);
  }

  @Post('pay')
  @RateLimited('pay')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Pay an electricity bill from your wallet',
    description:
      'Checks the meter and the provider limits, holds the amount in your wallet, and answers 202 with the PENDING bill. ' +
      'Poll GET /api/bills/{id}: COMPLETED brings the token; FAILED returns the money (transaction REVERSED). ' +
      'Idempotent on `reference` (replay: header Idempotent-Replayed: true, same bill).',
  })
  @ApiAcceptedResponse({ type: BillDto })
  @ApiProblems({
    400: 'VALIDATION.FAILED',
    401: 'AUTH.UNAUTHENTICATED',
    409: 'IDEMPOTENCY.CONFLICT',
    422: 'WALLET.INSUFFICIENT_FUNDS',
    429: 'RATE_LIMITED',
  })
  async pay(@Body() body: PayBillDto, @ServiceCall() call: CallContext, @Res({ passthrough: true }) response: Response): Promise<BillDto> {
    const request = { amount: String(body.amount), reference: body.reference, meterNumber: body.meterNumber, providerCode: body.provider };
    // A reference that already started a payment answers from the wallet alone (its original
    // result, or 409 for another body), whatever the meter check says: a replay must succeed while
    // the provider is down or after the meter was blocked. So a failed check is final only for a
    // reference the wallet has not seen; the wallet is asked that only then, keeping the common
    // path (a meter that checks out) to two calls, or to one when this gateway saw the meter check
    // out lately and the amount is within its limits.
    if (!this.checkedMeters.accepts(body.provider, body.meterNumber, BigInt(request.amount))) {
      try {
        this.checkedMeters.remember(
          await this.backends.billing.call('ValidateMeter', { providerCode: body.provider, meterNumber: body.meterNumber, amount: request.amount }, call),
        );
      } catch (refusal) {
        const { payment: earlier } = await this.backends.wallet.call('FindPaymentByReference', { reference: body.reference }, call);
        if (!earlier) throw refusal;
      }
    }
    const initiation = await this.backends.wallet.call('InitiatePayment', request, call);
    response.setHeader(IDEMPOTENT_REPLAY_HEADER, String(initiation.replayed));
    if (!initiation.replayed) return pendingBill(initiation);
    // The bill as it stands now; while billing cannot say, the answer the first request got.
    return this.bill(initiation.paymentId, call).catch((error: unknown) => {
      if (error instanceof ServiceTimeoutError || error instanceof ServiceUnavailableError) return pendingBill(initiation);
      throw error;
    });
  }

  @Get()
  @ApiOperation({ summary: 'Your bill payments, newest first', description: 'Cursor pagination; filter by status, provider and creation time.' })
  @ApiOkResponse({ type: BillPageDto })
  @ApiProblems({ 400: 'VALIDATION.FAILED', 401: 'AUTH.UNAUTHENTICATED' })
  async list(@Query() query: BillQueryDto, @ServiceCall() call: CallContext): Promise<BillPageDto> {
    const page = await this.backends.billing.call(
      'ListBills',
      { limit: query.limit ?? DEFAULT_PAGE_SIZE, cursor: query.cursor, status: query.status, providerCode: query.provider, from: query.from, to: query.to },
      call,
    );
    return { items: page.items.map((bill) => toBillDto(bill)), nextCursor: page.nextCursor ?? null };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of your bill payments', description: "PENDING right after the 202, never 404 for your own bill; another user's bill is a 404." })
  @ApiOkResponse({ type: BillDto })
  @ApiProblems({ 400: 'VALIDATION.FAILED', 401: 'AUTH.UNAUTHENTICATED', 404: 'BILLING.BILL_NOT_FOUND' })
  async get(@Param('id') id: string, @ServiceCall() call: CallContext): Promise<BillDto> {
    return this.bill(requireUuidPathId(id), call);
  }

  private async bill(id: string, call: CallContext): Promise<BillDto> {
    const [payment, bill] = await Promise.all([
      this.orNotFound(this.backends.wallet.call('GetPayment', { paymentId: id }, call), WALLET_ERROR_CODES.paymentNotFound),
      this.orNotFound(this.backends.billing.call('GetBill', { billId: id }, call), BILLING_ERROR_CODES.billNotFound),
    ]);
    if (!payment) throw notFound();
    if (bill) return toBillDto(bill, payment);
    // The wallet accepted it and billing has not consumed the request yet: it is pending.
    return {
      id,
      status: 'PENDING',
      transactionId: payment.id,
      transactionStatus: oneOf(TRANSACTION_STATUSES, payment.status, 'transactionStatus'),
      amount: toApiAmount(payment.amount),
      currency: payment.currency,
      meterNumber: payment.details['meterNumber'] ?? '',
      providerCode: payment.details['providerCode'] ?? '',
      reference: payment.reference ?? '',
      token: null,
      units: null,
      providerReference: null,
      failureCode: null,
      failureMessage: null,
      createdAt: payment.createdAt,
      completedAt: null,
    };
  }

  private async orNotFound<T>(work: Promise<T>, code: string): Promise<T | undefined> {
    try {
      return await work;
    } catch (error) {
      if (error instanceof RemoteServiceError && error.code === code) return undefined;
      throw error;
    }
  }
}

function toMeterDto(meter: MeterValidation): MeterDto {
  return {
    ...meter,
    meterType: oneOf(METER_TYPES, meter.meterType, 'meterType'),
    minimumAmount: toApiAmount(meter.minimumAmount),
    maximumAmount: toApiAmount(meter.maximumAmount),
  };
}

/** The answer to a first pay request: the wallet holds the money and billing has yet to hear of it. */
function pendingBill(initiation: PaymentInitiation): BillDto {
  return {
    id: initiation.paymentId,
    status: 'PENDING',
    transactionId: initiation.transactionId,
    transactionStatus: oneOf(TRANSACTION_STATUSES, initiation.status, 'transactionStatus'),
    amount: toApiAmount(initiation.amount),
    currency: initiation.currency,
    meterNumber: initiation.meterNumber,
    providerCode: initiation.providerCode,
    reference: initiation.reference,
    token: null,
    units: null,
    providerReference: null,
    failureCode: null,
    failureMessage: null,
    createdAt: initiation.createdAt,
    completedAt: null,
  };
}

function toBillDto(bill: BillPayment, payment?: WalletTransaction): BillDto {
  return {
    id: bill.id,
    status: oneOf(BILL_STATUSES, bill.status, 'status'),
    transactionId: bill.transactionId,
    ...(payment ? { transactionStatus: oneOf(TRANSACTION_STATUSES, payment.status, 'transactionStatus') } : {}),
    amount: toApiAmount(bill.amount),
    currency: bill.currency,
    meterNumber: bill.meterNumber,
    providerCode: bill.providerCode,
    reference: bill.reference,
    token: bill.token ?? null,
    units: bill.units ?? null,
    providerReference: bill.providerReference ?? null,
    failureCode: bill.failureCode ?? null,
    failureMessage: bill.failureMessage ?? null,
    createdAt: bill.createdAt,
    completedAt: bill.completedAt ?? null,
  };
}
