import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { enqueueEvents, ServiceError } from '@bvs/platform';
import { DataSource, EntityManager } from 'typeorm';
import { WalletEnv } from '../../config/wallet-env';
import { checkAmount } from '../domain/amount';
import type { Accepted, ClientRequest, RequestDecision, RequestState } from '../domain/client-request';
import { decideRequestBatch, referenceKey } from '../domain/decide-request-batch';
import { REFUSALS } from '../domain/wallet-refusal';
import { isReferenceTaken, LedgerRepository } from '../persistence/ledger-repository';
import type { StoredTransaction } from '../persistence/rows';
import { WalletRepository } from '../persistence/wallet-repository';
import { toServiceError } from '../service-errors';

/** The transaction a client's reference stands for, and whether this request only replayed it. */
export interface RecordedRequest {
  readonly transaction: StoredTransaction;
  readonly replayed: boolean;
}

/** Decides a client request on the wallet as read (and told the time); pure. */
export type DecideRequest = (state: RequestState<StoredTransaction>, now: Date) => RequestDecision<StoredTransaction>;

/** A request waiting for its turn in a batch, with the promise its caller awaits. */
interface QueuedRequest {
  readonly request: ClientRequest;
  readonly decide: DecideRequest;
  /** Batches in which its wallet moved under it before the batch could save. */
  walletMoves: number;
  /** Whether it already ran alone once more after a concurrent writer took its reference first. */
  retriedAfterRace: boolean;
  readonly resolve: (recorded: RecordedRequest) => void;
  readonly reject: (error: unknown) => void;
}

/** What one committed batch means for each of its requests. */
type BatchOutcome =
  | { readonly kind: 'RECORDED'; readonly recorded: RecordedRequest }
  | { readonly kind: 'REFUSED'; readonly error: ServiceError }
  /** Decided on a wallet that changed before the batch saved it, or deferred behind its own reference: decide again. */
  | { readonly kind: 'AGAIN'; readonly walletMoved: boolean };

const QUEUE_FULL = new ServiceError(
  'SERVICE.UNAVAILABLE',
  503,
  'The wallet has more requests waiting than it can write in time; send the same request again shortly.',
);

/**
 * How a client's money-moving request (fund, pay) reaches the book, once per (wallet, reference).
 * An amount outside its limits is refused before anything is queued.
 *
 * Requests are written by group commit, as ledgers such as TigerBeetle do: while one database
 * transaction writes, the requests that arrive meanwhile queue, and the next transaction takes up
 * to `REQUESTS_PER_TRANSACTION` of them. One transaction opens any new wallets, reads the wallets
 * and what the references already made, decides every request in arrival order (each sees its
 * wallet as the requests before it left it), saves each moved wallet at the version read, and
 * writes the new transactions, their ledger entries and their outbox events in one statement
 * each: all of it commits, or none of it does. A request is answered only after its batch commits.
 * Under no load a request waits for nobody; under load the cost of a commit is shared.
 *
 * A wallet that another writer (a consumer, another replica) changed after the read is not saved,
 * and its requests are decided again in the next batch, up to `BALANCE_UPDATE_ATTEMPTS` times. A
 * batch that fails as a whole (a reference a concurrent replica took first, a deadlock) is written
 * again one request at a time, so one request's trouble never fails another's.
 */
