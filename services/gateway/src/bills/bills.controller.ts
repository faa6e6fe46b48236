import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  BILLING_ERROR_CODES,
  BILLING_PATTERNS,
  BillPage,
  BillPayment,
  ElectricityProvider,
  MeterValidation,
  PaymentInitiation,
  WALLET_ERROR_CODES,
  WALLET_PATTERNS,
  WalletTransaction,
} from '@bvs/contracts';
import { KafkaRequestClient, RemoteServiceError } from '@bvs/platform';
import type { Request, Response } from 'express';
import type { AuthenticatedUser } from '../auth/access-token-verifier';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiProblems } from '../http/api-problems.decorator';
import { DEFAULT_PAGE_SIZE } from '../http/page-query.dto';
import { ProblemError } from '../http/problem-error';
import { requestHeadersOf } from '../messaging/request-headers';
import { toApiAmount } from '../wallets/money';
import { IDEMPOTENT_REPLAY_HEADER } from '../wallets/wallets.controller';
import { BillDto, BillPageDto, BillQueryDto, MeterDto, PayBillDto, ProviderListDto, ValidateMeterDto } from './bills.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const notFound = () => new ProblemError(404, BILLING_ERROR_CODES.billNotFound, 'Not Found', 'No such bill payment.');

/**
 * Bills span two services: billing knows the vend, the wallet knows the money. The gateway joins
 * them, so a bill is visible from the moment the wallet accepted it (before billing has heard of
 * it) and always shows the wallet's side next to the provider's.
 */
@ApiTags('bills')
@ApiBearerAuth()
@Controller('bills')
export class BillsController {
  constructor(private readonly services: KafkaRequestClient) {}

  @Get('providers')
  @ApiOperation({ summary: 'Electricity distribution companies', description: 'With their meter type, limits and fee; amounts in minor units.' })
  @ApiOkResponse({ type: ProviderListDto })
  @ApiProblems({ 401: 'AUTH.UNAUTHENTICATED', 503: 'BILLING.PROVIDER_UNAVAILABLE' })
  async providers(@CurrentUser() user: AuthenticatedUser, @Req() request: Request): Promise<ProviderListDto> {
    const { providers } = await this.services.request<{ providers: ElectricityProvider[] }>(BILLING_PATTERNS.listProviders, {}, this.options(user, request));
    return {
      providers: providers.map((provider) => ({
        ...provider,
        minimumAmount: toApiAmount(provider.minimumAmount),
        maximumAmount: toApiAmount(provider.maximumAmount),
        fee: toApiAmount(provider.fee),
      })),
    };
  }

  @Post('validate-meter')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Check a meter before paying', description: "Returns the customer's name and address for the payer to confirm." })
  @ApiOkResponse({ type: MeterDto })
  @ApiProblems({ 400: 'BILLING.UNKNOWN_PROVIDER', 401: 'AUTH.UNAUTHENTICATED', 422: 'BILLING.METER_NOT_FOUND' })
  async validateMeter(@CurrentUser() user: AuthenticatedUser, @Body() body: ValidateMeterDto, @Req() request: Request): Promise<MeterDto> {
    return toMeterDto(await this.validate(user, request, body.provider, body.meterNumber));
  }

