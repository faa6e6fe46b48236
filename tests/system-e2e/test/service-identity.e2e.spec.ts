import { randomUUID } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { AUTH_SERVICE, AuthServiceMethods, BILLING_SERVICE, BillingServiceMethods, WALLET_SERVICE, WalletServiceMethods } from '@bvs/contracts';
import { GrpcServiceClient, RemoteServiceError } from '@bvs/platform';
import { eventually, testSigningKeys } from '@bvs/platform/testing';
import { call } from './support/http';
import { RunningSystem } from './support/system';
import { signEs256 } from './support/tokens';

const CALL_DEADLINE_MS = 5_000;

/** What each call ended with: the answer, or the gRPC status and stable code of the refusal. */
async function outcomeOf(work: Promise<unknown>): Promise<{ grpcStatus: number; code: string } | 'answered'> {
  try {
    await work;
    return 'answered';
  } catch (error) {
    if (error instanceof RemoteServiceError) return { grpcStatus: error.grpcStatus, code: error.code };
    throw error;
  }
}

/**
 * Every service takes the caller from the access token it is shown, and verifies that token
 * itself: called directly, bypassing the gateway, it refuses a missing, forged or expired token.
 */
describe('each service verifies the caller itself over gRPC', () => {
  let system: RunningSystem;
  let auth: GrpcServiceClient<AuthServiceMethods>;
  let wallet: GrpcServiceClient<WalletServiceMethods>;
  let billing: GrpcServiceClient<BillingServiceMethods>;

  beforeAll(async () => {
    system = await RunningSystem.start({ services: ['provider-sim', 'auth', 'wallet', 'billing'] });
    const direct = (target: string) => ({ target, deadlineMs: CALL_DEADLINE_MS, maxAttempts: 1, retriedMethods: [] });
    auth = new GrpcServiceClient<AuthServiceMethods>(AUTH_SERVICE, direct(system.service('auth').grpcTarget));
    wallet = new GrpcServiceClient<WalletServiceMethods>(WALLET_SERVICE, direct(system.service('wallet').grpcTarget));
    billing = new GrpcServiceClient<BillingServiceMethods>(BILLING_SERVICE, direct(system.service('billing').grpcTarget));
  });

  afterAll(async () => {
    for (const client of [auth, wallet, billing]) client?.close();
    await system?.stop();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const claims = (overrides: object = {}) => ({ iss: 'bvs-auth', aud: 'bvs-api', sub: randomUUID(), sid: randomUUID(), iat: now(), exp: now() + 300, ...overrides });
  const header = () => ({ kid: system.keys.keyId, typ: 'at+jwt' });
  const calls = {
    'auth GetProfile': (accessToken?: string) => auth.call('GetProfile', {}, accessToken ? { accessToken } : {}),
    'auth LogOut': (accessToken?: string) => auth.call('LogOut', {}, accessToken ? { accessToken } : {}),
    'wallet GetBalance': (accessToken?: string) => wallet.call('GetBalance', {}, accessToken ? { accessToken } : {}),
    'wallet FundWallet': (accessToken?: string) => wallet.call('FundWallet', { amount: '1000', reference: `id-${randomUUID()}` }, accessToken ? { accessToken } : {}),
    'wallet InitiatePayment': (accessToken?: string) =>
      wallet.call('InitiatePayment', { amount: '1000', reference: `id-${randomUUID()}`, meterNumber: '1111111111111', providerCode: 'ikeja-electric-prepaid' }, accessToken ? { accessToken } : {}),
    'billing ListBills': (accessToken?: string) => billing.call('ListBills', { limit: 10 }, accessToken ? { accessToken } : {}),
    'billing ValidateMeter': (accessToken?: string) =>
      billing.call('ValidateMeter', { providerCode: 'ikeja-electric-prepaid', meterNumber: '1111111111111' }, accessToken ? { accessToken } : {}),
  };
  const refused = { grpcStatus: GrpcStatus.UNAUTHENTICATED, code: 'AUTH.UNAUTHENTICATED' };

  it.each(Object.keys(calls))('%s without a token is refused with UNAUTHENTICATED', async (name) => {
    expect(await outcomeOf(calls[name as keyof typeof calls]())).toEqual(refused);
  });

  it.each(Object.keys(calls))('%s with a token signed by another key under the right kid is refused', async (name) => {
    const forged = signEs256(header(), claims(), testSigningKeys().privateKeyPem);
    expect(await outcomeOf(calls[name as keyof typeof calls](forged))).toEqual(refused);
  });

  it.each(Object.keys(calls))('%s with an expired token is refused', async (name) => {
    const expired = signEs256(header(), claims({ iat: now() - 600, exp: now() - 60 }), system.keys.privateKeyPem);
    expect(await outcomeOf(calls[name as keyof typeof calls](expired))).toEqual(refused);
  });

  it('acts for the user the token names, and only that user', async () => {
    const email = `identity-${randomUUID()}@example.com`;
    const gateway = `${system.gateway.url}/api`;
    expect((await call(gateway, '/users/register', { body: { email, password: 'orange-Kettle-42' } })).status).toBe(202);
    const login = await call<{ accessToken: string }>(gateway, '/users/login', { body: { email, password: 'orange-Kettle-42' } });
    const profile = await auth.call('GetProfile', {}, { accessToken: login.body.accessToken });
    expect(profile.email).toBe(email);
    // A charge at the processor simulator, whose sandbox card pays it at once: credited once its webhook is verified.
    await wallet.call('FundWallet', { amount: '2500', reference: 'identity-fund-1' }, { accessToken: login.body.accessToken });
    await eventually(
      async () => ((await wallet.call('GetBalance', {}, { accessToken: login.body.accessToken })).available === '2500' ? true : undefined),
      "the first user's funding to be credited",
    );

    // Another user's valid token sees that user's own (empty) wallet, never the first one's.
    const other = signEs256(header(), claims(), system.keys.privateKeyPem);
    expect((await wallet.call('GetBalance', {}, { accessToken: other })).available).toBe('0');
  });
});
