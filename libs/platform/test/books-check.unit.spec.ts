import { judgeBooks, type BillRow, type MoneyTotals, type PaymentRow } from '../src/testing/books-check';

const NOW = Date.parse('2026-12-04T12:00:00.000Z');
const A_MINUTE_AGO = new Date(NOW - 60_000);
const BALANCED: MoneyTotals = { balances: '7000', funded: '10000', spent: '3000' };

const payment = (overrides: Partial<PaymentRow> = {}): PaymentRow => ({ payment_id: 'p-1', id: 't-1', status: 'COMPLETED', amount: '3000', created_at: A_MINUTE_AGO, ...overrides });
const bill = (overrides: Partial<BillRow> = {}): BillRow => ({ id: 'p-1', transaction_id: 't-1', status: 'COMPLETED', amount: '3000', created_at: A_MINUTE_AGO, ...overrides });
const checks = (payments: PaymentRow[], bills: BillRow[], money = BALANCED, pendingWindowSeconds?: number) =>
  judgeBooks(payments, bills, money, pendingWindowSeconds === undefined ? {} : { pendingWindowSeconds }, NOW).findings.map((finding) => finding.check);

describe('the books of wallet and billing, judged together', () => {
  it('given a completed bill and its completed payment, and balances equal to funding minus spending, then nothing is found', () => {
    expect(checks([payment()], [bill()])).toEqual([]);
  });

  it('given a failed bill whose payment was reversed, then nothing is found', () => {
    expect(checks([payment({ status: 'REVERSED' })], [bill({ status: 'FAILED' })], { balances: '10000', funded: '10000', spent: '0' })).toEqual([]);
  });

  it('given a delivered token whose payment was reversed, then that is found', () => {
    expect(checks([payment({ status: 'REVERSED' })], [bill()], { balances: '10000', funded: '10000', spent: '0' })).toContain('no-reversal-after-delivery');
  });

  it('given a bill the wallet has no payment for, or a settled payment billing has no bill for, then each is found', () => {
    expect(checks([], [bill()], { balances: '10000', funded: '10000', spent: '0' })).toEqual(['bill-has-its-payment']);
    expect(checks([payment()], [])).toEqual(['payment-has-its-bill']);
  });

  it('given a payment still pending and not yet billed, then nothing is found, until it is older than the window', () => {
    const inFlight = payment({ status: 'PENDING' });
    const money = { balances: '10000', funded: '10000', spent: '0' };
    expect(checks([inFlight], [], money)).toEqual([]);
    expect(checks([inFlight], [], money, 30)).toEqual(['payment-has-its-bill']);
    expect(checks([inFlight], [bill({ status: 'PENDING' })], money, 30)).toEqual(['nothing-pending-beyond-window']);
  });

  it('given amounts that differ between the books, then that is found', () => {
    expect(checks([payment()], [bill({ amount: '3001' })])).toEqual(['same-amount']);
  });

  it('given wallets holding a unit more than came in minus what was spent, then that is found', () => {
    expect(checks([payment()], [bill()], { balances: '7001', funded: '10000', spent: '3000' })).toEqual(['balances-equal-funding-minus-spending']);
  });
});
