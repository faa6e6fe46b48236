import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Channel, Charge, ChargeReading, NewCharge, Settlement } from '../domain/charge';

/** A row as `pg` returns it: BIGINT comes back as a string and stays exact that way. */
interface ChargeRow {
  id: string;
  reference: string;
  access_code: string;
  email: string;
  amount_minor: string;
  currency: string;
  callback_url: string | null;
  metadata: Record<string, unknown> | null;
  status: 'ongoing' | 'success' | 'failed';
  channel: Channel | null;
  gateway_response: string | null;
  paid_amount_minor: string | null;
  paid_currency: string | null;
  created_at: Date;
  expires_at: Date;
  completed_at: Date | null;
  paid_at: Date | null;
  /** The database's clock when the row was read or written: the one clock every status is judged by. */
  observed_at: Date;
}

const RETURNING = 'RETURNING *, now() AS observed_at';

/**
 * The processor's charges. Reference and access code are unique in the table, so two concurrent
 * initializes of one reference cannot both insert (the loser reads the winner's row), and a charge
 * is paid by one conditional UPDATE, so two concurrent payments cannot both succeed. Time (created,
 * expiry, payment) is always the database's clock, so replicas and restarts agree.
 */
@Injectable()
export class ChargeStore {
  constructor(private readonly dataSource: DataSource) {}

  /** The stored charge, or null when a charge with this reference already exists. */
  async insertIfNew(charge: NewCharge): Promise<ChargeReading | null> {
    const rows = await this.query(
      `INSERT INTO processor_charges (reference, access_code, email, amount_minor, currency, callback_url, metadata, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, now() + $8::bigint * interval '1 millisecond')
       ON CONFLICT (reference) DO NOTHING
       ${RETURNING}`,
      [
        charge.reference,
        charge.accessCode,
        charge.email,
        charge.amountMinor.toString(),
        charge.currency,
        charge.callbackUrl,
        charge.metadata === null ? null : JSON.stringify(charge.metadata),
        charge.ttlMs,
      ],
    );
    return rows[0] ? toReading(rows[0]) : null;
  }

  async findByReference(reference: string): Promise<ChargeReading | null> {
    const rows = await this.query('SELECT *, now() AS observed_at FROM processor_charges WHERE reference = $1', [reference]);
    return rows[0] ? toReading(rows[0]) : null;
  }

  async findByAccessCode(accessCode: string): Promise<ChargeReading | null> {
    const rows = await this.query('SELECT *, now() AS observed_at FROM processor_charges WHERE access_code = $1', [accessCode]);
    return rows[0] ? toReading(rows[0]) : null;
  }

  /**
   * Records how a payment ended, only if the charge is still ongoing and its checkout still open
   * at this instant; null otherwise (another payment won, or the checkout closed since the read).
   * This one statement is the whole guarantee that a charge is paid at most once.
   */
  async settleIfOngoing(accessCode: string, settlement: Settlement): Promise<ChargeReading | null> {
    const paid = settlement.status === 'success' ? settlement : null;
    const [rows] = await this.update(
      `UPDATE processor_charges
          SET status = $2, channel = $3, gateway_response = $4, paid_amount_minor = $5, paid_currency = $6,
              completed_at = now(), paid_at = CASE WHEN $2 = 'success' THEN now() END
        WHERE access_code = $1 AND status = 'ongoing' AND expires_at > now()
       ${RETURNING}`,
      [accessCode, settlement.status, settlement.channel, settlement.gatewayResponse, paid?.paidAmountMinor.toString() ?? null, paid?.paidCurrency ?? null],
    );
    return rows[0] ? toReading(rows[0]) : null;
  }

  private query(sql: string, parameters: readonly unknown[]): Promise<ChargeRow[]> {
    return this.dataSource.query(sql, [...parameters]);
  }

  /** TypeORM answers an UPDATE with [rows, affected count] rather than the rows alone. */
  private update(sql: string, parameters: readonly unknown[]): Promise<[ChargeRow[], number]> {
    return this.dataSource.query(sql, [...parameters]);
  }
}

function toReading(row: ChargeRow): ChargeReading {
  return { charge: toCharge(row), observedAt: row.observed_at };
}

function toCharge(row: ChargeRow): Charge {
  return {
    id: BigInt(row.id),
    reference: row.reference,
    accessCode: row.access_code,
    email: row.email,
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency,
    callbackUrl: row.callback_url,
    metadata: row.metadata,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    settlement: toSettlement(row),
  };
}

/** The table's constraints guarantee these columns come together; a row that breaks them is a bug. */
function toSettlement(row: ChargeRow): Charge['settlement'] {
  if (row.status === 'ongoing') return null;
  if (row.channel === null || row.gateway_response === null || row.completed_at === null) {
    throw new Error(`Charge ${row.reference} ended (${row.status}) without its channel, gateway response or completion time`);
  }
  const ended = { channel: row.channel, gatewayResponse: row.gateway_response, settledAt: row.completed_at };
  if (row.status === 'failed') return { status: 'failed', ...ended };
  if (row.paid_amount_minor === null || row.paid_currency === null) throw new Error(`Charge ${row.reference} succeeded without a paid amount`);
  return { status: 'success', ...ended, paidAmountMinor: BigInt(row.paid_amount_minor), paidCurrency: row.paid_currency };
}
