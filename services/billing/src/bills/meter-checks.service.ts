import { Injectable } from '@nestjs/common';
import { BILLING_ERROR_CODES, ElectricityProvider, MeterValidation } from '@bvs/contracts';
import { ExpiringLruCache, ServiceError } from '@bvs/platform';
import { BillingEnv } from '../config/billing-env';
import { ProviderCatalogueEntry, ProviderUnavailableError, VendingProvider } from '../provider/vending-provider';
import { decideMeterValidation, MeterRefusal } from './domain/decide-meter-validation';
import type { MeterLookupResult } from './domain/provider-answers';

interface Cached<T> {
  readonly value: T;
  readonly expiresAt: number;
}

/**
 * The catalogue and meter checks users see before paying. Cached for a short while: users
 * validate, then pay, and the provider is slow and rate-limited. Only answers are cached, never an
 * outage.
 */
@Injectable()
export class MeterChecks {
  private catalogueCache: Cached<readonly ProviderCatalogueEntry[]> | undefined;
  private readonly meterCache: ExpiringLruCache<string, MeterLookupResult>;

  constructor(
    private readonly provider: VendingProvider,
    private readonly env: BillingEnv,
  ) {
    // Bounded: meter numbers come from callers, who could otherwise grow the cache without end.
    this.meterCache = new ExpiringLruCache(env.METER_CACHE_MAX_ENTRIES);
  }

  async providers(): Promise<ElectricityProvider[]> {
    const catalogue = await this.catalogue();
    return catalogue.map((entry) => ({
      code: entry.code,
      name: entry.name,
      meterType: entry.meterType,
      minimumAmount: entry.minimumAmount.toString(),
      maximumAmount: entry.maximumAmount.toString(),
      fee: entry.fee.toString(),
      currency: entry.currency,
    }));
  }

  /** The meter's owner and the provider's limits; with an amount, also whether it is within them. */
  async validate(providerCode: string, meterNumber: string, amount?: bigint): Promise<MeterValidation> {
    const decision = decideMeterValidation(await this.lookup(providerCode, meterNumber), amount);
    if (decision.kind === 'REFUSED') throw refusalError(decision, providerCode);
    const meter = decision.meter;
    return {
      providerCode,
      providerName: meter.providerName,
      meterNumber,
      meterType: meter.meterType,
      customerName: meter.customerName,
      address: meter.address,
      minimumAmount: meter.minimumAmount.toString(),
      maximumAmount: meter.maximumAmount.toString(),
      currency: meter.currency,
    };
  }

  private async catalogue(): Promise<readonly ProviderCatalogueEntry[]> {
    if (this.catalogueCache && this.catalogueCache.expiresAt > Date.now()) return this.catalogueCache.value;
    const value = await this.unavailableAsError(() => this.provider.catalogue());
    this.catalogueCache = { value, expiresAt: Date.now() + this.env.PROVIDER_CACHE_TTL_MS };
    return value;
  }

  private async lookup(providerCode: string, meterNumber: string): Promise<MeterLookupResult> {
    const key = `${providerCode}/${meterNumber}`;
    const cached = this.meterCache.get(key);
    if (cached) return cached;
    const value = await this.unavailableAsError(() => this.provider.lookupMeter(providerCode, meterNumber));
    this.meterCache.set(key, value, Date.now() + this.env.PROVIDER_CACHE_TTL_MS);
    return value;
  }

  private async unavailableAsError<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ProviderUnavailableError) {
        throw new ServiceError(BILLING_ERROR_CODES.providerUnavailable, 503, 'The electricity provider is not answering; try again shortly.');
      }
      throw error;
    }
  }
}

/** The edge's answer to each refusal: its stable code, its status, and a message for the user. */
function refusalError(refused: MeterRefusal, providerCode: string): ServiceError {
  switch (refused.refusal) {
    case 'UNKNOWN_PROVIDER':
      return new ServiceError(BILLING_ERROR_CODES.unknownProvider, 400, `No provider has the code ${providerCode}.`, { field: 'provider' });
    case 'METER_NOT_FOUND':
      return new ServiceError(BILLING_ERROR_CODES.meterNotFound, 422, 'The provider knows no such meter.', { field: 'meterNumber' });
    case 'METER_BLOCKED':
      return new ServiceError(BILLING_ERROR_CODES.meterBlocked, 422, 'The meter is blocked by its provider.', { field: 'meterNumber' });
    case 'AMOUNT_OUT_OF_RANGE': {
      const { minimumAmount, maximumAmount } = refused.limits;
      return new ServiceError(
        BILLING_ERROR_CODES.amountOutOfRange,
        422,
        `The amount must be between ${minimumAmount} and ${maximumAmount} minor units for this provider.`,
        { field: 'amount', minimum: minimumAmount.toString(), maximum: maximumAmount.toString() },
      );
    }
  }
}
