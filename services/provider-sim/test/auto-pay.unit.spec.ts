import { Logger } from '@nestjs/common';
import { ServiceError } from '@bvs/platform';
import { AUTO_PAY_ATTEMPTS, AutoPay } from '../src/processor/auto-pay/auto-pay';
import type { PayChargeService } from '../src/processor/checkout/pay-charge.service';
import type { ChargeReading } from '../src/processor/domain/charge';
import type { ProcessorConfig } from '../src/processor/processor-config';
import type { ChargeWebhookSender } from '../src/processor/webhook/charge-webhook-sender';

/*
 * The automatic payment stands in for a customer at the checkout: a failure on the processor's own
 * side is paid again, a refusal is final, and shutdown does not wait out a pause.
 */

const PAID = { charge: { reference: 'bvs-fund-1' } } as unknown as ChargeReading;
const DATABASE_RESTARTING = new Error('terminating connection due to administrator command');

function autoPayWith(outcomes: readonly (ChargeReading | Error)[]): { autoPay: AutoPay; attempts: () => number; announced: ChargeReading[] } {
  let attempts = 0;
  const payments = {
    pay: async (): Promise<ChargeReading> => {
      const outcome = outcomes[Math.min(attempts, outcomes.length - 1)];
      attempts += 1;
      if (outcome instanceof Error) throw outcome;
      if (outcome === undefined) throw new Error('no outcome given');
      return outcome;
    },
  } as unknown as PayChargeService;
  const announced: ChargeReading[] = [];
  const webhooks = { announce: (reading: ChargeReading) => void announced.push(reading) } as unknown as ChargeWebhookSender;
  const config = { autoPayByDefault: true } as ProcessorConfig;
  return { autoPay: new AutoPay(config, payments, webhooks), attempts: () => attempts, announced };
}

describe('AutoPay', () => {
  let logged: jest.SpyInstance[];

  beforeEach(() => {
    jest.useFakeTimers();
    logged = (['log', 'warn', 'error'] as const).map((level) => jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined));
  });

  afterEach(() => {
    jest.useRealTimers();
    for (const spy of logged) spy.mockRestore();
  });

  it("given the processor's database fails twice, when the charge is paid automatically, then it is paid on the third try and announced once", async () => {
    const { autoPay, attempts, announced } = autoPayWith([DATABASE_RESTARTING, DATABASE_RESTARTING, PAID]);

    autoPay.payLater('access-code');
    await jest.runAllTimersAsync();

    expect(attempts()).toBe(3);
    expect(announced).toEqual([PAID]);
  });

  it('given the failure lasts, when the charge is paid automatically, then it gives up after AUTO_PAY_ATTEMPTS tries, announcing nothing', async () => {
    const { autoPay, attempts, announced } = autoPayWith([DATABASE_RESTARTING]);

    autoPay.payLater('access-code');
    await jest.runAllTimersAsync();

    expect(attempts()).toBe(AUTO_PAY_ATTEMPTS);
    expect(announced).toEqual([]);
  });

  it.each([
    ['the charge already ended (409)', new ServiceError('CHARGE.ALREADY_ENDED', 409, 'ended')],
    ['an unknown access code (404)', new ServiceError('CHARGE.NOT_FOUND', 404, 'Access code not found')],
  ])('given %s, when the charge is paid automatically, then it is not tried again', async (_, refusal) => {
    const { autoPay, attempts, announced } = autoPayWith([refusal, PAID]);

    autoPay.payLater('access-code');
    await jest.runAllTimersAsync();

    expect(attempts()).toBe(1);
    expect(announced).toEqual([]);
  });

  it('given a payment waiting to try again, when the service shuts down, then the pause ends at once and the charge is tried one last time', async () => {
    const { autoPay, attempts, announced } = autoPayWith([DATABASE_RESTARTING, PAID]);
    autoPay.payLater('access-code');
    await jest.advanceTimersByTimeAsync(0);
    expect(attempts()).toBe(1);

    // No timer is advanced: shutdown alone must end the pause.
    await autoPay.beforeApplicationShutdown();

    expect(attempts()).toBe(2);
    expect(announced).toEqual([PAID]);
  });
});
