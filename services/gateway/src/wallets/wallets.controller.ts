import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TransactionPage, WALLET_PATTERNS, WalletBalance, WalletOperationResult, WalletTransaction } from '@bvs/contracts';
import { KafkaRequestClient } from '@bvs/platform';
import type { Request, Response } from 'express';
import type { AuthenticatedUser } from '../auth/access-token-verifier';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiProblems } from '../http/api-problems.decorator';
import { DEFAULT_PAGE_SIZE } from '../http/page-query.dto';
import { ProblemError } from '../http/problem-error';
import { requestHeadersOf } from '../messaging/request-headers';
import { BalanceDto, FundWalletDto, TransactionDto, TransactionPageDto, TransactionQueryDto } from './dto/wallet.dto';
import { toBalanceDto, toTransactionDto } from './money';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const IDEMPOTENT_REPLAY_HEADER = 'Idempotent-Replayed';

@ApiTags('wallets')
@ApiBearerAuth()
@Controller()
export class WalletsController {
  constructor(private readonly services: KafkaRequestClient) {}

  @Get('wallets/balance')
  @ApiOperation({ summary: 'Balance of your wallet', description: 'Amounts in minor units. The wallet is created on first use if needed.' })
  @ApiOkResponse({ type: BalanceDto })
  @ApiProblems({ 401: 'AUTH.UNAUTHENTICATED' })
  async balance(@CurrentUser() user: AuthenticatedUser, @Req() request: Request): Promise<BalanceDto> {
    const balance = await this.services.request<WalletBalance>(WALLET_PATTERNS.balance, { userId: user.userId }, this.options(user, request));
    return toBalanceDto(balance);
  }

  @Post('wallets/fund')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Add money to your wallet',
    description: 'Idempotent on `reference`: a replay returns the original transaction with the `Idempotent-Replayed: true` header and moves no money.',
  })
  @ApiCreatedResponse({ type: TransactionDto, headers: { [IDEMPOTENT_REPLAY_HEADER]: { description: 'true when this answers a replayed reference', schema: { type: 'string' } } } })
  @ApiProblems({ 400: 'WALLET.INVALID_AMOUNT', 401: 'AUTH.UNAUTHENTICATED', 409: 'IDEMPOTENCY.CONFLICT' })
  async fund(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: FundWalletDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TransactionDto> {
    const result = await this.services.request<WalletOperationResult>(
      WALLET_PATTERNS.fund,
      { userId: user.userId, amount: String(body.amount), reference: body.reference },
      this.options(user, request),
    );
    response.setHeader(IDEMPOTENT_REPLAY_HEADER, String(result.replayed));
    return toTransactionDto(result.transaction);
  }

  @Get('wallets/transactions')
  @ApiOperation({ summary: 'Your wallet history, newest first', description: 'Cursor pagination; filter by type, status and creation time.' })
  @ApiOkResponse({ type: TransactionPageDto })
  @ApiProblems({ 400: 'VALIDATION.FAILED', 401: 'AUTH.UNAUTHENTICATED' })
  walletTransactions(@CurrentUser() user: AuthenticatedUser, @Query() query: TransactionQueryDto, @Req() request: Request): Promise<TransactionPageDto> {
    return this.list(user, query, request);
  }

  @Get('transactions')
  @ApiOperation({ summary: 'Your transactions, newest first', description: 'The same list as /wallets/transactions.' })
  @ApiOkResponse({ type: TransactionPageDto })
  @ApiProblems({ 400: 'VALIDATION.FAILED', 401: 'AUTH.UNAUTHENTICATED' })
  transactions(@CurrentUser() user: AuthenticatedUser, @Query() query: TransactionQueryDto, @Req() request: Request): Promise<TransactionPageDto> {
    return this.list(user, query, request);
  }

  @Get('transactions/:id')
  @ApiOperation({ summary: 'One of your transactions', description: "Another user's transaction is a 404, as is an unknown id." })
  @ApiOkResponse({ type: TransactionDto })
  @ApiProblems({ 401: 'AUTH.UNAUTHENTICATED', 404: 'WALLET.TRANSACTION_NOT_FOUND' })
  async transaction(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string, @Req() request: Request): Promise<TransactionDto> {
    if (!UUID.test(id)) throw new ProblemError(404, 'WALLET.TRANSACTION_NOT_FOUND', 'Not Found', 'No such transaction.');
    const transaction = await this.services.request<WalletTransaction>(
      WALLET_PATTERNS.getTransaction,
      { userId: user.userId, transactionId: id },
      this.options(user, request),
    );
    return toTransactionDto(transaction);
  }

  private async list(user: AuthenticatedUser, query: TransactionQueryDto, request: Request): Promise<TransactionPageDto> {
    const page = await this.services.request<TransactionPage>(
      WALLET_PATTERNS.listTransactions,
      { userId: user.userId, limit: query.limit ?? DEFAULT_PAGE_SIZE, cursor: query.cursor, type: query.type, status: query.status, from: query.from, to: query.to },
      this.options(user, request),
    );
    return { items: page.items.map(toTransactionDto), nextCursor: page.nextCursor };
  }

  /** Keyed by user, so one user's requests stay in order on one partition. */
  private options(user: AuthenticatedUser, request: Request) {
    return { key: user.userId, headers: requestHeadersOf(request) };
  }
}
