import { Controller } from '@nestjs/common';
import { Ctx, KafkaContext, MessagePattern, Payload } from '@nestjs/microservices';
import {
  FundWalletRequest,
  GetBalanceRequest,
  GetPaymentRequest,
  GetTransactionRequest,
  InitiatePaymentRequest,
  ListTransactionsRequest,
  PaymentInitiation,
  TRANSACTION_STATUSES,
  TRANSACTION_TYPES,
  TransactionPage,
  WALLET_PATTERNS,
  WalletBalance,
  WalletOperationResult,
  WalletTransaction,
} from '@bvs/contracts';
import { rpcRequestIdOf } from '@bvs/platform';
import { WalletEnv } from '../config/wallet-env';
import { parseAmount } from '../domain/amount';
import { WalletLedger } from '../ledger/wallet-ledger.service';
import { WalletQueries } from '../ledger/wallet-queries.service';
import { isInstant, isPageSize, isReference, isShortText, isString, isUuid, oneOf, optional, requireFields } from './request-checks';

/** The wallet's request-reply surface, called by the gateway. */
@Controller()
export class WalletRequestHandlers {
  constructor(
    private readonly ledger: WalletLedger,
    private readonly queries: WalletQueries,
    private readonly env: WalletEnv,
  ) {}

  @MessagePattern(WALLET_PATTERNS.balance)
  balance(@Payload() request: GetBalanceRequest): Promise<WalletBalance> {
    requireFields(request, { userId: isUuid });
    return this.queries.balance(request.userId);
  }

  @MessagePattern(WALLET_PATTERNS.fund)
  fund(@Payload() request: FundWalletRequest, @Ctx() context: KafkaContext): Promise<WalletOperationResult> {
    requireFields(request, { userId: isUuid, reference: isReference, amount: isString });
    const amount = parseAmount(request.amount, BigInt(this.env.MAX_FUNDING_AMOUNT));
    return this.ledger.fund({ userId: request.userId, amount, reference: request.reference }, { correlationId: rpcRequestIdOf(context), causationId: null });
  }

  @MessagePattern(WALLET_PATTERNS.initiatePayment)
  initiatePayment(@Payload() request: InitiatePaymentRequest, @Ctx() context: KafkaContext): Promise<PaymentInitiation> {
    requireFields(request, { userId: isUuid, reference: isReference, amount: isString, meterNumber: isShortText, providerCode: isShortText });
    const amount = parseAmount(request.amount, BigInt(this.env.MAX_PAYMENT_AMOUNT));
    return this.ledger.initiatePayment(
      { userId: request.userId, amount, reference: request.reference, meterNumber: request.meterNumber, providerCode: request.providerCode },
      { correlationId: rpcRequestIdOf(context), causationId: null },
    );
  }

  @MessagePattern(WALLET_PATTERNS.listTransactions)
  list(@Payload() request: ListTransactionsRequest): Promise<TransactionPage> {
    requireFields(request, {
      userId: isUuid,
      limit: isPageSize,
      cursor: optional(isString),
      type: optional(oneOf(TRANSACTION_TYPES)),
      status: optional(oneOf(TRANSACTION_STATUSES)),
      from: optional(isInstant),
      to: optional(isInstant),
    });
    return this.queries.list(request);
  }

  @MessagePattern(WALLET_PATTERNS.getPayment)
  payment(@Payload() request: GetPaymentRequest): Promise<WalletTransaction> {
    requireFields(request, { userId: isUuid, paymentId: isUuid });
    return this.queries.payment(request.userId, request.paymentId);
  }

  @MessagePattern(WALLET_PATTERNS.getTransaction)
  transaction(@Payload() request: GetTransactionRequest): Promise<WalletTransaction> {
    requireFields(request, { userId: isUuid, transactionId: isUuid });
    return this.queries.transaction(request.userId, request.transactionId);
  }
}
