import type { MeterType } from '../catalogue/domain/disco';
import { jsonAmount } from '../http/json-amount';
import type { FailureReason, Vend, VendStatus } from './domain/vend';

/** The one shape `POST /vend` and `GET /vend/:requestId` answer with. */
export interface VendView {
  readonly requestId: string;
  readonly providerReference: string;
  readonly providerCode: string;
  readonly meterNumber: string;
  readonly meterType: MeterType | null;
  readonly customerName: string | null;
  readonly amount: number;
  readonly fee: number | null;
  readonly currency: string;
  readonly status: VendStatus;
  readonly reasonCode: FailureReason | null;
  /** 20 plain digits; prepaid SUCCESS only. */
  readonly token: string | null;
  /** kWh as a decimal string with one decimal; prepaid SUCCESS only. */
  readonly units: string | null;
  readonly tariffPerKwh: number | null;
  readonly createdAt: string;
  readonly completedAt: string | null;
}

export function vendView(vend: Vend): VendView {
  return {
    requestId: vend.requestId,
    providerReference: vend.providerReference,
    providerCode: vend.providerCode,
    meterNumber: vend.meterNumber,
    meterType: vend.meterType,
    customerName: vend.customerName,
    amount: jsonAmount(vend.amountKobo),
    fee: vend.feeKobo === null ? null : jsonAmount(vend.feeKobo),
    currency: vend.currency,
    status: vend.status,
    reasonCode: vend.reasonCode,
    token: vend.token,
    units: vend.unitsKwh,
    tariffPerKwh: vend.tariffKoboPerKwh === null ? null : jsonAmount(vend.tariffKoboPerKwh),
    createdAt: vend.createdAt.toISOString(),
    completedAt: vend.completedAt?.toISOString() ?? null,
  };
}
