import type { MeterLookupResult, MeterType, RequeryOutcome, VendOutcome } from '../bills/domain/provider-answers';

/**
 * The port billing vends through. The HTTP adapter talks to the simulator; a real provider gets an
 * adapter of its own behind the same interface. Amounts are minor units as bigint.
 */
export interface ProviderCatalogueEntry {
  readonly code: string;
  readonly name: string;
  readonly meterType: MeterType;
  readonly minimumAmount: bigint;
  readonly maximumAmount: bigint;
  readonly fee: bigint;
  readonly currency: string;
}

export interface VendOrder {
  /** Our idempotency id at the provider: the payment id. */
  readonly requestId: string;
  readonly providerCode: string;
  readonly meterNumber: string;
  readonly amount: bigint;
}

export abstract class VendingProvider {
  abstract catalogue(): Promise<readonly ProviderCatalogueEntry[]>;
  abstract lookupMeter(providerCode: string, meterNumber: string): Promise<MeterLookupResult>;
  abstract vend(order: VendOrder): Promise<VendOutcome>;
  /** Only ever NOT_RECEIVED when the provider has no record of the request id at all. */
  abstract requery(requestId: string): Promise<RequeryOutcome>;
}

/** The provider could not be asked at all (down, or only transient errors within the retries). */
export class ProviderUnavailableError extends Error {
  constructor(cause: string) {
    super(`vending provider unavailable: ${cause}`);
    this.name = 'ProviderUnavailableError';
  }
}
