import { randomUUID } from 'node:crypto';
import type { ServiceProcess } from '@bvs/platform/testing';
import { ApiResponse, call } from './support/http';
import { RunningSystem } from './support/system';

interface Problem {
  status: number;
  code: string;
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

const PASSWORD = 'orange-Kettle-42!';

/*
 * Limits and ended sessions live in Redis, so they hold across gateway replicas: what one gateway
 * counted or auth revoked, every gateway sees. Each limit test runs gateways of its own with low
 * limits and a fresh REDIS_KEY_PREFIX, so its counters start at zero.
 */
describe('limits and ended sessions hold across gateways', () => {
  let system: RunningSystem;
  const extra: ServiceProcess[] = [];
  const base = () => system.gateway.url;

  beforeAll(async () => {
    system = await RunningSystem.start({ services: ['auth', 'wallet'] });
  });

  afterAll(async () => {
    await Promise.all(extra.map((gateway) => gateway.stop()));
    await system?.stop();
  }, 60_000);

  async function gateway(env: Record<string, string>, waitFor: 'ready' | 'live' = 'ready'): Promise<string> {
    const started = await system.startExtraGateway(env, waitFor);
    extra.push(started);
    return started.url;
  }

  async function signedUp(url = base()): Promise<{ email: string; tokens: Tokens }> {
    const email = `limits-${randomUUID()}@example.com`;
    expect((await call(url, '/api/users/register', { body: { email, password: PASSWORD } })).status).toBe(201);
    const login = await call<Tokens>(url, '/api/users/login', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    return { email, tokens: login.body };
  }

  const me = (url: string, token: string) => call<Problem>(url, '/api/users/me', { token });

  it('refuses the access token of a logged-out session on the next request, at every gateway', async () => {
    const other = await gateway({});
    const { tokens } = await signedUp();
    expect((await me(base(), tokens.accessToken)).status).toBe(200);
    expect((await me(other, tokens.accessToken)).status).toBe(200);

    expect((await call(base(), '/api/users/logout', { method: 'POST', token: tokens.accessToken })).status).toBe(204);

    for (const url of [base(), other]) {
      const refused = await me(url, tokens.accessToken);
      expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 401, code: 'AUTH.UNAUTHENTICATED' });
    }
  });

  it("ends every access token of a session whose refresh token was reused, the thief's and the owner's", async () => {
    const { tokens } = await signedUp();
    const rotated = await call<Tokens>(base(), '/api/users/refresh', { body: { refreshToken: tokens.refreshToken } });
    expect(rotated.status).toBe(200);
    expect((await me(base(), rotated.body.accessToken)).status).toBe(200);

    const reuse = await call<Problem>(base(), '/api/users/refresh', { body: { refreshToken: tokens.refreshToken } });
    expect(reuse.body.code).toBe('AUTH.REFRESH_TOKEN_REUSED');
    expect((await me(base(), tokens.accessToken)).status).toBe(401);
    expect((await me(base(), rotated.body.accessToken)).status).toBe(401);
  });

  it("shares a user's limit between two gateways: the fourth funding of three allowed gets 429 with Retry-After, and moves nothing", async () => {
    const limits = { USER_RATE_LIMIT: '3', USER_RATE_WINDOW_SECONDS: '60', REDIS_KEY_PREFIX: `e2e-user-limit-${randomUUID()}:` };
    const [first, second] = [await gateway(limits), await gateway(limits)];
    const { tokens } = await signedUp();
    const statuses: number[] = [];
    let refused: ApiResponse<Problem> | undefined;
    for (const [index, url] of [first, second, first, second].entries()) {
      const response = await call<Problem>(url, '/api/wallets/fund', { token: tokens.accessToken, body: { amount: 1_000, reference: `limit-${index}` } });
      statuses.push(response.status);
      if (response.status === 429) refused = response;
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    expect(refused?.body.code).toBe('RATE_LIMITED');
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    const balance = await call<{ available: number }>(base(), '/api/wallets/balance', { token: tokens.accessToken });
    expect(balance.body.available).toBe(3_000);
  });

  it('locks an account after its wrong passwords, for the right password too and from another gateway, and no other account', async () => {
    const limits = { FAILED_LOGIN_LIMIT: '3', FAILED_LOGIN_WINDOW_SECONDS: '60', REDIS_KEY_PREFIX: `e2e-failed-login-${randomUUID()}:` };
    const [first, second] = [await gateway(limits), await gateway(limits)];
    const victim = await signedUp();
    const bystander = await signedUp();
    const wrong = [];
    for (const url of [first, second, first]) wrong.push((await call(url, '/api/users/login', { body: { email: victim.email, password: 'not-the-password-1' } })).status);
    expect(wrong).toEqual([401, 401, 401]);

    // Another spelling of the same address counts as the same account.
    const locked = await call<Problem>(second, '/api/users/login', { body: { email: victim.email.toUpperCase(), password: PASSWORD } });
    expect({ status: locked.status, code: locked.body.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(first, '/api/users/login', { body: { email: bystander.email, password: PASSWORD } })).status).toBe(200);
  });

  it('refuses with 503, and reports not ready, when Redis cannot be reached, rather than letting requests through unchecked', async () => {
    const { tokens } = await signedUp();
    const blind = await gateway({ REDIS_URL: 'redis://127.0.0.1:1' }, 'live');
    const ready = await fetch(`${blind}/api/health/ready`);
    expect(ready.status).toBe(503);
    const authenticated = await me(blind, tokens.accessToken);
    expect({ status: authenticated.status, code: authenticated.body.code }).toEqual({ status: 503, code: 'SERVICE.UNAVAILABLE' });
    const login = await call<Problem>(blind, '/api/users/login', { body: { email: `nobody-${randomUUID()}@example.com`, password: PASSWORD } });
    expect(login.status).toBe(503);
  });
});
