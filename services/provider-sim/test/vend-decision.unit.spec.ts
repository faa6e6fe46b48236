import { findDisco } from '../src/catalogue/domain/disco-catalogue';
import { passesLuhn } from '../src/meters/domain/luhn';
import { lookupMeter } from '../src/meters/domain/meter-directory';
import { decideVend, sandboxPlan } from '../src/vending/domain/decide-vend';
import type { VendRequest } from '../src/vending/domain/vend';

const SUCCEED = { kind: 'SUCCEED', withholdResponse: false } as const;
const request = (overrides: Partial<VendRequest> = {}): VendRequest => ({
  requestId: 'r-1',
  providerCode: 'ikeja-electric-prepaid',
  meterNumber: '1111111111111',
  amountKobo: 500_000n,
  ...overrides,
});
const decide = (vend: VendRequest, plan = sandboxPlan('SUCCEED')) =>
  decideVend(vend, findDisco(vend.providerCode), lookupMeter(vend.meterNumber), plan, 1_000);

describe('lookupMeter', () => {
  it('knows the sandbox meters and their scenarios', () => {
    expect(lookupMeter('1111111111111')).toMatchObject({ found: true, blocked: false, sandbox: 'SUCCEED' });
    expect(lookupMeter('5555555555555')).toMatchObject({ found: true, blocked: true, sandbox: 'BLOCKED' });
    expect(lookupMeter('0000000000000')).toEqual({ found: false, sandbox: 'NOT_FOUND' });
  });

  it('treats an 11-digit number with a valid Luhn check digit as an ordinary meter with a stable customer', () => {
    expect(passesLuhn('45067891239')).toBe(true);
    const first = lookupMeter('45067891239');
    expect(first).toMatchObject({ found: true, blocked: false, sandbox: null });
    expect(lookupMeter('45067891239')).toEqual(first);
    expect(lookupMeter('45067891238')).toEqual({ found: false, sandbox: null });
    expect(lookupMeter('4506789123')).toEqual({ found: false, sandbox: null });
  });
});

describe('decideVend', () => {
  it('vends a prepaid meter: token and units', () => {
    const vend = decide(request());
    expect(vend).toMatchObject({ status: 'SUCCESS', reasonCode: null, unitsKwh: '23.8', meterType: 'PREPAID', feeKobo: 10_000n });
    expect(vend.token).toMatch(/^\d{20}$/);
  });

  it('pays a postpaid bill without a token', () => {
    expect(decide(request({ providerCode: 'ikeja-electric-postpaid' }))).toMatchObject({ status: 'SUCCESS', token: null, unitsKwh: null });
  });

  it('refuses on the merits before any plan, in a fixed order', () => {
    expect(decide(request({ providerCode: 'nowhere-electric-prepaid', meterNumber: '0000000000000' }))).toMatchObject({
      status: 'FAILED',
      reasonCode: 'PROVIDER.NOT_FOUND',
      meterType: null,
      feeKobo: null,
    });
    expect(decide(request({ meterNumber: '0000000000000', amountKobo: 1n }))).toMatchObject({ reasonCode: 'METER.NOT_FOUND' });
    expect(decide(request({ meterNumber: '5555555555555', amountKobo: 1n }))).toMatchObject({ reasonCode: 'METER.BLOCKED' });
    expect(decide(request({ amountKobo: 99_999n }))).toMatchObject({ reasonCode: 'AMOUNT.OUT_OF_RANGE', token: null });
    expect(decide(request({ amountKobo: 30_000_001n }))).toMatchObject({ reasonCode: 'AMOUNT.OUT_OF_RANGE' });
    expect(decide(request({ amountKobo: 100_000n }))).toMatchObject({ status: 'SUCCESS' });
    expect(decide(request({ amountKobo: 30_000_000n }))).toMatchObject({ status: 'SUCCESS', unitsKwh: '1431.9' });
  });

  it('records a pending vend with the outcome it will take', () => {
    expect(decide(request({ meterNumber: '3333333333333' }), sandboxPlan('PEND_THEN_SUCCEED'))).toMatchObject({
      status: 'PENDING',
      token: null,
      pending: { status: 'SUCCESS', reasonCode: null, afterMs: 1_000 },
    });
    expect(decide(request(), { kind: 'PEND', resolvesTo: 'FAILED' })).toMatchObject({
      pending: { status: 'FAILED', reasonCode: 'VEND.DECLINED' },
    });
    expect(decide(request(), { kind: 'DECLINE' })).toMatchObject({ status: 'FAILED', reasonCode: 'VEND.DECLINED' });
    expect(decide(request(), SUCCEED)).toMatchObject({ status: 'SUCCESS' });
  });
});
