import { Client } from 'pg';

/** One way the books of wallet and billing disagree, or a rule of money broken. */
export interface BooksFinding {
  readonly check: string;
  readonly detail: string;
}

export interface BooksReport {
  readonly findings: readonly BooksFinding[];
  readonly figures: {
    readonly payments: number;
    readonly bills: number;
    readonly completed: number;
    readonly reversed: number;
    readonly pending: number;
    /** All money in the wallets (available + held), minor units, as a decimal string. */
    readonly balances: string;
  };
}

export interface BooksCheckOptions {
  /** Payments and bills still PENDING after this many seconds are findings; omit while payments may be in flight. */
  readonly pendingWindowSeconds?: number;
  /**
   * Judge only the payments and bills of wallets created at or after this instant: a tool run
   * against a developer's long-lived databases (npm run chaos) checks what it made, not bills that
   * other test systems' events left in a shared billing database. The money totals stay global.
   */
  readonly walletsCreatedSince?: Date;
}

/** A PAYMENT as the wallet's book has it (amounts as PostgreSQL prints a bigint). */
export interface PaymentRow {
  payment_id: string;
  id: string;
  status: string;
  amount: string;
  created_at: Date;
}

/** A bill as billing's book has it. */
export interface BillRow {
  id: string;
  transaction_id: string;
  status: string;
  amount: string;
  created_at: Date;
}

/**
 * The money of a whole system, checked across services once it has drained (issue 12, point 3),
 * beside the wallet's own ledger audit:
 * - wallet and billing agree one to one: each PAYMENT has its bill and each bill its PAYMENT, for
 *   the same amount; a COMPLETED bill's payment is COMPLETED, a FAILED bill's is REVERSED;
 * - no payment whose token was delivered (a COMPLETED bill) is reversed;
 * - nothing stays PENDING beyond the window, on either side;
 * - all the money in the wallets is what was funded minus what completed payments spent.
 * Reads each database in one REPEATABLE READ snapshot; money stays bigint throughout.
 */
export async function checkBooks(walletDatabaseUrl: string, billingDatabaseUrl: string, options: BooksCheckOptions = {}): Promise<BooksReport> {
  const [wallet, billing] = [new Client({ connectionString: walletDatabaseUrl }), new Client({ connectionString: billingDatabaseUrl })];
  await wallet.connect();
  await billing.connect();
  try {
    // All wallets when no scope is asked for; otherwise the ones made since, read before either snapshot.
    const walletIds =
      options.walletsCreatedSince === undefined ? null : (await wallet.query<{ id: string }>('SELECT id FROM wallets WHERE created_at >= $1', [options.walletsCreatedSince])).rows.map((row) => row.id);
    // Billing first: a payment the wallet made after billing's snapshot is only "not yet billed", never a bill without its payment.
    await billing.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const bills = (await billing.query<BillRow>('SELECT id, transaction_id, status, amount::text, created_at FROM bill_payments WHERE $1::uuid[] IS NULL OR wallet_id = ANY($1)', [walletIds])).rows;
    await billing.query('COMMIT');
    await wallet.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const payments = (
      await wallet.query<PaymentRow>(`SELECT payment_id, id, status, amount::text, created_at FROM wallet_transactions WHERE type = 'PAYMENT' AND ($1::uuid[] IS NULL OR wallet_id = ANY($1))`, [walletIds])
    ).rows;
    const [money] = (
      await wallet.query<{ balances: string; funded: string; spent: string }>(
        `SELECT (SELECT COALESCE(SUM(available + held), 0) FROM wallets)::text AS balances,
                (SELECT COALESCE(SUM(amount), 0) FROM wallet_transactions WHERE type = 'FUNDING' AND status = 'COMPLETED')::text AS funded,
                (SELECT COALESCE(SUM(amount), 0) FROM wallet_transactions WHERE type = 'PAYMENT' AND status = 'COMPLETED')::text AS spent`,
      )
    ).rows;
    await wallet.query('COMMIT');
    return judgeBooks(payments, bills, money ?? { balances: '0', funded: '0', spent: '0' }, options);
  } finally {
    await Promise.all([wallet.end(), billing.end()]);
  }
}

