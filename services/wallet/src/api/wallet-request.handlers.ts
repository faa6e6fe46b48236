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
import { FIELD, requireShape, rpcRequestIdOf } from '@bvs/platform';
import { WalletEnv } from '../config/wallet-env';
import { parseAmount } from '../domain/amount';
import { WalletLedger } from '../ledger/wallet-ledger.service';
import { WalletQueries } from '../ledger/wallet-queries.service';

const isReference = FIELD.matching(/^[A-Za-z0-9._:-]{1,64}$/);
const isShortText = FIELD.matching(/^.{1,64}$/);

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
    requireShape(request, { userId: FIELD.uuid });
    return this.queries.balance(request.userId);
  }

  @MessagePattern(WALLET_PATTERNS.fund)
  fund(@Payload() request: FundWalletRequest, @Ctx() context: KafkaContext): Promise<WalletOperationResult> {
    requireShape(request, { userId: FIELD.uuid, reference: isReference, amount: FIELD.string });
    const amount = parseAmount(request.amount, BigInt(this.env.MAX_FUNDING_AMOUNT));
    return this.ledger.fund({ userId: request.userId, amount, reference: request.reference }, { correlationId: rpcRequestIdOf(context), causationId: null });
  }

  @MessagePattern(WALLET_PATTERNS.initiatePayment)
  initiatePayment(@Payload() request: InitiatePaymentRequest, @Ctx() context: KafkaContext): Promise<PaymentInitiation> {
    requireShape(request, { userId: FIELD.uuid, reference: isReference, amount: FIELD.string, meterNumber: isShortText, providerCode: isShortText });
    const amount = parseAmount(request.amount, BigInt(this.env.MAX_PAYMENT_AMOUNT));
    return this.ledger.initiatePayment(
      { userId: request.userId, amount, reference: request.reference, meterNumber: request.meterNumber, providerCode: request.providerCode },
      { correlationId: rpcRequestIdOf(context), causationId: null },
    );
  }

  @MessagePattern(WALLET_PATTERNS.listTransactions)
  list(@Payload() request: ListTransactionsRequest): Promise<TransactionPage> {
    requireShape(request, {
      userId: FIELD.uuid,
      limit: FIELD.integerBetween(1, 100),
      cursor: FIELD.optional(FIELD.string),
      type: FIELD.optional(FIELD.oneOf(TRANSACTION_TYPES)),
      status: FIELD.optional(FIELD.oneOf(TRANSACTION_STATUSES)),
      from: FIELD.optional(FIELD.instant),
      to: FIELD.optional(FIELD.instant),
    });
    return this.queries.list(request);
  }

  @MessagePattern(WALLET_PATTERNS.getPayment)
  payment(@Payload() request: GetPaymentRequest): Promise<WalletTransaction> {
    requireShape(request, { userId: FIELD.uuid, paymentId: FIELD.uuid });
    return this.queries.payment(request.userId, request.paymentId);
  }

  @MessagePattern(WALLET_PATTERNS.getTransaction)
  transaction(@Payload() request: GetTransactionRequest): Promise<WalletTransaction> {
    requireShape(request, { userId: FIELD.uuid, transactionId: FIELD.uuid });
    return this.queries.transaction(request.userId, request.transactionId);
  }
}
