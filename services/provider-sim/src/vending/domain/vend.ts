import type { MeterType } from '../../catalogue/domain/disco';

/** A UUID fits, and so does VTpass's `YYYYMMDDHHII` + suffix; nothing that needs escaping in a URL path. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

export const VEND_STATUSES = ['SUCCESS', 'FAILED', 'PENDING'] as const;
export type VendStatus = (typeof VEND_STATUSES)[number];
export type FinalVendStatus = Exclude<VendStatus, 'PENDING'>;

/**
 * Why a vend definitely delivered nothing. The same codes as the errors of `POST /meters/verify`
 * where the reason is the same, so a client maps one list.
 */
export const FAILURE_REASONS = ['PROVIDER.NOT_FOUND', 'METER.NOT_FOUND', 'METER.BLOCKED', 'AMOUNT.OUT_OF_RANGE', 'VEND.DECLINED'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** What a caller asked for; two requests with the same requestId must agree on all of it. */
export interface VendRequest {
  readonly requestId: string;
  readonly providerCode: string;
  readonly meterNumber: string;
  readonly amountKobo: bigint;
}

/** What the provider delivered: a token and units for prepaid meters, nothing more for postpaid bills. */
export interface Delivery {
  readonly token: string | null;
  readonly unitsKwh: string | null;
}

/** The final outcome a PENDING vend takes once it is due. */
export interface Resolution {
  readonly status: FinalVendStatus;
  readonly reasonCode: FailureReason | null;
}

/** Null facts are those a refused vend never learnt (no disco, so no meter type, fee or tariff). */
interface VendFacts extends VendRequest, Delivery {
  readonly meterType: MeterType | null;
  readonly customerName: string | null;
  readonly feeKobo: bigint | null;
  readonly tariffKoboPerKwh: bigint | null;
  readonly status: VendStatus;
  readonly reasonCode: FailureReason | null;
}

/** A vend as first recorded. */
export interface NewVend extends VendFacts {
  readonly pending: (Resolution & { readonly afterMs: number }) | null;
}

/** A stored vend; `resolution` stays after a PENDING vend resolved, as its history. */
export interface Vend extends VendFacts {
  readonly providerReference: string;
  readonly currency: string;
  readonly resolution: Resolution | null;
  readonly createdAt: Date;
  readonly completedAt: Date | null;
}

export function sameRequest(a: VendRequest, b: VendRequest): boolean {
  return a.providerCode === b.providerCode && a.meterNumber === b.meterNumber && a.amountKobo === b.amountKobo;
}
