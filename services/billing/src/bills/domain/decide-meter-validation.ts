import type { AmountLimits, MeterLookupResult } from './provider-answers';

export type FoundMeter = Extract<MeterLookupResult, { kind: 'FOUND' }>;

export type MeterRefusal =
  | { readonly refusal: 'UNKNOWN_PROVIDER' | 'METER_NOT_FOUND' | 'METER_BLOCKED' }
  | { readonly refusal: 'AMOUNT_OUT_OF_RANGE'; readonly limits: AmountLimits };

export type MeterValidationDecision = { readonly kind: 'VALID'; readonly meter: FoundMeter } | ({ readonly kind: 'REFUSED' } & MeterRefusal);

/** A meter can be paid when the provider knows it and does not block it, and the amount (when given) is within its limits, inclusive. */
export function decideMeterValidation(lookup: MeterLookupResult, amount: bigint | undefined): MeterValidationDecision {
  if (lookup.kind !== 'FOUND') return { kind: 'REFUSED', refusal: lookup.kind };
  if (amount !== undefined && (amount < lookup.minimumAmount || amount > lookup.maximumAmount)) {
    return { kind: 'REFUSED', refusal: 'AMOUNT_OUT_OF_RANGE', limits: { minimumAmount: lookup.minimumAmount, maximumAmount: lookup.maximumAmount } };
  }
  return { kind: 'VALID', meter: lookup };
}
