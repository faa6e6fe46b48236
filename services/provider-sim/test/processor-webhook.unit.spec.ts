import { createHmac } from 'node:crypto';
import { webhookRetryDelayMs } from '../src/processor/domain/webhook-backoff';
import { signWebhookBody } from '../src/processor/domain/webhook-signature';
import { RequestSlots } from '../src/processor/webhook/request-slots';

describe('signWebhookBody', () => {
  it('given the RFC 4231 test vector, when signed, then it is HMAC-SHA512 in lowercase hex', () => {
    const signature = signWebhookBody(Buffer.from('what do ya want for nothing?', 'utf8'), 'Jefe');
    expect(signature).toBe(
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    );
  });

  it('given a body, when signed, then it is keyed by the secret over the exact bytes, so any change shows', () => {
    const body = Buffer.from('{"event":"charge.success","data":{"amount":500000}}', 'utf8');
    const signature = signWebhookBody(body, 'sk_test_0123456789abcdef');
    expect(signature).toMatch(/^[0-9a-f]{128}$/);
    expect(signature).toBe(createHmac('sha512', 'sk_test_0123456789abcdef').update(body).digest('hex'));
    expect(signWebhookBody(Buffer.from('{"event":"charge.success","data":{"amount":500001}}', 'utf8'), 'sk_test_0123456789abcdef')).not.toBe(signature);
    expect(signWebhookBody(Buffer.from('{"event": "charge.success","data":{"amount":500000}}', 'utf8'), 'sk_test_0123456789abcdef')).not.toBe(signature);
    expect(signWebhookBody(body, 'sk_test_0123456789abcdeF')).not.toBe(signature);
  });
});

describe('webhookRetryDelayMs', () => {
  it('given failed attempts, when the next pause is chosen, then it doubles from the first delay', () => {
    expect([1, 2, 3, 4, 5].map((failed) => webhookRetryDelayMs(failed, 250, 60_000))).toEqual([250, 500, 1_000, 2_000, 4_000]);
  });

  it('given many failed attempts, when the next pause is chosen, then it never exceeds the cap', () => {
    expect(webhookRetryDelayMs(9, 250, 60_000)).toBe(60_000);
    expect(webhookRetryDelayMs(20, 60_000, 60_000)).toBe(60_000);
    expect(webhookRetryDelayMs(10_000, 1, 60_000)).toBe(60_000);
  });

  it('given no failed attempt, when asked for a pause, then that is a bug', () => {
    expect(() => webhookRetryDelayMs(0, 250, 60_000)).toThrow(RangeError);
    expect(() => webhookRetryDelayMs(1.5, 250, 60_000)).toThrow(RangeError);
  });
});

describe('RequestSlots', () => {
  it('given a limit, when more work arrives than it allows, then the rest waits and starts in arrival order', async () => {
    const slots = new RequestSlots(2);
    const started: number[] = [];
    const finishers: (() => void)[] = [];
    const runs = [0, 1, 2, 3].map((index) =>
      slots.run(async () => {
        started.push(index);
        await new Promise<void>((resolve) => finishers.push(resolve));
        return index;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(slots.load).toEqual({ active: 2, waiting: 2 });

    finishers[0]?.();
    await runs[0];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    expect(slots.load).toEqual({ active: 2, waiting: 1 });

    finishers[1]?.();
    finishers[2]?.();
    await Promise.all([runs[1], runs[2]]);
    await Promise.resolve();
    finishers[3]?.();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(slots.load).toEqual({ active: 0, waiting: 0 });
  });

  it('given work that fails, when it ends, then its slot is freed all the same', async () => {
    const slots = new RequestSlots(1);
    await expect(slots.run(() => Promise.reject(new Error('receiver down')))).rejects.toThrow('receiver down');
    expect(await slots.run(() => Promise.resolve('next'))).toBe('next');
    expect(slots.load).toEqual({ active: 0, waiting: 0 });
  });
});
