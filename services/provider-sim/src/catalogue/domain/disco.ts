export const METER_TYPES = ['PREPAID', 'POSTPAID'] as const;
export type MeterType = (typeof METER_TYPES)[number];

export const CURRENCY = 'NGN';

/**
 * One product of a distribution company, as aggregators list them (a disco sells prepaid and
 * postpaid separately, each with its own code). Money is `bigint` kobo, never a float.
 */
export interface Disco {
  /** Aggregator-style id, `<disco>-electric-<prepaid|postpaid>`, e.g. `ikeja-electric-prepaid`. */
  readonly code: string;
  readonly name: string;
  readonly meterType: MeterType;
  readonly minimumAmountKobo: bigint;
  readonly maximumAmountKobo: bigint;
  /** Charged to the merchant on top of the amount; the whole amount goes to the meter. */
  readonly feeKobo: bigint;
  /** VAT-inclusive price of one kWh, in kobo, from which prepaid units are computed. */
  readonly tariffKoboPerKwh: bigint;
}

export const PROVIDER_CODE_PATTERN = /^[a-z0-9-]{1,64}$/;
