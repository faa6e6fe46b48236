import { randomUUID } from 'node:crypto';
import { call } from './support/http';
import { RunningSystem } from './support/system';

interface Transaction {
  id: string;
  walletId: string;
  type: string;
  status: string;
  amount: number;
  currency: string;
  reference: string | null;
  availableAfter: number;
  createdAt: string;
}

interface Page {
  items: Transaction[];
  nextCursor: string | null;
}

interface Balance {
  walletId: string;
  currency: string;
  available: number;
  held: number;
  total: number;
}

interface Problem {
  code: string;
  status: number;
  errors?: { field: string }[];
}

describe('wallets through the gateway, with the real auth and wallet services', () => {
  let system: RunningSystem;
  const base = () => system.gateway.url;

  beforeAll(async () => {
    // The sandbox's direct credit (SANDBOX_DIRECT_FUNDING), so that these cases are about the wallet's rules and book;
    // funding through the payment processor has its own suite (funding.e2e).
    system = await RunningSystem.start({ services: ['auth', 'wallet'], serviceEnv: { wallet: { SANDBOX_DIRECT_FUNDING: 'true' } } });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  async function newUser(): Promise<string> {
    const email = `wallet-${randomUUID()}@example.com`;
    const password = 'orange-Kettle-42';
    expect((await call(base(), '/api/users/register', { body: { email, password } })).status).toBe(202);
    const login = await call<{ accessToken: string }>(base(), '/api/users/login', { body: { email, password } });
    return login.body.accessToken;
  }

  const fund = (token: string, body: unknown) => call<Transaction & Problem>(base(), '/api/wallets/fund', { token, body });
  const balance = async (token: string) => (await call<Balance>(base(), '/api/wallets/balance', { token })).body;
  const list = (token: string, query = '') => call<Page & Problem>(base(), `/api/transactions${query}`, { token });

  it('starts every user at zero in NGN', async () => {
    const token = await newUser();
    expect(await balance(token)).toMatchObject({ currency: 'NGN', available: 0, held: 0, total: 0 });
  });

  it('funds the wallet and records a COMPLETED FUNDING transaction with the balance after it', async () => {
    const token = await newUser();
    const funded = await fund(token, { amount: 150_000, reference: 'first-top-up' });
    expect(funded.status).toBe(201);
    expect(funded.headers.get('idempotent-replayed')).toBe('false');
    expect(funded.body).toMatchObject({ type: 'FUNDING', status: 'COMPLETED', amount: 150_000, currency: 'NGN', reference: 'first-top-up', availableAfter: 150_000 });
    expect(await balance(token)).toMatchObject({ available: 150_000, held: 0, total: 150_000 });
  });

  it('replays a reference: same transaction, Idempotent-Replayed true, no money moved; another body is 409', async () => {
    const token = await newUser();
    const first = await fund(token, { amount: 5_000, reference: 'once' });
    const replay = await fund(token, { amount: 5_000, reference: 'once' });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    const conflict = await fund(token, { amount: 6_000, reference: 'once' });
    expect({ status: conflict.status, code: conflict.body.code }).toEqual({ status: 409, code: 'IDEMPOTENCY.CONFLICT' });
    expect(await balance(token)).toMatchObject({ available: 5_000 });
  });

  it.each([
    ['zero', 0],
    ['negative', -500],
    ['fractional', 10.5],
    ['a numeric string', '100'],
    ['text', 'lots'],
    ['null', null],
    ['beyond 2^53', 2 ** 60],
  ])('refuses a %s amount with 400 and writes nothing', async (_, amount) => {
    const token = await newUser();
    const response = await fund(token, { amount, reference: `bad-${randomUUID()}` });
    expect({ status: response.status, code: response.body.code }).toEqual({ status: 400, code: 'VALIDATION.FAILED' });
    expect(response.body.errors?.map((error) => error.field)).toEqual(['amount']);
    expect((await list(token)).body.items).toEqual([]);
  });

  it('refuses an amount over the funding limit with WALLET.AMOUNT_OVER_LIMIT and writes nothing', async () => {
    const token = await newUser();
    const response = await fund(token, { amount: 100_000_001, reference: 'too-much' });
    expect({ status: response.status, code: response.body.code }).toEqual({ status: 400, code: 'WALLET.AMOUNT_OVER_LIMIT' });
    expect(await balance(token)).toMatchObject({ available: 0 });
    expect((await list(token)).body.items).toEqual([]);
  });

  it('refuses a missing or malformed reference and unknown fields', async () => {
    const token = await newUser();
    for (const body of [{ amount: 100 }, { amount: 100, reference: 'has spaces' }, { amount: 100, reference: 'x'.repeat(65) }, { amount: 100, reference: 'ok', extra: 1 }]) {
      const response = await fund(token, body);
      expect({ status: response.status, code: response.body.code }).toEqual({ status: 400, code: 'VALIDATION.FAILED' });
    }
  });

  it('pages the history newest first with a cursor, bounded, and filters by type, status and date', async () => {
    const token = await newUser();
    for (let index = 1; index <= 5; index += 1) await fund(token, { amount: index * 100, reference: `page-${index}` });

    const seen: Transaction[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: Page = (await list(token, query)).body;
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((transaction) => transaction.reference)).toEqual(['page-5', 'page-4', 'page-3', 'page-2', 'page-1']);

    const walletHistory = (await call<Page>(base(), '/api/wallets/transactions?limit=100', { token })).body;
    expect(walletHistory.items.map((transaction) => transaction.id)).toEqual(seen.map((transaction) => transaction.id));

    expect((await list(token, '?type=FUNDING&status=COMPLETED')).body.items).toHaveLength(5);
    expect((await list(token, '?type=PAYMENT')).body.items).toEqual([]);
    expect((await list(token, `?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.items).toEqual([]);
    expect((await list(token, `?to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.items).toHaveLength(5);

    for (const query of ['?limit=0', '?limit=101', '?limit=abc', '?type=GIFT', '?from=yesterday', '?from=2026-02-30T00:00:00Z', '?to=2026-13-01T00:00:00Z', '?unknown=1']) {
      expect({ query, status: (await list(token, query)).status }).toEqual({ query, status: 400 });
    }
    const badCursor = await list(token, '?cursor=bm90LWEtY3Vyc29y');
    expect({ status: badCursor.status, code: badCursor.body.code }).toEqual({ status: 400, code: 'WALLET.INVALID_CURSOR' });
  });

  it("shows a transaction to its owner only: another user's id is a 404", async () => {
    const owner = await newUser();
    const stranger = await newUser();
    const funded = await fund(owner, { amount: 700, reference: 'mine' });
    // The fund answer is the transaction plus where a processor would take the money (null in the sandbox).
    expect(funded.body).toMatchObject({ processorReference: null, checkoutUrl: null });
    expect(funded.body).toMatchObject((await call<Transaction>(base(), `/api/transactions/${funded.body.id}`, { token: owner })).body);
    const peek = await call<Problem>(base(), `/api/transactions/${funded.body.id}`, { token: stranger });
    expect({ status: peek.status, code: peek.body.code }).toEqual({ status: 404, code: 'WALLET.TRANSACTION_NOT_FOUND' });
    const malformed = await call<Problem>(base(), '/api/transactions/not-a-uuid', { token: owner });
    expect({ status: malformed.status, code: malformed.body.code }).toEqual({ status: 400, code: 'VALIDATION.FAILED' });
    expect((await call(base(), `/api/transactions/${randomUUID()}`, { token: owner })).status).toBe(404);
    expect((await list(stranger)).body.items).toEqual([]);
  });

  it('needs a token for every wallet route', async () => {
    for (const path of ['/api/wallets/balance', '/api/wallets/transactions', '/api/transactions', `/api/transactions/${randomUUID()}`]) {
      expect({ path, status: (await call(base(), path)).status }).toEqual({ path, status: 401 });
    }
    expect((await call(base(), '/api/wallets/fund', { body: { amount: 1, reference: 'x' } })).status).toBe(401);
  });
});