  @Post('pay')
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
  })
  async pay(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: PayBillDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<BillDto> {
    await this.validate(user, request, body.provider, body.meterNumber, String(body.amount));
    const initiation = await this.services.request<PaymentInitiation>(
      WALLET_PATTERNS.initiatePayment,
      { userId: user.userId, amount: String(body.amount), reference: body.reference, meterNumber: body.meterNumber, providerCode: body.provider },
      this.options(user, request),
    );
    response.setHeader(IDEMPOTENT_REPLAY_HEADER, String(initiation.replayed));
    if (initiation.replayed) return this.bill(user, initiation.paymentId, request);
    return {
      id: initiation.paymentId,
      status: 'PENDING',
      transactionId: initiation.transactionId,
      transactionStatus: initiation.status,
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

  @Get()
  @ApiOperation({ summary: 'Your bill payments, newest first', description: 'Cursor pagination; filter by status, provider and creation time.' })
  @ApiOkResponse({ type: BillPageDto })
  @ApiProblems({ 400: 'VALIDATION.FAILED', 401: 'AUTH.UNAUTHENTICATED' })
  async list(@CurrentUser() user: AuthenticatedUser, @Query() query: BillQueryDto, @Req() request: Request): Promise<BillPageDto> {
    const page = await this.services.request<BillPage>(
      BILLING_PATTERNS.listBills,
      { userId: user.userId, limit: query.limit ?? DEFAULT_PAGE_SIZE, cursor: query.cursor, status: query.status, providerCode: query.provider, from: query.from, to: query.to },
      this.options(user, request),
    );
    return { items: page.items.map((bill) => toBillDto(bill)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of your bill payments', description: "PENDING right after the 202, never 404 for your own bill; another user's bill is a 404." })
  @ApiOkResponse({ type: BillDto })
  @ApiProblems({ 401: 'AUTH.UNAUTHENTICATED', 404: 'BILLING.BILL_NOT_FOUND' })
  async get(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string, @Req() request: Request): Promise<BillDto> {
    if (!UUID.test(id)) throw notFound();
    return this.bill(user, id, request);
  }

  private async bill(user: AuthenticatedUser, id: string, request: Request): Promise<BillDto> {
    const [payment, bill] = await Promise.all([
      this.orNotFound(this.services.request<WalletTransaction>(WALLET_PATTERNS.getPayment, { userId: user.userId, paymentId: id }, this.options(user, request)), WALLET_ERROR_CODES.paymentNotFound),
      this.orNotFound(this.services.request<BillPayment>(BILLING_PATTERNS.getBill, { userId: user.userId, billId: id }, this.options(user, request)), BILLING_ERROR_CODES.billNotFound),
    ]);
    if (!payment) throw notFound();
    if (bill) return toBillDto(bill, payment);
    // The wallet accepted it and billing has not consumed the request yet: it is pending.
    return {
      id,
      status: 'PENDING',
      transactionId: payment.id,
      transactionStatus: payment.status,
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

  private async validate(user: AuthenticatedUser, request: Request, providerCode: string, meterNumber: string, amount?: string): Promise<MeterValidation> {
    return this.services.request<MeterValidation>(BILLING_PATTERNS.validateMeter, { providerCode, meterNumber, amount }, this.options(user, request));
  }

  private async orNotFound<T>(work: Promise<T>, code: string): Promise<T | undefined> {
    try {
      return await work;
    } catch (error) {
      if (error instanceof RemoteServiceError && error.code === code) return undefined;
      throw error;
    }
  }

  private options(user: AuthenticatedUser, request: Request) {
    return { key: user.userId, headers: requestHeadersOf(request) };
  }
}

function toMeterDto(meter: MeterValidation): MeterDto {
  return { ...meter, minimumAmount: toApiAmount(meter.minimumAmount), maximumAmount: toApiAmount(meter.maximumAmount) };
}

function toBillDto(bill: BillPayment, payment?: WalletTransaction): BillDto {
  return {
    id: bill.id,
    status: bill.status,
    transactionId: bill.transactionId,
    ...(payment ? { transactionStatus: payment.status } : {}),
    amount: toApiAmount(bill.amount),
    currency: bill.currency,
    meterNumber: bill.meterNumber,
    providerCode: bill.providerCode,
    reference: bill.reference,
    token: bill.token,
    units: bill.units,
    providerReference: bill.providerReference,
    failureCode: bill.failureCode,
    failureMessage: bill.failureMessage,
    createdAt: bill.createdAt,
    completedAt: bill.completedAt,
  };
}
