import type { MeterValidation } from '@bvs/contracts';
import { ExpiringLruCache } from '@bvs/platform';

/** A provider's limits for a meter that checked out, in minor units. */
export interface CheckedMeterLimits {
  readonly minimumAmount: bigint;
  readonly maximumAmount: bigint;
}

/** Whether `amount` lies within the limits billing gave for the meter; bounds included, as billing decides. */
export function isWithinLimits(limits: CheckedMeterLimits, amount: bigint): boolean {
  return amount >= limits.minimumAmount && amount <= limits.maximumAmount;
}

/**
 * Meters that billing said exist and take payments, remembered by this gateway for a short while
 * so a payment to one costs a single call (to the wallet) instead of two. Only a success is kept;
 * an amount outside the remembered limits, a meter not seen lately, and every refusal still go to
 * billing, which answers with its own code. Bounded by entries and age; ttlMs 0 keeps nothing.
 */
export class CheckedMeters {
  private readonly limits: ExpiringLruCache<string, CheckedMeterLimits>;

  constructor(
    private readonly ttlMs: number,
    maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    this.limits = new ExpiringLruCache(maxEntries);
  }

  remember(meter: MeterValidation): void {
    if (this.ttlMs === 0) return;
    const limits = { minimumAmount: BigInt(meter.minimumAmount), maximumAmount: BigInt(meter.maximumAmount) };
    this.limits.set(keyOf(meter.providerCode, meter.meterNumber), limits, this.now() + this.ttlMs);
  }

  /** True when the meter checked out lately and `amount` is within its limits: billing would say the same. */
  accepts(providerCode: string, meterNumber: string, amount: bigint): boolean {
    const limits = this.limits.get(keyOf(providerCode, meterNumber), this.now());
    return limits !== undefined && isWithinLimits(limits, amount);
  }
}

const keyOf = (providerCode: string, meterNumber: string) => `${providerCode}/${meterNumber}`;
