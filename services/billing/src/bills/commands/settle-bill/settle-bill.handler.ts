import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EVENT_TOPICS, PAYMENT_COMPLETED, PAYMENT_FAILED } from '@bvs/contracts';
import { activeTraceparent, GroupCommit, isDatabaseUnavailable, MetricsRegistry, type ItemOutcome, type OutboxItem } from '@bvs/platform';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { BillingEnv } from '../../../config/billing-env';
import type { Bill, RequestedPayment, Settlement } from '../../domain/bill';
import { decideSettlements, type BillAnswer, type SettlementDecision } from '../../domain/decide-settlement';
import { BillRepository } from '../../persistence/bill-repository';

const BILLING_SERVICE_NAME = 'billing';

/** An answer waiting for its batch, with the trace of the step that got it, which its outcome event continues. */
interface TracedAnswer extends BillAnswer {
  readonly traceparent: string | null;
}

/**
 * Ends PENDING bills with the provider's definite answers. A bill's final status and its outcome
 * event (payment-completed or payment-failed) are written by one statement, which takes the bill
 * only while it is PENDING: a bill is settled once, and its event is written once.
 *
 * Answers are written by group commit (`GroupCommit`): those that come back while one batch writes
 * are settled together by the next, up to `SETTLEMENTS_PER_TRANSACTION`, with one read and one
 * statement for the whole batch.
 *
 * Each bill it settles is counted by its final status (bvs_bills_settled_total) once the batch has
 * committed: the counter, not a COUNT over bill_payments, is how bills by outcome are watched.
 */
@Injectable()
export class SettleBillHandler {
  private readonly logger = new Logger(SettleBillHandler.name);
  private readonly batches: GroupCommit<TracedAnswer, SettlementDecision>;
  private readonly settled: Counter<'status'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bills: BillRepository,
    env: BillingEnv,
    metrics: MetricsRegistry,
  ) {
    this.settled = new Counter({
      name: 'bvs_bills_settled_total',
      help: 'Bills this replica settled, by final status: COMPLETED (a token delivered) or FAILED (the wallet reverses the payment)',
      labelNames: ['status'],
      registers: [metrics],
    });
    // Both series exist from the start at 0, so that rate() and increase() see a replica's first settlement of each.
    for (const status of ['COMPLETED', 'FAILED'] satisfies Settlement['status'][]) this.settled.inc({ status }, 0);
    this.batches = new GroupCommit(
      // Every answer comes from a step in flight, and each step waits for its own: the worker's slots bound the queue.
      {
        itemsPerBatch: env.SETTLEMENTS_PER_TRANSACTION,
        maxQueued: env.VENDS_IN_FLIGHT,
        overloaded: () => new Error('more settlements queued than vends in flight'),
        batchesInParallel: 1,
      },
      (answers) => this.write(answers),
      (error, answers) => this.logger.warn({ err: error, answers }, 'A batch of settlements failed as a whole; settling them one at a time'),
      (error) => !isDatabaseUnavailable(error),
    );
  }

  async execute(billId: string, settlement: Settlement): Promise<void> {
    const decision = await this.batches.submit({ billId, settlement, traceparent: activeTraceparent() });
    this.report(billId, settlement, decision);
  }

  /**
   * Reads the bills, decides, then settles and writes the events in one statement, with no lock
   * held between: the statement takes only bills still PENDING. An answer whose bill another
   * settler ended meanwhile (the reconciler, a replica after the lease) is decided again on the
   * next batch's read, and then changes nothing.
   */
  private async write(answers: readonly TracedAnswer[]): Promise<ItemOutcome<SettlementDecision>[]> {
    const manager = this.dataSource.manager;
    const bills = await this.bills.findAll(
      manager,
      answers.map((answer) => answer.billId),
    );
    const decisions = decideSettlements(bills, answers);
    const settled = await this.bills.settle(
      manager,
      answers.flatMap(({ billId, settlement, traceparent }, index) =>
        decisions[index]?.kind === 'SETTLE'
          ? [{ billId, settlement, event: { ...outcomeEvent((bills.get(billId) as Bill).payment, settlement), options: { traceparent } } }]
          : [],
      ),
    );
    // Every answer for such a bill was decided on a state that is gone, the batch's later answers included.
    const lost = new Set(answers.filter(({ billId }, index) => decisions[index]?.kind === 'SETTLE' && !settled.has(billId)).map(({ billId }) => billId));
    return decisions.map((decision, index): ItemOutcome<SettlementDecision> => {
      const billId = answers[index]?.billId as string;
      if (decision.kind === 'NO_SUCH_BILL') return { kind: 'FAILED', error: new Error(`No bill ${billId} to settle`) };
      if (lost.has(billId)) return { kind: 'AGAIN' };
      return { kind: 'DONE', result: decision };
    });
  }

  private report(billId: string, settlement: Settlement, decision: SettlementDecision): void {
    if (decision.kind === 'ALREADY_SETTLED') {
      this.logger.log({ billId, settledAs: decision.settledAs, answer: settlement.status }, 'Bill was already settled; the later answer changed nothing');
      return;
    }
    this.settled.inc({ status: settlement.status });
    if (settlement.status === 'COMPLETED') {
      this.logger.log({ billId, providerReference: settlement.providerReference }, 'Bill completed');
    } else {
      this.logger.warn({ billId, reasonCode: settlement.reasonCode }, 'Bill failed definitively; the wallet will reverse it');
    }
  }
}

function outcomeEvent(payment: RequestedPayment, settlement: Settlement): OutboxItem {
  // What every outcome event says about the payment it settles.
  const facts = {
    paymentId: payment.paymentId,
    transactionId: payment.transactionId,
    walletId: payment.walletId,
    userId: payment.userId,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
  };
  switch (settlement.status) {
    case 'COMPLETED':
      return {
        topic: EVENT_TOPICS.paymentCompleted,
        event: {
          metadata: metadataFor(PAYMENT_COMPLETED, payment),
          payload: { ...facts, token: settlement.token, units: settlement.units, providerReference: settlement.providerReference },
        },
      };
    case 'FAILED':
      return {
        topic: EVENT_TOPICS.paymentFailed,
        event: {
          metadata: metadataFor(PAYMENT_FAILED, payment),
          payload: { ...facts, reasonCode: settlement.reasonCode, reasonMessage: settlement.reasonMessage },
        },
      };
  }
}

function metadataFor<T extends string>(eventType: T, payment: RequestedPayment) {
  return {
    eventId: randomUUID(),
    eventType,
    occurredAt: new Date().toISOString(),
    correlationId: payment.correlationId,
    causationId: null,
    producer: BILLING_SERVICE_NAME,
  };
}
