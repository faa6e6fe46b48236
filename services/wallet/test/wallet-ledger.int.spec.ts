import { randomUUID } from 'node:crypto';
import { EVENT_TOPICS, PAYMENT_COMPLETED, PAYMENT_FAILED, PaymentCompletedEvent, PaymentFailedEvent, PaymentInitiation, WALLET_ERROR_CODES } from '@bvs/contracts';
import { MetricsRegistry, OUTBOX_CHANNEL, ServiceError } from '@bvs/platform';
import { eventually } from '@bvs/platform/testing';
import { auditLedger } from '../src/audit/ledger-audit';
import { WalletEnv } from '../src/config/wallet-env';
import type { RequestState } from '../src/wallet/domain/client-request';
import { decidePaymentInitiation } from '../src/wallet/domain/decide-payment-initiation';
import { decideRequestBatch } from '../src/wallet/domain/decide-request-batch';
import { IdempotentWalletCommand } from '../src/wallet/commands/idempotent-wallet-command';
import { InitiatePaymentHandler } from '../src/wallet/commands/initiate-payment/initiate-payment.handler';
import { PendingPaymentsBound } from '../src/wallet/commands/initiate-payment/payment-admission';
import { countPendingPayments } from '../src/wallet/persistence/pending-payments';
import { AcceptedRequestsStore } from '../src/wallet/persistence/accepted-requests-store';
import { RequestStateStore } from '../src/wallet/persistence/request-state-store';
import type { StoredTransaction } from '../src/wallet/persistence/rows';
import { WalletRepository } from '../src/wallet/persistence/wallet-repository';
import { createWalletUseCases, pendingPaymentsBoundFor, type WalletUseCases } from '../src/wallet/wallet-use-cases';
import { LedgerHarness, origin } from './ledger-harness';

const PAYMENT = 5_000n;

async function settle<T>(work: Promise<T>): Promise<{ value?: T; code?: string; status?: number; unexpected?: unknown }> {
  try {
    return { value: await work };
  } catch (error) {
    if (error instanceof ServiceError) return { code: error.code, status: error.status };
    return { unexpected: error };
  }
}

function completed(payment: PaymentInitiation, userId: string): PaymentCompletedEvent {
  return {
    metadata: { eventId: randomUUID(), eventType: PAYMENT_COMPLETED, occurredAt: new Date().toISOString(), correlationId: 'c', causationId: null, producer: 'billing' },
    payload: {
      paymentId: payment.paymentId,
      transactionId: payment.transactionId,
      walletId: payment.walletId,
      userId,
      amountMinor: BigInt(payment.amount),
      currency: payment.currency,
      token: '12345678901234567890',
      units: '31.7',
      providerReference: `prov-${randomUUID()}`,
    },
  };
}

function failed(payment: PaymentInitiation, userId: string): PaymentFailedEvent {
  return {
    metadata: { eventId: randomUUID(), eventType: PAYMENT_FAILED, occurredAt: new Date().toISOString(), correlationId: 'c', causationId: null, producer: 'billing' },
    payload: {
      paymentId: payment.paymentId,
      transactionId: payment.transactionId,
      walletId: payment.walletId,
      userId,
      amountMinor: BigInt(payment.amount),
      currency: payment.currency,
      reasonCode: 'PROVIDER.METER_BLOCKED',
      reasonMessage: 'The meter is blocked.',
    },
  };
}

