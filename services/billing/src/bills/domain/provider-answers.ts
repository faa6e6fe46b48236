/**
 * What the vending provider can answer, in the domain's words; the provider port returns these and
 * the adapters translate their wire formats into them. Amounts are minor units as bigint.
 */

/**
 * What a vend call learnt. UNKNOWN covers timeouts, dropped connections and exhausted transient
 * errors: the vend may or may not have happened, so the only safe next move is to ask again.
 */
export type VendOutcome =
  | { readonly kind: 'SUCCEEDED'; readonly token: string; readonly units: string; readonly providerReference: string }
  | { readonly kind: 'FAILED'; readonly reasonCode: string; readonly reasonMessage: string; readonly providerReference: string | null }
  | { readonly kind: 'PENDING'; readonly providerReference: string | null }
  | { readonly kind: 'UNKNOWN'; readonly cause: string };

/** A requery can also learn that the provider has no record of the request id at all. */
export type RequeryOutcome = VendOutcome | { readonly kind: 'NOT_RECEIVED' };

export type MeterType = 'PREPAID' | 'POSTPAID';

/** The provider's limits for one product, inclusive. */
export interface AmountLimits {
  readonly minimumAmount: bigint;
  readonly maximumAmount: bigint;
}

export type MeterLookupResult =
  | (AmountLimits & {
      readonly kind: 'FOUND';
      readonly providerName: string;
      readonly meterType: MeterType;
      readonly customerName: string;
      readonly address: string;
      readonly currency: string;
    })
  | { readonly kind: 'UNKNOWN_PROVIDER' | 'METER_NOT_FOUND' | 'METER_BLOCKED'; readonly message: string };