/** The money in the wallets, what completed fundings brought in, and what completed payments spent. */
export interface MoneyTotals {
  readonly balances: string;
  readonly funded: string;
  readonly spent: string;
}

/** The rules of `checkBooks` over rows already read; pure, `now` handed in. */
export function judgeBooks(payments: readonly PaymentRow[], bills: readonly BillRow[], money: MoneyTotals, options: BooksCheckOptions, now = Date.now()): BooksReport {
  const findings: BooksFinding[] = [];
  const found = (check: string, detail: string) => findings.push({ check, detail });
  const billsById = new Map(bills.map((bill) => [bill.id, bill]));
  const paymentIds = new Set(payments.map((payment) => payment.payment_id));
  const overdue = (createdAt: Date) => options.pendingWindowSeconds !== undefined && now - createdAt.getTime() > options.pendingWindowSeconds * 1_000;

  for (const payment of payments) {
    const bill = billsById.get(payment.payment_id);
    if (!bill) {
      if (payment.status !== 'PENDING' || overdue(payment.created_at)) found('payment-has-its-bill', `payment ${payment.payment_id} is ${payment.status} and billing has no bill for it`);
      continue;
    }
    if (bill.amount !== payment.amount) found('same-amount', `bill ${bill.id} is ${bill.amount}, its payment ${payment.amount}`);
    if (bill.transaction_id !== payment.id) found('same-transaction', `bill ${bill.id} names transaction ${bill.transaction_id}, the wallet ${payment.id}`);
    if (bill.status === 'COMPLETED' && payment.status === 'REVERSED') found('no-reversal-after-delivery', `bill ${bill.id} delivered its token, and its payment was reversed`);
    else if (bill.status === 'COMPLETED' && payment.status !== 'COMPLETED' && (payment.status !== 'PENDING' || overdue(bill.created_at))) found('completed-bill-completed-payment', `bill ${bill.id} is COMPLETED, its payment ${payment.status}`);
    if (bill.status === 'FAILED' && payment.status !== 'REVERSED' && (payment.status !== 'PENDING' || overdue(bill.created_at))) found('failed-bill-reversed-payment', `bill ${bill.id} is FAILED, its payment ${payment.status}`);
    if (payment.status === 'COMPLETED' && bill.status !== 'COMPLETED') found('completed-payment-completed-bill', `payment ${payment.payment_id} is COMPLETED, its bill ${bill.status}`);
    if (payment.status === 'REVERSED' && bill.status !== 'FAILED') found('reversed-payment-failed-bill', `payment ${payment.payment_id} is REVERSED, its bill ${bill.status}`);
    if ((payment.status === 'PENDING' || bill.status === 'PENDING') && overdue(payment.created_at)) found('nothing-pending-beyond-window', `payment ${payment.payment_id} is ${payment.status}, its bill ${bill.status}, since ${payment.created_at.toISOString()}`);
  }
  for (const bill of bills) {
    if (!paymentIds.has(bill.id)) found('bill-has-its-payment', `bill ${bill.id} (${bill.status}) has no payment in the wallet`);
  }
  const expected = BigInt(money.funded) - BigInt(money.spent);
  if (BigInt(money.balances) !== expected) found('balances-equal-funding-minus-spending', `wallets hold ${money.balances}, but funding ${money.funded} - completed payments ${money.spent} = ${expected}`);

  return {
    findings,
    figures: {
      payments: payments.length,
      bills: bills.length,
      completed: payments.filter((payment) => payment.status === 'COMPLETED').length,
      reversed: payments.filter((payment) => payment.status === 'REVERSED').length,
      pending: payments.filter((payment) => payment.status === 'PENDING').length,
      balances: money.balances,
    },
  };
}
