import type { DataSource } from 'typeorm';

export interface LedgerFinding {
  readonly walletId: string;
  readonly check: string;
  readonly detail: string;
}

export interface LedgerAuditReport {
  readonly walletsChecked: number;
  readonly findings: readonly LedgerFinding[];
}

export interface LedgerAuditOptions {
  /** Report PAYMENTs still PENDING after this many seconds; omit while payments may be in flight. */
  readonly pendingWindowSeconds?: number;
}

interface FindingRow {
  wallet_id: string;
  detail: string;
}

/**
 * The invariants of DESIGN.md §4, checked in SQL over the whole book. Each query returns the
 * wallets that break one rule, with the figures that show how; an empty result is a clean book.
 */
const CHECKS: readonly { readonly name: string; readonly sql: string }[] = [
  {
    name: 'balance-matches-entries',
    sql: `SELECT w.id AS wallet_id,
            format('available %s vs entries %s; held %s vs entries %s; version %s vs %s entries',
                   w.available, COALESCE(e.available, 0), w.held, COALESCE(e.held, 0), w.version, COALESCE(e.count, 0)) AS detail
            FROM wallets w
            LEFT JOIN (SELECT wallet_id, SUM(available_delta) AS available, SUM(held_delta) AS held, COUNT(*) AS count
                         FROM ledger_entries GROUP BY wallet_id) e ON e.wallet_id = w.id
           WHERE w.available <> COALESCE(e.available, 0) OR w.held <> COALESCE(e.held, 0) OR w.version <> COALESCE(e.count, 0)`,
  },
  {
    name: 'available-equals-funding-minus-unreversed-payments',
    sql: `SELECT w.id AS wallet_id,
            format('available %s, but funding %s - payments %s + reversals %s = %s', w.available, t.funding, t.payments, t.reversals,
                   t.funding - t.payments + t.reversals) AS detail
            FROM wallets w
            JOIN (SELECT w2.id AS wallet_id,
                         COALESCE(SUM(x.amount) FILTER (WHERE x.type = 'FUNDING' AND x.status = 'COMPLETED'), 0) AS funding,
                         COALESCE(SUM(x.amount) FILTER (WHERE x.type = 'PAYMENT'), 0) AS payments,
                         COALESCE(SUM(x.amount) FILTER (WHERE x.type = 'REVERSAL'), 0) AS reversals
                    FROM wallets w2 LEFT JOIN wallet_transactions x ON x.wallet_id = w2.id
                   GROUP BY w2.id) t ON t.wallet_id = w.id
           WHERE w.available <> t.funding - t.payments + t.reversals`,
  },
  {
    name: 'held-equals-pending-payments',
    sql: `SELECT w.id AS wallet_id, format('held %s, pending payments %s', w.held, COALESCE(p.pending, 0)) AS detail
            FROM wallets w
            LEFT JOIN (SELECT wallet_id, SUM(amount) AS pending FROM wallet_transactions
                        WHERE type = 'PAYMENT' AND status IN ('PENDING', 'FAILED') GROUP BY wallet_id) p ON p.wallet_id = w.id
           WHERE w.held <> COALESCE(p.pending, 0)`,
  },
  {
    name: 'reversed-payment-has-exactly-one-equal-reversal',
    sql: `SELECT p.wallet_id, format('payment %s is REVERSED with %s reversal(s) totalling %s of %s', p.id, COUNT(r.id), COALESCE(SUM(r.amount), 0), p.amount) AS detail
            FROM wallet_transactions p
            LEFT JOIN wallet_transactions r ON r.reverses_transaction_id = p.id AND r.type = 'REVERSAL'
           WHERE p.type = 'PAYMENT' AND p.status = 'REVERSED'
           GROUP BY p.id, p.wallet_id, p.amount
          HAVING COUNT(r.id) <> 1 OR SUM(r.amount) <> p.amount`,
  },
  {
    name: 'reversal-only-of-a-reversed-payment',
    sql: `SELECT r.wallet_id, format('reversal %s returns payment %s, which is %s (amount %s vs %s)', r.id, p.id, COALESCE(p.status, 'missing'), r.amount, p.amount) AS detail
            FROM wallet_transactions r
            LEFT JOIN wallet_transactions p ON p.id = r.reverses_transaction_id
           WHERE r.type = 'REVERSAL'
             AND (p.id IS NULL OR p.type <> 'PAYMENT' OR p.status <> 'REVERSED' OR p.amount <> r.amount OR p.wallet_id <> r.wallet_id)`,
  },
  {
    name: 'funding-credited-once-when-completed',
    sql: `SELECT f.wallet_id, format('funding %s is %s with %s CREDIT entr(ies) totalling %s of %s', f.id, f.status, COUNT(e.id), COALESCE(SUM(e.available_delta), 0), f.amount) AS detail
            FROM wallet_transactions f
            LEFT JOIN ledger_entries e ON e.transaction_id = f.id
           WHERE f.type = 'FUNDING'
           GROUP BY f.id, f.wallet_id, f.status, f.amount
          HAVING (f.status = 'COMPLETED' AND (COUNT(e.id) <> 1 OR SUM(e.available_delta) <> f.amount OR bool_or(e.entry_type <> 'CREDIT')))
              OR (f.status <> 'COMPLETED' AND COUNT(e.id) <> 0)`,
  },
  {
    name: 'never-negative',
    sql: `SELECT id AS wallet_id, format('available %s, held %s', available, held) AS detail FROM wallets WHERE available < 0 OR held < 0`,
  },
];

const STALE_PENDING = `SELECT wallet_id, format('payment %s PENDING since %s', id, created_at) AS detail
                         FROM wallet_transactions
                        WHERE type = 'PAYMENT' AND status = 'PENDING' AND created_at < now() - make_interval(secs => $1)`;

/** Runs every check in one REPEATABLE READ snapshot, so a busy system is judged on one consistent instant. */
export async function auditLedger(dataSource: DataSource, options: LedgerAuditOptions = {}): Promise<LedgerAuditReport> {
  return dataSource.transaction('REPEATABLE READ', async (manager) => {
    const findings: LedgerFinding[] = [];
    for (const check of CHECKS) {
      const rows: FindingRow[] = await manager.query(check.sql);
      findings.push(...rows.map((row) => ({ walletId: row.wallet_id, check: check.name, detail: row.detail })));
    }
    if (options.pendingWindowSeconds !== undefined) {
      const rows: FindingRow[] = await manager.query(STALE_PENDING, [options.pendingWindowSeconds]);
      findings.push(...rows.map((row) => ({ walletId: row.wallet_id, check: 'no-payment-pending-beyond-window', detail: row.detail })));
    }
    const [{ count }] = (await manager.query('SELECT COUNT(*)::int AS count FROM wallets')) as [{ count: number }];
    return { walletsChecked: count, findings };
  });
}
