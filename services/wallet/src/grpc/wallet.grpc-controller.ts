import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { Ctx, GrpcMethod, Payload } from '@nestjs/microservices';
import {
  FindPaymentByReferenceRequest,
  FundWalletRequest,
  GetBalanceRequest,
  GetPaymentRequest,
  GetTransactionRequest,
  InitiatePaymentRequest,
  ListTransactionsRequest,
  PaymentInitiation,
  PaymentLookup,
  ProcessorWebhook,
  ProcessorWebhookReceipt,
  TRANSACTION_STATUSES,
  TRANSACTION_TYPES,
  TransactionPage,
  WALLET_SERVICE,
  WalletBalance,
  WalletOperationResult,
  WalletTransaction,
} from '@bvs/contracts';
import { type AuthenticatedUser, Caller, CallAbandoned, FIELD, grpcRequestIdOf, PublicRoute, requireShape } from '@bvs/platform';
import { FundWalletHandler } from '../wallet/commands/fund-wallet/fund-wallet.handler';
import { ConfirmChargeHandler } from '../wallet/consumers/confirm-charge/confirm-charge.handler';
import { InitiatePaymentHandler } from '../wallet/commands/initiate-payment/initiate-payment.handler';
import { WalletQueries } from '../wallet/queries/wallet-queries';
import { amountFromWire } from '../wallet/service-errors';

const isReference = FIELD.matching(/^[A-Za-z0-9._:-]{1,64}$/);
const isShortText = FIELD.matching(/^.{1,64}$/);
/** Any string up to a hex SHA-512's length: a wrong one is refused by the signature check, and counted there. */
const isSignature = FIELD.matching(/^.{0,128}$/);

/**
 * The wallet's gRPC surface, called by the gateway for a verified caller: the wallet is always the
 * caller's own (the user comes from the access token, never from the request). Shapes are checked
 * again here: the gateway is not the only possible caller inside the cluster.
 */
@Controller()
export class WalletGrpcController {
  constructor(
    private readonly fundWallets: FundWalletHandler,
    private readonly initiatePayments: InitiatePaymentHandler,
    private readonly confirmCharges: ConfirmChargeHandler,
    private readonly queries: WalletQueries,
  ) {}

  @GrpcMethod(WALLET_SERVICE.service, 'GetBalance')
  getBalance(@Payload() _request: GetBalanceRequest, @Caller() caller: AuthenticatedUser): Promise<WalletBalance> {
    return this.queries.balance(caller.userId);
  }

  @GrpcMethod(WALLET_SERVICE.service, 'FundWallet')
  fundWallet(
    @Payload() request: FundWalletRequest,
    @Ctx() metadata: Metadata,
    @Caller() caller: AuthenticatedUser,
    @CallAbandoned() abandoned: AbortSignal,
  ): Promise<WalletOperationResult> {
    requireShape(request, { reference: isReference, amount: FIELD.string });
    const amount = amountFromWire(request.amount);
    return this.fundWallets.execute(
      { userId: caller.userId, amount, reference: request.reference },
      { correlationId: grpcRequestIdOf(metadata), causationId: null },
      abandoned,
    );
  }

  /** No access token: the processor's signature over the body is the credential, and the charge is verified with the processor before any credit. */
  @PublicRoute()
  @GrpcMethod(WALLET_SERVICE.service, 'AcceptProcessorWebhook')
  async acceptProcessorWebhook(@Payload() request: ProcessorWebhook, @Ctx() metadata: Metadata): Promise<ProcessorWebhookReceipt> {
    requireShape(request, { signature: isSignature });
    const outcome = await this.confirmCharges.acceptWebhook(request.payload, request.signature, { correlationId: grpcRequestIdOf(metadata), causationId: null });
    return { outcome };
  }

  @GrpcMethod(WALLET_SERVICE.service, 'InitiatePayment')
  initiatePayment(
    @Payload() request: InitiatePaymentRequest,
    @Ctx() metadata: Metadata,
    @Caller() caller: AuthenticatedUser,
    @CallAbandoned() abandoned: AbortSignal,
  ): Promise<PaymentInitiation> {
    requireShape(request, { reference: isReference, amount: FIELD.string, meterNumber: isShortText, providerCode: isShortText });
    const amount = amountFromWire(request.amount);
    return this.initiatePayments.execute(
      { userId: caller.userId, amount, reference: request.reference, meterNumber: request.meterNumber, providerCode: request.providerCode },
      { correlationId: grpcRequestIdOf(metadata), causationId: null },
      abandoned,
    );
  }

  @GrpcMethod(WALLET_SERVICE.service, 'FindPaymentByReference')
  async findPaymentByReference(@Payload() request: FindPaymentByReferenceRequest, @Caller() caller: AuthenticatedUser): Promise<PaymentLookup> {
    requireShape(request, { reference: isReference });
    const payment = await this.queries.paymentByReference(caller.userId, request.reference);
    return payment ? { payment } : {};
  }

  @GrpcMethod(WALLET_SERVICE.service, 'ListTransactions')
  listTransactions(@Payload() request: ListTransactionsRequest, @Caller() caller: AuthenticatedUser): Promise<TransactionPage> {
    requireShape(request, {
      limit: FIELD.integerBetween(1, 100),
      cursor: FIELD.optional(FIELD.string),
      type: FIELD.optional(FIELD.oneOf(TRANSACTION_TYPES)),
      status: FIELD.optional(FIELD.oneOf(TRANSACTION_STATUSES)),
      from: FIELD.optional(FIELD.instant),
      to: FIELD.optional(FIELD.instant),
    });
    return this.queries.list(caller.userId, request);
  }

  @GrpcMethod(WALLET_SERVICE.service, 'GetPayment')
  getPayment(@Payload() request: GetPaymentRequest, @Caller() caller: AuthenticatedUser): Promise<WalletTransaction> {
    requireShape(request, { paymentId: FIELD.uuid });
    return this.queries.payment(caller.userId, request.paymentId);
  }

  @GrpcMethod(WALLET_SERVICE.service, 'GetTransaction')
  getTransaction(@Payload() request: GetTransactionRequest, @Caller() caller: AuthenticatedUser): Promise<WalletTransaction> {
    requireShape(request, { transactionId: FIELD.uuid });
    return this.queries.transaction(caller.userId, request.transactionId);
  }
}
