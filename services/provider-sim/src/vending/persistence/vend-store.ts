import { Injectable } from '@nestjs/common';
import { PreparedStatement } from '@bvs/platform';
import { DataSource } from 'typeorm';
import { CURRENCY, MeterType } from '../../catalogue/domain/disco';
import { deliveryFor } from '../domain/decide-vend';
import type { Delivery, FailureReason, FinalVendStatus, NewVend, Vend, VendStatus } from '../domain/vend';

/** A row as `pg` returns it: BIGINT and NUMERIC come back as strings, and stay exact that way. */
interface VendRow {
  id: string;
  request_id: string;
  provider_code: string;
  meter_number: string;
  amount_kobo: string;
  currency: string;
  meter_type: MeterType | null;
  customer_name: string | null;
  fee_kobo: string | null;
  tariff_kobo_per_kwh: string | null;
  status: VendStatus;
  reason_code: FailureReason | null;
  token: string | null;
  units_kwh: string | null;
  resolves_to: FinalVendStatus | null;
  resolves_with_reason: FailureReason | null;
  created_at: Date;
  completed_at: Date | null;
}

/** Named rather than `*`: a prepared statement keeps its result's shape, and a column added later would fail it. */
const VEND_COLUMNS = `id, request_id, provider_code, meter_number, amount_kobo, currency, meter_type, customer_name, fee_kobo,
  tariff_kobo_per_kwh, status, reason_code, token, units_kwh, resolves_to, resolves_with_reason, created_at, completed_at`;
const INSERT_VEND = new PreparedStatement(
  'vends_insert',
  `INSERT INTO vends (request_id, provider_code, meter_number, amount_kobo, currency, meter_type, customer_name,
                      fee_kobo, tariff_kobo_per_kwh, status, reason_code, token, units_kwh,
                      resolve_at, resolves_to, resolves_with_reason, completed_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
           CASE WHEN $14::bigint IS NULL THEN NULL ELSE now() + $14::bigint * interval '1 millisecond' END,
           $15, $16, CASE WHEN $10 = 'PENDING' THEN NULL ELSE now() END)
   ON CONFLICT (request_id) DO NOTHING
   RETURNING ${VEND_COLUMNS}`,
);
const VEND_BY_REQUEST = new PreparedStatement('vends_by_request', `SELECT ${VEND_COLUMNS} FROM vends WHERE request_id = $1`);
const RESOLVE_DUE_VEND = new PreparedStatement(
  'vends_resolve_due',
  `UPDATE vends
      SET status = resolves_to, reason_code = resolves_with_reason, token = $2, units_kwh = $3, completed_at = resolve_at
    WHERE request_id = $1 AND status = 'PENDING' AND resolve_at <= now()
   RETURNING ${VEND_COLUMNS}`,
);

/**
 * Vend records. The request id is unique in the table, so two concurrent vends with the same id
 * cannot both be inserted: the loser's insert does nothing and it reads the winner's row.
 * Time (created, due, completed) is always the database's clock, so replicas and restarts agree.
 */
@Injectable()
export class VendStore {
  constructor(private readonly dataSource: DataSource) {}

  /** The stored vend, or null when a vend with this request id already exists. */
  async insertIfNew(vend: NewVend): Promise<Vend | null> {
    const { rows } = await INSERT_VEND.run<VendRow>(this.dataSource.manager, [
      vend.requestId,
      vend.providerCode,
      vend.meterNumber,
      vend.amountKobo.toString(),
      CURRENCY,
      vend.meterType,
      vend.customerName,
      vend.feeKobo?.toString() ?? null,
      vend.tariffKoboPerKwh?.toString() ?? null,
      vend.status,
      vend.reasonCode,
      vend.token,
      vend.unitsKwh,
      vend.pending?.afterMs ?? null,
      vend.pending?.status ?? null,
      vend.pending?.reasonCode ?? null,
    ]);
    return rows[0] ? toVend(rows[0]) : null;
  }

  async find(requestId: string): Promise<Vend | null> {
    const { rows } = await VEND_BY_REQUEST.run<VendRow>(this.dataSource.manager, [requestId]);
    return rows[0] ? toVend(rows[0]) : null;
  }

  /**
   * Gives a PENDING vend its final outcome once its time has come, and returns the vend as it now
   * stands. Resolving on read (instead of a timer) means a restart loses nothing: the due time
   * and the outcome are in the row. The update only applies to a still-pending row, and the token
   * is derived from the vend itself, so racing readers all end with the same result.
   */
  async resolveIfDue(vend: Vend): Promise<Vend> {
    if (vend.status !== 'PENDING' || !vend.resolution) return vend;
    const delivery: Delivery =
      vend.resolution.status === 'SUCCESS' && vend.meterType && vend.tariffKoboPerKwh
        ? deliveryFor(vend, vend.meterType, vend.tariffKoboPerKwh)
        : { token: null, unitsKwh: null };
    const { rows } = await RESOLVE_DUE_VEND.run<VendRow>(this.dataSource.manager, [vend.requestId, delivery.token, delivery.unitsKwh]);
    if (rows[0]) return toVend(rows[0]);
    const current = await this.find(vend.requestId);
    if (!current) throw new Error(`Vend ${vend.requestId} disappeared while being resolved`);
    return current;
  }
}

function toVend(row: VendRow): Vend {
  return {
    providerReference: `PSIM-${row.id.padStart(10, '0')}`,
    requestId: row.request_id,
    providerCode: row.provider_code,
    meterNumber: row.meter_number,
    amountKobo: BigInt(row.amount_kobo),
    currency: row.currency,
    meterType: row.meter_type,
    customerName: row.customer_name,
    feeKobo: row.fee_kobo === null ? null : BigInt(row.fee_kobo),
    tariffKoboPerKwh: row.tariff_kobo_per_kwh === null ? null : BigInt(row.tariff_kobo_per_kwh),
    status: row.status,
    reasonCode: row.reason_code,
    token: row.token,
    unitsKwh: row.units_kwh,
    resolution: row.resolves_to ? { status: row.resolves_to, reasonCode: row.resolves_with_reason } : null,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}
