import { paymentsAdmissible } from '../src/wallet/domain/decide-payment-admission';
import { PendingPaymentsBound, type PendingPaymentsLimits } from '../src/wallet/commands/initiate-payment/payment-admission';

const LIMITS: PendingPaymentsLimits = { maxPending: 3, maxWaitMs: 1_000, maxWaiting: 2, readEveryMs: 50 };

/** A book whose pending count the test sets, and which counts how often it was read. */
class Book {
  pending = 0;
  reads = 0;
  failing = false;

  read = (): Promise<number> => {
    this.reads += 1;
    return this.failing ? Promise.reject(new Error('database away')) : Promise.resolve(this.pending);
  };
}

/** Settles every promise and timer due by `ms` from now (fake timers). */
async function advance(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

function outcomeOf(admission: Promise<void>): { settled: 'admitted' | 'refused' | undefined; error?: unknown } {
  const outcome: { settled: 'admitted' | 'refused' | undefined; error?: unknown } = { settled: undefined };
  admission.then(
    () => {
      outcome.settled = 'admitted';
    },
    (error: unknown) => {
      outcome.settled = 'refused';
      outcome.error = error;
    },
  );
  return outcome;
}

describe('how many payments may start', () => {
  it('given 2 pending at the last read and 1 admitted since, when the bound is 5, then 2 more may start', () => {
    expect(paymentsAdmissible({ pendingAtRead: 2, admittedSinceRead: 1 }, 5)).toBe(2);
  });

  it('given more in flight than the bound (other replicas overshot it), when asked, then none may start, never a negative count', () => {
    expect(paymentsAdmissible({ pendingAtRead: 7, admittedSinceRead: 0 }, 5)).toBe(0);
  });
});

describe('the bound on payments in flight', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    jest.useFakeTimers();
    now = 0;
  });
  afterEach(() => jest.useRealTimers());

  async function boundOver(book: Book, limits: PendingPaymentsLimits = LIMITS): Promise<PendingPaymentsBound> {
    const bound = new PendingPaymentsBound(book.read, limits, clock);
    // The first admission starts the first read; let it land before the test's own steps.
    await bound.admit();
    await advance(0);
    return bound;
  }

  it('given room under the bound, when payments arrive, then they start at once, and the count is read at most once per period', async () => {
    const book = new Book();
    const bound = await boundOver(book);
    await bound.admit();
    expect(book.reads).toBe(1);
    now += LIMITS.readEveryMs;
    await bound.admit();
    expect(book.reads).toBe(2);
  });

  it('given the bound reached by what this replica admitted since its read, when one more arrives, then it waits until a read shows room', async () => {
    const book = new Book();
    const bound = await boundOver(book);
    await bound.admit();
    await bound.admit();
    const fourth = outcomeOf(bound.admit());
    await advance(0);
    expect(fourth.settled).toBeUndefined();
    expect(bound.waitingCount).toBe(1);

    // Nothing settled yet: the three are still pending at the next read.
    book.pending = 3;
    now += LIMITS.readEveryMs;
    await advance(LIMITS.readEveryMs);
    expect(fourth.settled).toBeUndefined();

    book.pending = 2;
    now += LIMITS.readEveryMs;
    await advance(LIMITS.readEveryMs);
    expect(fourth.settled).toBe('admitted');
    expect(bound.waitingCount).toBe(0);
  });

  it('given payments waiting, when room appears, then they start in arrival order and a newcomer does not overtake them', async () => {
    const book = new Book();
    book.pending = 3;
    const bound = new PendingPaymentsBound(book.read, LIMITS, clock);
    const order: string[] = [];
    const first = bound.admit().then(() => order.push('first'));
    await advance(0);
    const second = bound.admit().then(() => order.push('second'));
    await advance(0);
    expect(order).toEqual([]);

    book.pending = 1;
    now += LIMITS.readEveryMs;
    await advance(LIMITS.readEveryMs);
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);

    // The two just admitted fill the bound again until the next read says otherwise.
    const newcomer = outcomeOf(bound.admit());
    await advance(0);
    expect(newcomer.settled).toBeUndefined();
  });

  it('given no room for the longest wait, when it passes, then the payment is refused with a retryable 503 and leaves the line', async () => {
    const book = new Book();
    book.pending = 3;
    const bound = new PendingPaymentsBound(book.read, LIMITS, clock);
    const waiting = outcomeOf(bound.admit());
    await advance(LIMITS.maxWaitMs - 1);
    expect(waiting.settled).toBeUndefined();
    await advance(1);
    expect(waiting).toMatchObject({ settled: 'refused', error: { code: 'SERVICE.UNAVAILABLE', status: 503 } });
    expect(bound.waitingCount).toBe(0);
  });

  it('given as many waiting as allowed, when one more arrives, then it is refused at once', async () => {
    const book = new Book();
    book.pending = 3;
    const bound = new PendingPaymentsBound(book.read, LIMITS, clock);
    void bound.admit().catch(() => undefined);
    void bound.admit().catch(() => undefined);
    await expect(bound.admit()).rejects.toMatchObject({ status: 503 });
    await advance(LIMITS.maxWaitMs);
  });

  it('given no wait allowed, when the bound is reached, then the payment is refused at once', async () => {
    const book = new Book();
    book.pending = 3;
    const bound = new PendingPaymentsBound(book.read, { ...LIMITS, maxWaitMs: 0 }, clock);
    await advance(0);
    await expect(bound.admit()).rejects.toMatchObject({ status: 503 });
  });

  it('given the count cannot be read, when payments arrive, then the last estimate stands and a payment over it is refused after its wait', async () => {
    const book = new Book();
    const bound = await boundOver(book);
    book.failing = true;
    await bound.admit();
    await bound.admit();
    const over = outcomeOf(bound.admit());
    now += LIMITS.maxWaitMs;
    await advance(LIMITS.maxWaitMs);
    expect(over.settled).toBe('refused');
    expect(book.reads).toBeGreaterThan(1);
  });
});