describe('wallet ledger on the real PostgreSQL', () => {
  let harness: LedgerHarness;

  beforeAll(async () => {
    harness = await LedgerHarness.create('wallet_ledger');
  });

  afterAll(async () => {
    await harness?.close();
  });

  afterEach(async () => {
    // Every test leaves a book that balances.
    const report = await auditLedger(harness.dataSource);
    expect(report.findings).toEqual([]);
  });

  const pay = (userId: string, reference: string = randomUUID(), amount = PAYMENT) =>
    harness.useCases.initiatePayment.execute({ userId, amount, reference, meterNumber: '45700000001', providerCode: 'ikeja-electric-prepaid' }, origin());

  it('creates exactly one wallet per user however many first uses race', async () => {
    const userId = randomUUID();
    const wallets = await Promise.all(Array.from({ length: 20 }, () => harness.useCases.openWallet.execute(userId)));
    expect(new Set(wallets.map((wallet) => wallet.id)).size).toBe(1);
    const [{ count }] = await harness.dataSource.query('SELECT COUNT(*)::int AS count FROM wallets WHERE user_id = $1', [userId]);
    expect(count).toBe(1);
  });

  it('of 50 concurrent payments on a wallet funded for exactly 20, accepts exactly 20 and refuses 30 for insufficient funds', async () => {
    const userId = randomUUID();
    await harness.useCases.fundWallet.execute({ userId, amount: 20n * PAYMENT, reference: 'fund-20' }, origin());
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => settle(pay(userId))));

    expect(outcomes.filter((outcome) => outcome.unexpected !== undefined)).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.value?.status === 'PENDING')).toHaveLength(20);
    const refusals = outcomes.filter((outcome) => outcome.code !== undefined);
    expect(refusals).toHaveLength(30);
    expect(new Set(refusals.map((refusal) => `${refusal.status} ${refusal.code}`))).toEqual(new Set([`422 ${WALLET_ERROR_CODES.insufficientFunds}`]));
    expect(await harness.balanceOf(userId)).toEqual({ available: 0n, held: 20n * PAYMENT });
    const [{ count }] = await harness.dataSource.query(
      `SELECT COUNT(*)::int AS count FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1 AND t.type = 'PAYMENT'`,
      [userId],
    );
    expect(count).toBe(20);
  });

  it('refuses to credit directly unless SANDBOX_DIRECT_FUNDING is on, and writes nothing', async () => {
    const userId = randomUUID();
    const production = createWalletUseCases(harness.dataSource, Object.assign(new WalletEnv(), harness.env, { SANDBOX_DIRECT_FUNDING: false }));
    expect(await settle(production.fundWallet.execute({ userId, amount: 1_000_000n, reference: 'mint' }, origin()))).toEqual({
      code: WALLET_ERROR_CODES.fundingDisabled,
      status: 403,
    });
    const [{ count }] = await harness.dataSource.query(
      'SELECT COUNT(*)::int AS count FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1',
      [userId],
    );
    expect(count).toBe(0);
  });

  it('lands all of 50 concurrent fundings with distinct references', async () => {
    const userId = randomUUID();
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, index) => settle(harness.useCases.fundWallet.execute({ userId, amount: BigInt(index + 1), reference: `f-${index}` }, origin()))));
    expect(outcomes.filter((outcome) => outcome.value === undefined)).toEqual([]);
    expect(await harness.balanceOf(userId)).toEqual({ available: 1275n, held: 0n });
  });

  it('replays a reference with the same body: same ids and status, no money moved', async () => {
    const userId = randomUUID();
    const first = await harness.useCases.fundWallet.execute({ userId, amount: 700n, reference: 'replay-me' }, origin());
    const again = await harness.useCases.fundWallet.execute({ userId, amount: 700n, reference: 'replay-me' }, origin());
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ transaction: first.transaction, replayed: true });
    expect(await harness.balanceOf(userId)).toEqual({ available: 700n, held: 0n });

    const payment = await pay(userId, 'pay-once', 300n);
    const paymentAgain = await pay(userId, 'pay-once', 300n);
    expect({ ...paymentAgain, replayed: false }).toEqual(payment);
    expect(paymentAgain.replayed).toBe(true);
    expect(await harness.balanceOf(userId)).toEqual({ available: 400n, held: 300n });
  });

  it('refuses the same reference with a different body with IDEMPOTENCY.CONFLICT, changing nothing', async () => {
    const userId = randomUUID();
    await harness.useCases.fundWallet.execute({ userId, amount: 1_000n, reference: 'mine' }, origin());
    expect(await settle(harness.useCases.fundWallet.execute({ userId, amount: 999n, reference: 'mine' }, origin()))).toEqual({ code: 'IDEMPOTENCY.CONFLICT', status: 409 });
    expect(await settle(pay(userId, 'mine', 1_000n))).toEqual({ code: 'IDEMPOTENCY.CONFLICT', status: 409 });
    expect(await harness.balanceOf(userId)).toEqual({ available: 1_000n, held: 0n });
  });

  it('races concurrent duplicates of one reference to a single effect', async () => {
    const userId = randomUUID();
    await harness.useCases.fundWallet.execute({ userId, amount: 100_000n, reference: 'seed' }, origin());
    const payments = await Promise.all(Array.from({ length: 20 }, () => pay(userId, 'same-ref', 1_000n)));
    expect(new Set(payments.map((payment) => payment.paymentId)).size).toBe(1);
    expect(payments.filter((payment) => !payment.replayed)).toHaveLength(1);
    const fundings = await Promise.all(Array.from({ length: 20 }, () => harness.useCases.fundWallet.execute({ userId, amount: 5n, reference: 'same-fund' }, origin())));
    expect(new Set(fundings.map((funding) => funding.transaction.id)).size).toBe(1);
    expect(await harness.balanceOf(userId)).toEqual({ available: 100_000n - 1_000n + 5n, held: 1_000n });
  });

  it('records a PENDING payment, its hold and its payment-requested event in one transaction', async () => {
    const userId = randomUUID();
    await harness.useCases.fundWallet.execute({ userId, amount: 10_000n, reference: 'seed' }, origin());
    const payment = await pay(userId, 'with-event', 2_500n);
    expect(payment).toMatchObject({ status: 'PENDING', amount: '2500', currency: 'NGN', reference: 'with-event' });
    const outbox = await harness.dataSource.query(`SELECT topic, message_key, payload FROM outbox WHERE payload -> 'payload' ->> 'paymentId' = $1`, [payment.paymentId]);
    expect(outbox).toEqual([
      expect.objectContaining({ topic: EVENT_TOPICS.paymentRequested, message_key: payment.walletId }),
    ]);
  });

  describe('group commit: requests that arrive together are written together', () => {
    const transactionsOfWallet = async (walletId: string) =>
      (await harness.dataSource.query(`SELECT COUNT(DISTINCT xmin::text)::int AS commits FROM wallet_transactions WHERE wallet_id = $1 AND type = 'PAYMENT'`, [
        walletId,
      ])) as { commits: number }[];

    it('writes a burst of 60 payments on one wallet in a few commits, with one ledger entry per wallet version and none skipped', async () => {
      const userId = randomUUID();
      await harness.useCases.fundWallet.execute({ userId, amount: 60n * PAYMENT, reference: 'seed' }, origin());
      const payments = await Promise.all(Array.from({ length: 60 }, () => pay(userId)));
      expect(payments.filter((payment) => payment.status === 'PENDING' && !payment.replayed)).toHaveLength(60);
      const walletId = payments[0]?.walletId as string;
      // Rows written by one database transaction share its xmin.
      const [{ commits }] = (await transactionsOfWallet(walletId)) as [{ commits: number }];
      expect(commits).toBeLessThan(10);
      const versions = (await harness.dataSource.query('SELECT wallet_version FROM ledger_entries WHERE wallet_id = $1 ORDER BY wallet_version', [walletId])) as {
        wallet_version: number;
      }[];
      expect(versions.map((row) => row.wallet_version)).toEqual(Array.from({ length: 61 }, (_, index) => index + 1));
      expect(await harness.balanceOf(userId)).toEqual({ available: 0n, held: 60n * PAYMENT });
    });

    it('lists a batch in history in the order its requests were decided', async () => {
      const userId = randomUUID();
      await harness.useCases.fundWallet.execute({ userId, amount: 10n * PAYMENT, reference: 'seed' }, origin());
      await Promise.all(Array.from({ length: 10 }, (_, index) => pay(userId, `ordered-${index}`)));
      const rows = (await harness.dataSource.query(
        `SELECT t.reference FROM wallet_transactions t JOIN ledger_entries e ON e.transaction_id = t.id AND e.entry_type = 'HOLD'
          JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1 ORDER BY t.created_at, t.id`,
        [userId],
      )) as { reference: string }[];
      const byVersion = (await harness.dataSource.query(
        `SELECT t.reference FROM wallet_transactions t JOIN ledger_entries e ON e.transaction_id = t.id AND e.entry_type = 'HOLD'
          JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1 ORDER BY e.wallet_version`,
        [userId],
      )) as { reference: string }[];
      expect(rows).toEqual(byVersion);
    });

    it("writes many users' bursts in batches at once, and each user's payments in the order they came", async () => {
      // Batches of two, two at once, three users: a user's next payment is within reach of the batch
      // after the one writing its last, which must not take it; each user's payments span several batches.
      const env = Object.assign(new WalletEnv(), harness.env, { REQUESTS_PER_TRANSACTION: 2, REQUEST_BATCHES_IN_PARALLEL: 2 });
      const useCases = createWalletUseCases(harness.dataSource, env);
      const users = Array.from({ length: 3 }, () => randomUUID());
      for (const userId of users) await harness.useCases.fundWallet.execute({ userId, amount: 3n * PAYMENT, reference: 'seed' }, origin());
      const turns = Array.from({ length: 5 }, (_, turn) => `turn-${turn}`);
      const answers = await Promise.all(
        turns.flatMap((reference) =>
          users.map((userId) =>
            settle(useCases.initiatePayment.execute({ userId, amount: PAYMENT, reference, meterNumber: '45700000001', providerCode: 'ikeja-electric-prepaid' }, origin())),
          ),
        ),
      );

      // Funded for three: the first three each user sent are held, the last two refused.
      const outcomes = answers.map((answer) => answer.value?.status ?? answer.code);
      expect(outcomes).toEqual(turns.flatMap((_, turn) => users.map(() => (turn < 3 ? 'PENDING' : WALLET_ERROR_CODES.insufficientFunds))));
      for (const userId of users) {
        const holds = (await harness.dataSource.query(
          `SELECT t.reference FROM wallet_transactions t JOIN ledger_entries e ON e.transaction_id = t.id AND e.entry_type = 'HOLD'
            JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1 ORDER BY e.wallet_version`,
          [userId],
        )) as { reference: string }[];
        expect(holds.map((row) => row.reference)).toEqual(['turn-0', 'turn-1', 'turn-2']);
        expect(await harness.balanceOf(userId)).toEqual({ available: 0n, held: 3n * PAYMENT });
      }
    });

    it('keeps the money exact when two replicas pay from one wallet under the same references at once', async () => {
      const userId = randomUUID();
      await harness.useCases.fundWallet.execute({ userId, amount: 40n * PAYMENT, reference: 'seed' }, origin());
      // A second instance of the use cases on the same database: its own queue, as another replica has.
      const replica = createWalletUseCases(harness.dataSource, harness.env);
      const payOn = (useCases: WalletUseCases, reference: string) =>
        useCases.initiatePayment.execute({ userId, amount: PAYMENT, reference, meterNumber: '45700000001', providerCode: 'ikeja-electric-prepaid' }, origin());
      const references = Array.from({ length: 30 }, (_, index) => `both-${index}`);
      const answers = await Promise.all(references.flatMap((reference) => [settle(payOn(harness.useCases, reference)), settle(payOn(replica, reference))]));

      expect(answers.filter((answer) => answer.value === undefined)).toEqual([]);
      const fresh = answers.filter((answer) => answer.value?.replayed === false).map((answer) => answer.value?.reference);
      expect(fresh.sort()).toEqual([...references].sort());
      const paymentIds = new Map(answers.map((answer) => [answer.value?.reference, answer.value?.paymentId]));
      for (const answer of answers) expect(answer.value?.paymentId).toBe(paymentIds.get(answer.value?.reference));
      expect(await harness.balanceOf(userId)).toEqual({ available: 10n * PAYMENT, held: 30n * PAYMENT });
    });

    it('saves a batch only on the wallets still at the version read: a moved wallet gets no transaction, entry or event', async () => {
      const [fresh, moved] = [randomUUID(), randomUUID()];
      for (const userId of [fresh, moved]) await harness.useCases.fundWallet.execute({ userId, amount: 10n * PAYMENT, reference: 'seed' }, origin());
      const manager = harness.dataSource.manager;
      const walletsByUser = await new WalletRepository().openAll(
        manager,
        [fresh, moved].map((userId) => ({ id: randomUUID(), userId, currency: 'NGN' })),
      );
      const now = new Date();
      const { decisions, balanceChanges } = decideRequestBatch(
        [fresh, moved].map((userId) => ({
          userId,
          reference: 'stale-or-not',
          decide: (state: RequestState<StoredTransaction>) =>
            decidePaymentInitiation(
              { userId, amount: PAYMENT, reference: 'stale-or-not', meterNumber: '45700000001', providerCode: 'ikeja-electric-prepaid' },
              state,
              { paymentId: randomUUID(), transactionId: randomUUID(), eventId: randomUUID(), now, origin: origin() },
            ),
        })),
        { walletsByUser, earlierByReference: new Map() },
      );
      // Another writer moves one wallet between the read and the write.
      await harness.useCases.fundWallet.execute({ userId: moved, amount: PAYMENT, reference: 'meanwhile' }, origin());
      const listener = harness.dataSource.createQueryRunner();
      const client = (await listener.connect()) as { query(text: string): Promise<unknown>; once(event: 'notification', listener: (message: { channel: string }) => void): void };
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      const notified = new Promise<string>((resolve) => client.once('notification', (message) => resolve(message.channel)));

      const accepted = decisions.flatMap((decision) => (decision.kind === 'ACCEPTED' ? [{ transaction: decision.transaction, entry: decision.entry, event: decision.publish }] : []));
      expect(accepted).toHaveLength(2);
      const saved = await new AcceptedRequestsStore().save(manager, balanceChanges, accepted);

      const walletOf = (userId: string) => walletsByUser.get(userId)?.id as string;
      expect([...saved.movedWallets]).toEqual([walletOf(moved)]);
      expect([...saved.storedById.values()].map((stored) => [stored.walletId, stored.reference, stored.status])).toEqual([[walletOf(fresh), 'stale-or-not', 'PENDING']]);
      const rowsOf = async (userId: string) =>
        (await manager.query(
          `SELECT (SELECT count(*)::int FROM wallet_transactions WHERE wallet_id = $1 AND reference = 'stale-or-not') AS transactions,
                  (SELECT count(*)::int FROM ledger_entries e JOIN wallet_transactions t ON t.id = e.transaction_id WHERE t.wallet_id = $1 AND t.reference = 'stale-or-not') AS entries,
                  (SELECT count(*)::int FROM outbox WHERE message_key = $1::text AND topic = $2) AS events`,
          [walletOf(userId), EVENT_TOPICS.paymentRequested],
        )) as { transactions: number; entries: number; events: number }[];
      expect(await rowsOf(fresh)).toEqual([{ transactions: 1, entries: 1, events: 1 }]);
      expect(await rowsOf(moved)).toEqual([{ transactions: 0, entries: 0, events: 0 }]);
      expect(await harness.balanceOf(fresh)).toEqual({ available: 9n * PAYMENT, held: PAYMENT });
      expect(await harness.balanceOf(moved)).toEqual({ available: 11n * PAYMENT, held: 0n });
      await expect(notified).resolves.toBe(OUTBOX_CHANNEL);
      await listener.release();
    });

    it('loses nothing when payments settle on the wallet while new ones are being batched', async () => {
      const userId = randomUUID();
      await harness.useCases.fundWallet.execute({ userId, amount: 40n * PAYMENT, reference: 'seed' }, origin());
      const first = await Promise.all(Array.from({ length: 20 }, () => pay(userId)));
      await Promise.all([
        ...first.map((payment) => harness.dataSource.transaction((manager) => harness.useCases.settleCompletedPayment.handle(manager, completed(payment, userId)))),
        ...Array.from({ length: 20 }, () => pay(userId)),
      ]);
      expect(await harness.balanceOf(userId)).toEqual({ available: 0n, held: 20n * PAYMENT });
    });

    it('answers 503 at once, writing nothing, when more requests wait than MAX_QUEUED_REQUESTS', async () => {
      const userId = randomUUID();
      await harness.useCases.fundWallet.execute({ userId, amount: 20n * PAYMENT, reference: 'seed' }, origin());
      const small = createWalletUseCases(harness.dataSource, Object.assign(new WalletEnv(), harness.env, { MAX_QUEUED_REQUESTS: 2 }));
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          settle(small.initiatePayment.execute({ userId, amount: PAYMENT, reference: randomUUID(), meterNumber: '45700000001', providerCode: 'ikeja-electric-prepaid' }, origin())),
        ),
      );
      const accepted = answers.filter((answer) => answer.value !== undefined);
      const shed = answers.filter((answer) => answer.code !== undefined);
      // The first request is taken at once, the next two wait, the rest find the queue full.
      expect(accepted).toHaveLength(3);
      expect(shed).toHaveLength(17);
      expect(new Set(shed.map((answer) => `${answer.status} ${answer.code}`))).toEqual(new Set(['503 SERVICE.UNAVAILABLE']));
      expect(await harness.balanceOf(userId)).toEqual({ available: 17n * PAYMENT, held: 3n * PAYMENT });
    });

    it('never writes a payment whose caller stopped waiting while it queued, and writes it once when the same reference comes again', async () => {
      const userId = randomUUID();
      await harness.useCases.fundWallet.execute({ userId, amount: 2n * PAYMENT, reference: 'seed' }, origin());
      // Another writer holds the wallet's row, so the first payment's batch waits in its UPDATE and the second queues behind it.
      const locker = harness.dataSource.createQueryRunner();
      await locker.connect();
      await locker.startTransaction();
      await locker.query('SELECT id FROM wallets WHERE user_id = $1 FOR UPDATE', [userId]);
      const first = pay(userId);
      await eventually(
        async () => {
          const [{ waiting }] = await harness.dataSource.query(
            `SELECT COUNT(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          return waiting > 0 ? true : undefined;
        },
        "the first payment's batch waiting for the wallet's row",
      );
      const caller = new AbortController();
      const command = { userId, amount: PAYMENT, reference: 'gave-up', meterNumber: '45700000001', providerCode: 'ikeja-electric-prepaid' };
      const abandoned = settle(harness.useCases.initiatePayment.execute(command, origin(), caller.signal));
      // Admission here is an already-settled promise: once the event loop turns, the payment is queued, not merely on its way.
      await new Promise(setImmediate);
      caller.abort(new ServiceError('SERVICE.TIMEOUT', 504, 'the caller gave up'));
      await locker.rollbackTransaction();
      await locker.release();

      await expect(first).resolves.toMatchObject({ status: 'PENDING' });
      await expect(abandoned).resolves.toEqual({ code: 'SERVICE.TIMEOUT', status: 504 });
      expect(await harness.balanceOf(userId)).toEqual({ available: PAYMENT, held: PAYMENT });
      const [{ count }] = await harness.dataSource.query(`SELECT COUNT(*)::int AS count FROM wallet_transactions WHERE reference = 'gave-up'`);
      expect(count).toBe(0);

      await expect(harness.useCases.initiatePayment.execute(command, origin())).resolves.toMatchObject({ status: 'PENDING', replayed: false });
      expect(await harness.balanceOf(userId)).toEqual({ available: 0n, held: 2n * PAYMENT });
    });
  });

  describe('the bound on payments in flight (MAX_PENDING_PAYMENTS), on the real book', () => {
    const WAIT_MS = 1_500;

    /** The service's payment handler, with the bound the service wires, set `room` payments above what the book holds now. */
    async function payingWithRoomFor(room: number): Promise<{ pay: (userId: string) => Promise<PaymentInitiation>; bound: PendingPaymentsBound }> {
      const env = Object.assign(new WalletEnv(), harness.env, {
        MAX_PENDING_PAYMENTS: (await countPendingPayments(harness.dataSource.manager)) + room,
        PAYMENT_ADMISSION_WAIT_MS: WAIT_MS,
        PENDING_PAYMENTS_READ_MS: 10,
      });
      const requests = new IdempotentWalletCommand(harness.dataSource, new RequestStateStore(new WalletRepository()), new AcceptedRequestsStore(), env, new MetricsRegistry());
      const bound = pendingPaymentsBoundFor(harness.dataSource, env, new MetricsRegistry()) as PendingPaymentsBound;
      const handler = new InitiatePaymentHandler(requests, env, bound);
      const pay = (userId: string) =>
        handler.execute({ userId, amount: PAYMENT, reference: randomUUID(), meterNumber: '45700000001', providerCode: 'ikeja-electric-prepaid' }, origin());
      return { pay, bound };
    }

    it('holds a payment past the bound until one settles, then accepts it', async () => {
      const userId = randomUUID();
      await harness.useCases.fundWallet.execute({ userId, amount: 10n * PAYMENT, reference: 'seed' }, origin());
      const { pay, bound } = await payingWithRoomFor(2);
      const first = await pay(userId);
      await pay(userId);
      const third = pay(userId);
      await eventually(async () => (bound.waitingCount === 1 ? true : undefined), 'the third payment waiting for room');
      expect(await harness.balanceOf(userId)).toEqual({ available: 8n * PAYMENT, held: 2n * PAYMENT });

      await harness.dataSource.transaction((manager) => harness.useCases.settleCompletedPayment.handle(manager, completed(first, userId)));
      expect(await third).toMatchObject({ status: 'PENDING', amount: String(PAYMENT) });
      expect(bound.waitingCount).toBe(0);
      expect(await harness.balanceOf(userId)).toEqual({ available: 7n * PAYMENT, held: 2n * PAYMENT });
    });

    it('refuses with a retryable 503, holding nothing, a payment that finds no room within PAYMENT_ADMISSION_WAIT_MS', async () => {
      const userId = randomUUID();
      await harness.useCases.fundWallet.execute({ userId, amount: 10n * PAYMENT, reference: 'seed' }, origin());
      const { pay, bound } = await payingWithRoomFor(1);
      await pay(userId);
      const refused = settle(pay(userId));
      // It waits first (a refusal at once would be another rule: no room and no wait allowed).
      await eventually(async () => (bound.waitingCount === 1 ? true : undefined), 'the second payment waiting for room');
      expect(await refused).toEqual({ code: 'SERVICE.UNAVAILABLE', status: 503 });
      expect(bound.waitingCount).toBe(0);
      expect(await harness.balanceOf(userId)).toEqual({ available: 9n * PAYMENT, held: PAYMENT });
    });
  });

  describe('settling payments, whatever order and however often the outcomes arrive', () => {
    async function pendingPayment() {
      const userId = randomUUID();
      await harness.useCases.fundWallet.execute({ userId, amount: 10_000n, reference: 'seed' }, origin());
      return { userId, payment: await pay(userId, randomUUID(), 4_000n) };
    }
    const apply = (work: (manager: import('typeorm').EntityManager) => Promise<void>) => harness.dataSource.transaction(work);
    const statusOf = async (transactionId: string) =>
      ((await harness.dataSource.query('SELECT status FROM wallet_transactions WHERE id = $1', [transactionId])) as { status: string }[])[0]?.status;
    const reversalsOf = async (transactionId: string) =>
      (await harness.dataSource.query(`SELECT amount FROM wallet_transactions WHERE reverses_transaction_id = $1`, [transactionId])) as { amount: string }[];

    it('completion posts the hold: the money leaves and the payment is COMPLETED with its token', async () => {
      const { userId, payment } = await pendingPayment();
      const event = completed(payment, userId);
      await apply((manager) => harness.useCases.settleCompletedPayment.handle(manager, event));
      await apply((manager) => harness.useCases.settleCompletedPayment.handle(manager, event));
      expect(await statusOf(payment.transactionId)).toBe('COMPLETED');
      expect(await harness.balanceOf(userId)).toEqual({ available: 6_000n, held: 0n });
    });

    it('failure reverses once: REVERSAL of the same amount, payment REVERSED, payment-reversed queued', async () => {
      const { userId, payment } = await pendingPayment();
      const event = failed(payment, userId);
      await apply((manager) => harness.useCases.reverseFailedPayment.handle(manager, event));
      await apply((manager) => harness.useCases.reverseFailedPayment.handle(manager, event));
      await apply((manager) => harness.useCases.reverseFailedPayment.handle(manager, failed(payment, userId)));
      expect(await statusOf(payment.transactionId)).toBe('REVERSED');
      expect(await reversalsOf(payment.transactionId)).toEqual([{ amount: '4000' }]);
      expect(await harness.balanceOf(userId)).toEqual({ available: 10_000n, held: 0n });
      const reversedEvents = await harness.dataSource.query(`SELECT topic FROM outbox WHERE topic = $1 AND payload -> 'payload' ->> 'paymentId' = $2`, [
        EVENT_TOPICS.paymentReversed,
        payment.paymentId,
      ]);
      expect(reversedEvents).toHaveLength(1);
    });

    it('never reverses a completed payment, and never completes a reversed one', async () => {
      const first = await pendingPayment();
      await apply((manager) => harness.useCases.settleCompletedPayment.handle(manager, completed(first.payment, first.userId)));
      await apply((manager) => harness.useCases.reverseFailedPayment.handle(manager, failed(first.payment, first.userId)));
      expect(await statusOf(first.payment.transactionId)).toBe('COMPLETED');
      expect(await reversalsOf(first.payment.transactionId)).toEqual([]);

      const second = await pendingPayment();
      await apply((manager) => harness.useCases.reverseFailedPayment.handle(manager, failed(second.payment, second.userId)));
      await apply((manager) => harness.useCases.settleCompletedPayment.handle(manager, completed(second.payment, second.userId)));
      expect(await statusOf(second.payment.transactionId)).toBe('REVERSED');
      expect(await harness.balanceOf(second.userId)).toEqual({ available: 10_000n, held: 0n });
    });

    it('settles concurrent duplicate and conflicting outcomes to exactly one result', async () => {
      const { userId, payment } = await pendingPayment();
      const deliveries = [
        ...Array.from({ length: 5 }, () => apply((manager) => harness.useCases.reverseFailedPayment.handle(manager, failed(payment, userId)))),
        ...Array.from({ length: 5 }, () => apply((manager) => harness.useCases.settleCompletedPayment.handle(manager, completed(payment, userId)))),
      ];
      await Promise.all(deliveries);
      const status = await statusOf(payment.transactionId);
      expect(['COMPLETED', 'REVERSED']).toContain(status);
      expect(await reversalsOf(payment.transactionId)).toHaveLength(status === 'REVERSED' ? 1 : 0);
    });

    it('applies a slice of outcomes on one wallet together: each payment settles once, one entry per version', async () => {
      const userId = randomUUID();
      await harness.useCases.fundWallet.execute({ userId, amount: 10_000n, reference: 'seed' }, origin());
      const payments = await Promise.all(Array.from({ length: 6 }, () => pay(userId, randomUUID(), 1_000n)));
      const completions = payments.slice(0, 4).map((payment) => completed(payment, userId));
      const failures = payments.slice(4).map((payment) => failed(payment, userId));
      await apply(async (manager) => {
        // A redelivery with a new event id inside the same slice must change nothing.
        await harness.useCases.settleCompletedPayment.handleAll(manager, untraced([...completions, completed(payments[0] as PaymentInitiation, userId)]));
        await harness.useCases.reverseFailedPayment.handleAll(manager, untraced(failures));
      });
      expect(await Promise.all(payments.map((payment) => statusOf(payment.transactionId)))).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED', 'REVERSED', 'REVERSED']);
      expect(await Promise.all(payments.slice(4).map((payment) => reversalsOf(payment.transactionId)))).toEqual([[{ amount: '1000' }], [{ amount: '1000' }]]);
      expect(await harness.balanceOf(userId)).toEqual({ available: 6_000n, held: 0n });
      const versions = (await harness.dataSource.query(
        'SELECT e.wallet_version FROM ledger_entries e JOIN wallets w ON w.id = e.wallet_id WHERE w.user_id = $1 ORDER BY e.wallet_version',
        [userId],
      )) as { wallet_version: number }[];
      expect(versions.map((row) => row.wallet_version)).toEqual(Array.from({ length: 13 }, (_, index) => index + 1));
      const reversedEvents = (await harness.dataSource.query(
        `SELECT payload -> 'payload' ->> 'paymentId' AS payment FROM outbox WHERE topic = $1 AND payload -> 'payload' ->> 'paymentId' = ANY($2)`,
        [EVENT_TOPICS.paymentReversed, payments.map((payment) => payment.paymentId)],
      )) as { payment: string }[];
      expect(reversedEvents.map((row) => row.payment).sort()).toEqual(payments.slice(4).map((payment) => payment.paymentId).sort());
    });

    it('applies a slice spanning several wallets: each wallet moves by its own outcomes only', async () => {
      const owners = [randomUUID(), randomUUID(), randomUUID()];
      for (const userId of owners) await harness.useCases.fundWallet.execute({ userId, amount: 10_000n, reference: 'seed' }, origin());
      const payments = await Promise.all(owners.map((userId) => pay(userId, randomUUID(), 2_500n)));
      const [first, second, third] = payments as [PaymentInitiation, PaymentInitiation, PaymentInitiation];
      const [firstOwner, secondOwner, thirdOwner] = owners as [string, string, string];
      await apply(async (manager) => {
        await harness.useCases.settleCompletedPayment.handleAll(manager, untraced([completed(first, firstOwner), completed(third, thirdOwner)]));
        await harness.useCases.reverseFailedPayment.handleAll(manager, untraced([failed(second, secondOwner)]));
      });
      expect(await Promise.all(owners.map((userId) => harness.balanceOf(userId)))).toEqual([
        { available: 7_500n, held: 0n },
        { available: 10_000n, held: 0n },
        { available: 7_500n, held: 0n },
      ]);
      expect(await Promise.all(payments.map((payment) => statusOf(payment.transactionId)))).toEqual(['COMPLETED', 'REVERSED', 'COMPLETED']);
      expect(await reversalsOf(second.transactionId)).toEqual([{ amount: '2500' }]);
    });

    it('writes nothing of a slice that names a payment not in the book, so each event can be applied on its own', async () => {
      const { userId, payment } = await pendingPayment();
      const stranger = completed({ ...payment, transactionId: randomUUID() }, userId);
      await expect(apply((manager) => harness.useCases.settleCompletedPayment.handleAll(manager, untraced([completed(payment, userId), stranger])))).rejects.toThrow(
        /no PAYMENT transaction/,
      );
      expect(await statusOf(payment.transactionId)).toBe('PENDING');
      expect(await harness.balanceOf(userId)).toEqual({ available: 6_000n, held: 4_000n });
    });

    it('refuses an outcome that does not match the payment it names', async () => {
      const { userId, payment } = await pendingPayment();
      const wrong = completed(payment, userId);
      const mismatched = { ...wrong, payload: { ...wrong.payload, amountMinor: 1n } };
      await expect(apply((manager) => harness.useCases.settleCompletedPayment.handle(manager, mismatched))).rejects.toThrow(/does not match/);
      expect(await statusOf(payment.transactionId)).toBe('PENDING');
    });
  });

  describe('the ledger audit command', () => {
    it('passes on a clean book, then names the wallet that drifts and exits non-zero', async () => {
      const clean = await harness.runAuditCommand();
      expect(clean).toEqual({ code: 0, output: expect.stringMatching(/wallets checked, 0 drifting, 0 findings/) });

      const userId = randomUUID();
      await harness.useCases.fundWallet.execute({ userId, amount: 100n, reference: 'seed' }, origin());
      const wallet = await harness.useCases.openWallet.execute(userId);
      await harness.dataSource.query('UPDATE wallets SET available = available + 1 WHERE id = $1', [wallet.id]);
      try {
        const drift = await harness.runAuditCommand();
        expect(drift.code).toBe(1);
        expect(drift.output).toContain(`DRIFT wallet ${wallet.id} [balance-matches-entries]`);
        expect(drift.output).toContain(`DRIFT wallet ${wallet.id} [available-equals-funding-minus-unreversed-payments]`);
      } finally {
        await harness.dataSource.query('UPDATE wallets SET available = available - 1 WHERE id = $1', [wallet.id]);
      }
    });

    it('reports payments still pending beyond the reconciliation window when asked', async () => {
      const userId = randomUUID();
      await harness.useCases.fundWallet.execute({ userId, amount: 1_000n, reference: 'seed' }, origin());
      const payment = await pay(userId, randomUUID(), 100n);
      const report = await harness.runAuditCommand({ PENDING_WINDOW_SECONDS: '0' });
      expect(report.code).toBe(1);
      expect(report.output).toContain(`payment ${payment.transactionId} PENDING since`);
      await harness.dataSource.transaction((manager) => harness.useCases.settleCompletedPayment.handle(manager, completed(payment, userId)));
    });
  });
});

/** Events as a consumer's slice hands them over, outside any trace. */
function untraced<E>(events: readonly E[]): { event: E; traceparent: null }[] {
  return events.map((event) => ({ event, traceparent: null }));
}