@Injectable()
export class IdempotentWalletCommand {
  private readonly logger = new Logger(IdempotentWalletCommand.name);
  private readonly queue: QueuedRequest[] = [];
  private writing = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly wallets: WalletRepository,
    private readonly ledger: LedgerRepository,
    private readonly env: WalletEnv,
  ) {}

  run(request: ClientRequest, limitMinor: bigint, decide: DecideRequest): Promise<RecordedRequest> {
    const refusal = checkAmount(request.amount, limitMinor);
    if (refusal) return Promise.reject(toServiceError(refusal));
    // Shed load before it waits longer than any caller's deadline: a fast 503 is retried, a late answer is lost.
    if (this.queue.length >= this.env.MAX_QUEUED_REQUESTS) return Promise.reject(QUEUE_FULL);
    return new Promise((resolve, reject) => {
      this.queue.push({ request, decide, walletMoves: 0, retriedAfterRace: false, resolve, reject });
      if (!this.writing) void this.writeWhileQueued();
    });
  }

  private async writeWhileQueued(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) await this.write(this.queue.splice(0, this.env.REQUESTS_PER_TRANSACTION));
    } finally {
      this.writing = false;
    }
  }

  /** Writes `batch` and answers each of its requests, or puts it back at the head of the queue; never throws. */
  private async write(batch: readonly QueuedRequest[]): Promise<void> {
    let outcomes: BatchOutcome[];
    try {
      outcomes = await this.dataSource.transaction((manager) => this.decideAndSave(manager, batch, new Date()));
    } catch (error) {
      await this.recover(batch, error);
      return;
    }
    const again: QueuedRequest[] = [];
    outcomes.forEach((outcome, index) => {
      const queued = batch[index] as QueuedRequest;
      if (outcome.kind === 'RECORDED') queued.resolve(outcome.recorded);
      else if (outcome.kind === 'REFUSED') queued.reject(outcome.error);
      else if (outcome.walletMoved && ++queued.walletMoves >= this.env.BALANCE_UPDATE_ATTEMPTS) queued.reject(toServiceError(REFUSALS.concurrentUpdate()));
      else again.push(queued);
    });
    // First in line again, in their order: a wallet's requests keep the order they arrived in.
    this.queue.unshift(...again);
  }

  private async recover(batch: readonly QueuedRequest[], error: unknown): Promise<void> {
    if (batch.length > 1) {
      this.logger.warn({ err: error, requests: batch.length }, 'A group commit failed as a whole; writing its requests one at a time');
      for (const queued of batch) await this.write([queued]);
      return;
    }
    const [queued] = batch as [QueuedRequest];
    if (isReferenceTaken(error) && !queued.retriedAfterRace) {
      // A concurrent replica committed this reference between our read and our insert. Deciding
      // again sees its row: the same request replays it, another is refused.
      queued.retriedAfterRace = true;
      await this.write([queued]);
      return;
    }
    queued.reject(error);
  }

  private async decideAndSave(manager: EntityManager, batch: readonly QueuedRequest[], now: Date): Promise<BatchOutcome[]> {
    // The wallets first, then the references: a reference committed before a wallet version we read is then always seen.
    const walletsByUser = await this.wallets.openAll(
      manager,
      batch.map(({ request }) => ({ id: randomUUID(), userId: request.userId, currency: this.env.WALLET_CURRENCY })),
    );
    const walletOf = (userId: string) => walletsByUser.get(userId)?.id as string;
    const earlier = await this.ledger.findByReferences(
      manager,
      batch.map(({ request }) => ({ walletId: walletOf(request.userId), reference: request.reference })),
    );
    const { decisions, balanceChanges } = decideRequestBatch<StoredTransaction>(
      batch.map(({ request, decide }) => ({ userId: request.userId, reference: request.reference, decide: (state) => decide(state, now) })),
      { walletsByUser, earlierByReference: new Map(earlier.map((transaction) => [referenceKey(transaction.walletId, transaction.reference ?? ''), transaction])) },
    );
    const saved = await this.wallets.saveBalances(manager, balanceChanges);
    const moved = new Set(balanceChanges.filter((change) => !saved.has(change.walletId)).map((change) => change.walletId));
    const written = decisions.filter((decision): decision is Accepted => decision.kind === 'ACCEPTED' && saved.has(decision.entry.walletId));
    const stored = await this.ledger.insertTransactions(
      manager,
      written.map((decision) => decision.transaction),
    );
    await this.ledger.recordEntries(
      manager,
      written.map((decision) => decision.entry),
    );
    await enqueueEvents(
      manager,
      written.map((decision) => decision.publish),
    );
    const storedById = new Map(stored.map((transaction) => [transaction.id, transaction]));
    return decisions.map((decision, index): BatchOutcome => {
      const walletId = walletOf((batch[index] as QueuedRequest).request.userId);
      // Every decision on a moved wallet was taken on a state that is gone, refusals included.
      if (moved.has(walletId)) return { kind: 'AGAIN', walletMoved: true };
      switch (decision.kind) {
        case 'DEFERRED':
          return { kind: 'AGAIN', walletMoved: false };
        case 'REFUSED':
          return { kind: 'REFUSED', error: toServiceError(decision) };
        case 'REPLAY':
          return { kind: 'RECORDED', recorded: { transaction: decision.earlier, replayed: true } };
        case 'ACCEPTED':
          return { kind: 'RECORDED', recorded: { transaction: storedById.get(decision.transaction.id) as StoredTransaction, replayed: false } };
      }
    });
  }
}
