import { Injectable } from '@nestjs/common';
import { outboxInsert, outboxParameters, PreparedStatement, type OutboxItem } from '@bvs/platform';
import type { EntityManager } from 'typeorm';
import type { NewTransaction, PaymentSettlement } from '../domain/ledger-transaction';
import type { BalanceChange, LedgerEntry } from '../domain/wallet';
import {
  ENTRY_PARAMETERS,
  entryParameters,
  insertEntriesSql,
  insertTransactionsSql,
  SETTLEMENT_PARAMETERS,
  settlementParameters,
  settlePaymentsSql,
  TRANSACTION_PARAMETERS,
  transactionParameters,
} from './ledger-repository';
import { BALANCE_PARAMETERS, balanceParameters, saveBalancesSql } from './wallet-repository';

const FIRST_REVERSAL = 1 + BALANCE_PARAMETERS;
const FIRST_ENTRY = FIRST_REVERSAL + TRANSACTION_PARAMETERS;
const FIRST_SETTLEMENT = FIRST_ENTRY + ENTRY_PARAMETERS;
const FIRST_EVENT = FIRST_SETTLEMENT + SETTLEMENT_PARAMETERS;

/**
 * A slice's settled outcomes in one statement: the balances, the reversals, the ledger entries,
 * the payments' final states and the events. Foreign keys from the entries to the reversals
 * inserted beside them hold: PostgreSQL checks them when the whole statement has run. The rows
 * updated are found by primary key; only while `wallet_transactions` is a few pages with no
 * statistics yet may a cached generic plan scan it instead, until the first ANALYZE replans it.
 */
const SAVE_SETTLED_OUTCOMES = new PreparedStatement(
  'settled_outcomes_save',
  `WITH saved AS (${saveBalancesSql(1)}),
   reversals AS (${insertTransactionsSql(FIRST_REVERSAL)}),
   entries AS (${insertEntriesSql(FIRST_ENTRY)}),
   settled AS (${settlePaymentsSql(FIRST_SETTLEMENT)}),
   events AS (${outboxInsert(FIRST_EVENT)})
   SELECT id FROM saved`,
);

/** What a slice of outcomes writes once every outcome in it is decided. */
export interface SettledOutcomes {
  readonly balanceChanges: readonly BalanceChange[];
  readonly reversals: readonly NewTransaction[];
  readonly entries: readonly LedgerEntry[];
  readonly settlements: readonly PaymentSettlement[];
  readonly events: readonly OutboxItem[];
}

/**
 * Writes a consumer slice's decisions in one round trip instead of five (balances, reversals,
 * entries, settlements, events). The slice's wallets are locked by then, so the transaction holds
 * those locks, which a payment request on the same wallet waits for, three round trips less.
 */
@Injectable()
export class SettledOutcomesStore {
  /**
   * The wallets whose balances were saved. Runs in the consumer's transaction, which must roll back
   * if one is missing: the slice's other writes are in the same statement.
   */
  async save(manager: EntityManager, outcomes: SettledOutcomes): Promise<Set<string>> {
    if (outcomes.balanceChanges.length === 0 && outcomes.settlements.length === 0) return new Set();
    const { rows } = await SAVE_SETTLED_OUTCOMES.run<{ id: string }>(manager, [
      ...balanceParameters(outcomes.balanceChanges),
      ...transactionParameters(outcomes.reversals),
      ...entryParameters(outcomes.entries),
      ...settlementParameters(outcomes.settlements),
      ...outboxParameters(outcomes.events),
    ]);
    return new Set(rows.map((row) => row.id));
  }
}
