import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CallContext } from '@bvs/platform';
import type { Response } from 'express';
import { BackendClients } from '../backends/backend-clients';
import { ServiceCall } from '../backends/service-call.decorator';
import { ApiProblems } from '../http/api-problems.decorator';
import { DEFAULT_PAGE_SIZE } from '../http/page-query.dto';
import { requireUuidPathId } from '../http/validation';
import { RateLimited } from '../limits/rate-limit.decorator';
import { BalanceDto, FundingDto, FundWalletDto, TransactionDto, TransactionPageDto, TransactionQueryDto } from './dto/wallet.dto';
import { toBalanceDto, toTransactionDto } from './money';


export const IDEMPOTENT_REPLAY_HEADER = 'Idempotent-Replayed';

@ApiTags('wallets')
@Controller()
export class WalletsController {
  constructor(private readonly backends: BackendClients) {}

  @Get('wallets/balance')
  @ApiOperation({ summary: 'Balance of your wallet', description: 'Amounts in minor units. The wallet is created on first use if needed.' })
  @ApiOkResponse({ type: BalanceDto })
  @ApiProblems({ 401: 'AUTH.UNAUTHENTICATED' })
  async balance(@ServiceCall() call: CallContext): Promise<BalanceDto> {
    return toBalanceDto(await this.backends.wallet.call('GetBalance', {}, call));
  }

  @Post('wallets/fund')
  @RateLimited('fund')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Add money to your wallet',
    description:
      'Starts a charge with the payment processor and answers 202 with a PENDING FUNDING, the processor\'s reference and its checkout page. ' +
      'The wallet is credited when the processor confirms the charge (a signed webhook, then a verification with the processor); ' +
      'follow it with GET /api/transactions/{id} or the balance. The local sandbox card pays at once. ' +
      'Idempotent on `reference`: a replay returns the same funding, in its current status, with the `Idempotent-Replayed: true` header, and starts no second charge. ' +
      'A 503 WALLET.PROCESSOR_UNAVAILABLE charged nothing: retry with the same reference. ' +
      'A sandbox deployment (SANDBOX_DIRECT_FUNDING on the wallet service) credits at once and answers 201 with a COMPLETED FUNDING; ' +
      'a deployment with neither answers 403 WALLET.FUNDING_DISABLED.',
  })
  @ApiAcceptedResponse({ type: FundingDto, headers: { [IDEMPOTENT_REPLAY_HEADER]: { description: 'true when this answers a replayed reference', schema: { type: 'string' } } } })
  @ApiCreatedResponse({ type: FundingDto, description: 'Sandbox only: credited at once.' })
  @ApiProblems({ 400: 'WALLET.INVALID_AMOUNT', 401: 'AUTH.UNAUTHENTICATED', 403: 'WALLET.FUNDING_DISABLED', 409: 'IDEMPOTENCY.CONFLICT', 429: 'RATE_LIMITED' })
  async fund(@Body() body: FundWalletDto, @ServiceCall() call: CallContext, @Res({ passthrough: true }) response: Response): Promise<FundingDto> {
    const result = await this.backends.wallet.call('FundWallet', { amount: String(body.amount), reference: body.reference }, call);
    response.setHeader(IDEMPOTENT_REPLAY_HEADER, String(result.replayed));
    const transaction = toTransactionDto(result.transaction);
    const processorReference = transaction.details['processorReference'] ?? null;
    if (processorReference === null) response.status(HttpStatus.CREATED);
    return { ...transaction, processorReference, checkoutUrl: transaction.details['checkoutUrl'] ?? null };
  }

  @Get('wallets/transactions')
  @ApiOperation({ summary: 'Your wallet history, newest first', description: 'Cursor pagination; filter by type, status and creation time.' })
  @ApiOkResponse({ type: TransactionPageDto })
  @ApiProblems({ 400: 'VALIDATION.FAILED', 401: 'AUTH.UNAUTHENTICATED' })
  walletTransactions(@Query() query: TransactionQueryDto, @ServiceCall() call: CallContext): Promise<TransactionPageDto> {
    return this.list(query, call);
  }

  @Get('transactions')
  @ApiOperation({ summary: 'Your transactions, newest first', description: 'The same list as /wallets/transactions.' })
  @ApiOkResponse({ type: TransactionPageDto })
  @ApiProblems({ 400: 'VALIDATION.FAILED', 401: 'AUTH.UNAUTHENTICATED' })
  transactions(@Query() query: TransactionQueryDto, @ServiceCall() call: CallContext): Promise<TransactionPageDto> {
    return this.list(query, call);
  }

  @Get('transactions/:id')
  @ApiOperation({ summary: 'One of your transactions', description: "Another user's transaction is a 404, as is an unknown id." })
  @ApiOkResponse({ type: TransactionDto })
  @ApiProblems({ 400: 'VALIDATION.FAILED', 401: 'AUTH.UNAUTHENTICATED', 404: 'WALLET.TRANSACTION_NOT_FOUND' })
  async transaction(@Param('id') id: string, @ServiceCall() call: CallContext): Promise<TransactionDto> {
    return toTransactionDto(await this.backends.wallet.call('GetTransaction', { transactionId: requireUuidPathId(id) }, call));
  }

  private async list(query: TransactionQueryDto, call: CallContext): Promise<TransactionPageDto> {
    const page = await this.backends.wallet.call(
      'ListTransactions',
      { limit: query.limit ?? DEFAULT_PAGE_SIZE, cursor: query.cursor, type: query.type, status: query.status, from: query.from, to: query.to },
      call,
    );
    return { items: page.items.map(toTransactionDto), nextCursor: page.nextCursor ?? null };
  }
}
