/**
 * The port billing vends through. The HTTP adapter talks to the simulator; a real provider gets an
 * adapter of its own behind the same interface. Amounts are minor units as bigint.
 */
export interface ProviderCatalogueEntry {
  readonly code: string;
  readonly name: string;
  readonly meterType: 'PREPAID' | 'POSTPAID';
  readonly minimumAmount: bigint;
  readonly maximumAmount: bigint;
  readonly fee: bigint;
  readonly currency: string;
}

export type MeterLookupResult =
  | {
      readonly kind: 'FOUND';
      readonly providerName: string;
      readonly meterType: 'PREPAID' | 'POSTPAID';
      readonly customerName: string;
      readonly address: string;
      readonly minimumAmount: bigint;
      readonly maximumAmount: bigint;
      readonly currency: string;
    }
  | { readonly kind: 'UNKNOWN_PROVIDER' | 'METER_NOT_FOUND' | 'METER_BLOCKED'; readonly message: string };

export interface VendOrder {
  /** Our idempotency id at the provider: the payment id. */
  readonly requestId: string;
  readonly providerCode: string;
  readonly meterNumber: string;
  readonly amount: bigint;
}

/**
 * What one step learnt. UNKNOWN covers timeouts, dropped connections and exhausted transient
 * errors: the vend may or may not have happened, so the only safe next move is to ask again.
 */
export type VendOutcome =
  | { readonly kind: 'SUCCEEDED'; readonly token: string; readonly units: string; readonly providerReference: string }
  | { readonly kind: 'FAILED'; readonly reasonCode: string; readonly reasonMessage: string; readonly providerReference: string | null }
  | { readonly kind: 'PENDING'; readonly providerReference: string | null }
  | { readonly kind: 'NOT_RECEIVED' }
  | { readonly kind: 'UNKNOWN'; readonly cause: string };

export abstract class VendingProvider {
  abstract catalogue(): Promise<readonly ProviderCatalogueEntry[]>;
  abstract lookupMeter(providerCode: string, meterNumber: string): Promise<MeterLookupResult>;
  abstract vend(order: VendOrder): Promise<VendOutcome>;
  /** Only ever NOT_RECEIVED when the provider has no record of the request id at all. */
  abstract requery(requestId: string): Promise<VendOutcome>;
}

/** The provider could not be asked at all (down, or only transient errors within the retries). */
export class ProviderUnavailableError extends Error {
  constructor(cause: string) {
    super(`vending provider unavailable: ${cause}`);
    this.name = 'ProviderUnavailableError';
  }
}
