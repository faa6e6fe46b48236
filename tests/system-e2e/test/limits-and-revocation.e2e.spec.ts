import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { eventually, type ServiceProcess } from '@bvs/platform/testing';
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
    // Funding here is the sandbox's direct credit: what is counted is the request, not where the money comes from.
    system = await RunningSystem.start({ services: ['auth', 'wallet'], serviceEnv: { wallet: { SANDBOX_DIRECT_FUNDING: 'true' } } });
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
    expect((await call(url, '/api/users/register', { body: { email, password: PASSWORD } })).status).toBe(202);
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

  it('refuses with 503 while its Redis is away, rather than let requests through unchecked, and recovers when it is back', async () => {
    const { tokens } = await signedUp();
    const redis = await PrivateRedis.start();
    try {
      const url = await gateway({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: `e2e-redis-away-${randomUUID()}:` });
      expect((await me(url, tokens.accessToken)).status).toBe(200);

      await redis.stop();
      const ready = await fetch(`${url}/api/health/ready`);
      expect(ready.status).toBe(503);
      const authenticated = await me(url, tokens.accessToken);
      expect({ status: authenticated.status, code: authenticated.body.code }).toEqual({ status: 503, code: 'SERVICE.UNAVAILABLE' });
      const login = await call<Problem>(url, '/api/users/login', { body: { email: `nobody-${randomUUID()}@example.com`, password: PASSWORD } });
      expect({ status: login.status, code: login.body.code }).toEqual({ status: 503, code: 'SERVICE.UNAVAILABLE' });

      await redis.restart();
      await eventually(async () => ((await me(url, tokens.accessToken)).status === 200 ? true : undefined), 'the gateway to reconnect to Redis');
    } finally {
      await redis.stop();
    }
  });
});

/** A Redis of the test's own (the machine's redis-server on a free port), so the test can stop it. */
class PrivateRedis {
  private process: ChildProcess | undefined;

  private constructor(private readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const redis = new PrivateRedis(port);
    await redis.restart();
    return redis;
  }

  async restart(): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await eventually(async () => ((await this.answers()) ? true : undefined), `redis-server on port ${this.port} to answer`);
  }

  async stop(): Promise<void> {
    const running = this.process;
    this.process = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  }

  /** True once it answers PING with PONG. */
  private answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      socket.setTimeout(1_000, () => socket.destroy());
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        resolve(data.toString().startsWith('+PONG'));
        socket.destroy();
      });
      socket.once('error', () => resolve(false));
      socket.once('close', () => resolve(false));
    });
  }
}
