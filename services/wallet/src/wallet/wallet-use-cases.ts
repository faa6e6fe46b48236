import type { Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Alerts, MetricsRegistry } from '@bvs/platform';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { WalletEnv } from '../config/wallet-env';
import { FundWalletHandler } from './commands/fund-wallet/fund-wallet.handler';
import { IdempotentWalletCommand } from './commands/idempotent-wallet-command';
import { InitiateChargeHandler } from './commands/initiate-charge/initiate-charge.handler';
import { InitiatePaymentHandler } from './commands/initiate-payment/initiate-payment.handler';
import { AdmitEveryPayment, PaymentAdmission, PendingPaymentsBound } from './commands/initiate-payment/payment-admission';
import { OpenWalletHandler } from './commands/open-wallet/open-wallet.handler';
import { ConfirmChargeHandler } from './consumers/confirm-charge/confirm-charge.handler';
import { PaymentOutcomeApplier } from './consumers/payment-outcome-applier';
import { PendingFundingReconciler } from './consumers/reconcile-fundings/pending-funding-reconciler';
import { ReverseFailedPaymentHandler } from './consumers/reverse-failed-payment/reverse-failed-payment.handler';
import { SettleCompletedPaymentHandler } from './consumers/settle-completed-payment/settle-completed-payment.handler';
import { AcceptedRequestsStore } from './persistence/accepted-requests-store';
import { RequestStateStore } from './persistence/request-state-store';
import { SettledOutcomesStore } from './persistence/settled-outcomes-store';
import { FundingRepository } from './persistence/funding-repository';
import { countPendingPayments } from './persistence/pending-payments';
import { LedgerRepository } from './persistence/ledger-repository';
import { WalletHistoryRepository } from './persistence/wallet-history-repository';
import { WalletRepository } from './persistence/wallet-repository';
import { WalletQueries } from './queries/wallet-queries';
import { NoPaymentProcessor, PaymentProcessor } from './processor/payment-processor';
import { PaystackProcessor } from './processor/paystack-processor';

/** The processor the environment names (Paystack's API shape), or none: then only a sandbox can fund. */
export function paymentProcessorFor(env: WalletEnv, metrics: MetricsRegistry): PaymentProcessor {
  if (!env.PAYMENT_PROCESSOR_BASE_URL || !env.PAYMENT_PROCESSOR_SECRET_KEY) return new NoPaymentProcessor();
  return new PaystackProcessor(
    {
      baseUrl: env.PAYMENT_PROCESSOR_BASE_URL.replace(/\/+$/, ''),
      secretKey: env.PAYMENT_PROCESSOR_SECRET_KEY,
      timeoutMs: env.PAYMENT_PROCESSOR_TIMEOUT_MS,
      maxConnections: env.PAYMENT_PROCESSOR_MAX_CONNECTIONS,
    },
    metrics,
  );
}

/** The service's bound on payments in flight (`MAX_PENDING_PAYMENTS`), with a gauge of the payments waiting for room. */
export function pendingPaymentsBoundFor(dataSource: DataSource, env: WalletEnv, metrics: MetricsRegistry): PaymentAdmission {
  const bound = new PendingPaymentsBound(() => countPendingPayments(dataSource.manager), {
    maxPending: env.MAX_PENDING_PAYMENTS,
    maxWaitMs: env.PAYMENT_ADMISSION_WAIT_MS,
    maxWaiting: env.MAX_QUEUED_REQUESTS,
    readEveryMs: env.PENDING_PAYMENTS_READ_MS,
  });
  new Gauge({
    name: 'bvs_wallet_payments_waiting_for_room',
    help: 'Payments of this replica waiting for the payments in flight to fall under MAX_PENDING_PAYMENTS',
    registers: [metrics],
    collect() {
      this.set(bound.waitingCount);
    },
  });
  return bound;
}

/** The wallet's use cases and what they stand on, for the application module to provide. */
export const WALLET_PROVIDERS: Provider[] = [
  WalletRepository,
  LedgerRepository,
  AcceptedRequestsStore,
  SettledOutcomesStore,
  RequestStateStore,
  FundingRepository,
  WalletHistoryRepository,
  { provide: PaymentProcessor, useFactory: paymentProcessorFor, inject: [WalletEnv, MetricsRegistry] },
  { provide: PaymentAdmission, useFactory: pendingPaymentsBoundFor, inject: [getDataSourceToken(), WalletEnv, MetricsRegistry] },
  OpenWalletHandler,
  IdempotentWalletCommand,
  InitiateChargeHandler,
  FundWalletHandler,
  ConfirmChargeHandler,
  PendingFundingReconciler,
  InitiatePaymentHandler,
  PaymentOutcomeApplier,
  SettleCompletedPaymentHandler,
  ReverseFailedPaymentHandler,
  WalletQueries,
];

export interface WalletUseCases {
  readonly openWallet: OpenWalletHandler;
  readonly fundWallet: FundWalletHandler;
  readonly confirmCharge: ConfirmChargeHandler;
  readonly fundingReconciler: PendingFundingReconciler;
  readonly initiatePayment: InitiatePaymentHandler;
  readonly settleCompletedPayment: SettleCompletedPaymentHandler;
  readonly reverseFailedPayment: ReverseFailedPaymentHandler;
  readonly queries: WalletQueries;
}

/**
 * The same use cases wired by hand, for the tools that run them without the Nest application
 * (benchmark, test harness); the processor is the one the environment names unless one is given.
 */
export function createWalletUseCases(dataSource: DataSource, env: WalletEnv, processor?: PaymentProcessor): WalletUseCases {
  const metrics = new MetricsRegistry();
  const wallets = new WalletRepository();
  const ledger = new LedgerRepository();
  const fundings = new FundingRepository();
  const charges = processor ?? paymentProcessorFor(env, metrics);
  const openWallet = new OpenWalletHandler(dataSource, wallets, env);
  const requests = new IdempotentWalletCommand(dataSource, new RequestStateStore(wallets), new AcceptedRequestsStore(), env, metrics);
  // Recorded and logged; a tool run by hand sends no alert anywhere.
  const alerts = new Alerts(dataSource, 'wallet', { url: undefined, attempts: 1, timeoutMs: 1_000, intervalMs: 60_000 });
  const outcomes = new PaymentOutcomeApplier(wallets, ledger, new SettledOutcomesStore(), env, alerts);
  const confirmCharge = new ConfirmChargeHandler(dataSource, wallets, fundings, ledger, charges, env, alerts, metrics);
  return {
    openWallet,
    fundWallet: new FundWalletHandler(requests, new InitiateChargeHandler(dataSource, wallets, ledger, fundings, charges, env), env),
    confirmCharge,
    fundingReconciler: new PendingFundingReconciler(dataSource, fundings, confirmCharge, env),
    initiatePayment: new InitiatePaymentHandler(requests, env, new AdmitEveryPayment()),
    settleCompletedPayment: new SettleCompletedPaymentHandler(outcomes),
    reverseFailedPayment: new ReverseFailedPaymentHandler(outcomes),
    queries: new WalletQueries(openWallet, new WalletHistoryRepository(dataSource)),
  };
}
