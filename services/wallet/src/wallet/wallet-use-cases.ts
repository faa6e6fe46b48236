import type { DataSource } from 'typeorm';
import { WalletEnv } from '../config/wallet-env';
import { FundWalletHandler } from './commands/fund-wallet/fund-wallet.handler';
import { IdempotentWalletCommand } from './commands/idempotent-wallet-command';
import { InitiatePaymentHandler } from './commands/initiate-payment/initiate-payment.handler';
import { OpenWalletHandler } from './commands/open-wallet/open-wallet.handler';
import { PaymentOutcomeApplier } from './consumers/payment-outcome-applier';
import { ReverseFailedPaymentHandler } from './consumers/reverse-failed-payment/reverse-failed-payment.handler';
import { SettleCompletedPaymentHandler } from './consumers/settle-completed-payment/settle-completed-payment.handler';
import { LedgerRepository } from './persistence/ledger-repository';
import { WalletHistoryRepository } from './persistence/wallet-history-repository';
import { WalletRepository } from './persistence/wallet-repository';
import { WalletQueries } from './queries/wallet-queries';

/** The wallet's use cases and what they stand on, for the application module to provide. */
export const WALLET_PROVIDERS = [
  WalletRepository,
  LedgerRepository,
  WalletHistoryRepository,
  OpenWalletHandler,
  IdempotentWalletCommand,
  FundWalletHandler,
  InitiatePaymentHandler,
  PaymentOutcomeApplier,
  SettleCompletedPaymentHandler,
  ReverseFailedPaymentHandler,
  WalletQueries,
];

export interface WalletUseCases {
  readonly openWallet: OpenWalletHandler;
  readonly fundWallet: FundWalletHandler;
  readonly initiatePayment: InitiatePaymentHandler;
  readonly settleCompletedPayment: SettleCompletedPaymentHandler;
  readonly reverseFailedPayment: ReverseFailedPaymentHandler;
  readonly queries: WalletQueries;
}

/** The same use cases wired by hand, for the tools that run them without the Nest application (benchmark, test harness). */
export function createWalletUseCases(dataSource: DataSource, env: WalletEnv): WalletUseCases {
  const wallets = new WalletRepository();
  const ledger = new LedgerRepository();
  const openWallet = new OpenWalletHandler(dataSource, wallets, env);
  const requests = new IdempotentWalletCommand(dataSource, wallets, ledger, env);
  const outcomes = new PaymentOutcomeApplier(wallets, ledger, env);
  return {
    openWallet,
    fundWallet: new FundWalletHandler(requests, env),
    initiatePayment: new InitiatePaymentHandler(requests, env),
    settleCompletedPayment: new SettleCompletedPaymentHandler(outcomes),
    reverseFailedPayment: new ReverseFailedPaymentHandler(outcomes),
    queries: new WalletQueries(openWallet, new WalletHistoryRepository(dataSource)),
  };
}
