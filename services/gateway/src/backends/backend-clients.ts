import type { OnApplicationShutdown } from '@nestjs/common';
import {
  AUTH_SERVICE,
  AuthServiceMethods,
  BILLING_SERVICE,
  BillingServiceMethods,
  HEALTH,
  HealthMethods,
  WALLET_SERVICE,
  WalletServiceMethods,
} from '@bvs/contracts';
import { GrpcServiceClient } from '@bvs/platform';
import type { GatewayEnv } from '../config/gateway-env';

/** Attempts of a call that is safe to repeat when no instance answered (grpc-js allows up to 5). */
const IDEMPOTENT_CALL_ATTEMPTS = 3;
/** A health check must answer fast or count as down: the readiness page has a deadline of its own. */
const HEALTH_CHECK_DEADLINE_MS = 1_500;

export const BACKENDS = ['auth', 'wallet', 'billing'] as const;
export type Backend = (typeof BACKENDS)[number];

/**
 * The gateway's gRPC clients of auth, wallet and billing, one channel per service spread
 * round-robin over its instances. Retried on UNAVAILABLE: reads, log-out, and the writes that are
 * idempotent by their client reference (fund, pay). Register, log-in and refresh are never
 * retried: each could act twice.
 */
export class BackendClients implements OnApplicationShutdown {
  readonly auth: GrpcServiceClient<AuthServiceMethods>;
  readonly wallet: GrpcServiceClient<WalletServiceMethods>;
  readonly billing: GrpcServiceClient<BillingServiceMethods>;
  private readonly health: Readonly<Record<Backend, GrpcServiceClient<HealthMethods>>>;

  constructor(env: GatewayEnv) {
    const common = { deadlineMs: env.REQUEST_TIMEOUT_MS, maxAttempts: IDEMPOTENT_CALL_ATTEMPTS };
    this.auth = new GrpcServiceClient<AuthServiceMethods>(AUTH_SERVICE, { ...common, target: env.AUTH_GRPC_TARGET, retriedMethods: ['GetProfile', 'LogOut'] });
    this.wallet = new GrpcServiceClient<WalletServiceMethods>(WALLET_SERVICE, {
      ...common,
      target: env.WALLET_GRPC_TARGET,
      retriedMethods: ['GetBalance', 'FundWallet', 'ListTransactions', 'GetTransaction', 'InitiatePayment', 'GetPayment', 'FindPaymentByReference'],
    });
    this.billing = new GrpcServiceClient<BillingServiceMethods>(BILLING_SERVICE, {
      ...common,
      target: env.BILLING_GRPC_TARGET,
      retriedMethods: ['ListProviders', 'ValidateMeter', 'GetBill', 'ListBills'],
    });
    const healthOf = (target: string) => new GrpcServiceClient<HealthMethods>(HEALTH, { target, deadlineMs: HEALTH_CHECK_DEADLINE_MS, maxAttempts: 1, retriedMethods: [] });
    this.health = { auth: healthOf(env.AUTH_GRPC_TARGET), wallet: healthOf(env.WALLET_GRPC_TARGET), billing: healthOf(env.BILLING_GRPC_TARGET) };
  }

  /** True when the backend says it is SERVING (the standard gRPC health check). */
  async isServing(backend: Backend): Promise<boolean> {
    const { status } = await this.health[backend].call('Check', { service: '' });
    return status === 'SERVING';
  }

  onApplicationShutdown(): void {
    for (const client of [this.auth, this.wallet, this.billing, ...Object.values(this.health)]) client.close();
  }
}
