import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { activeTraceparent, GroupCommit, isDatabaseUnavailable, MetricsRegistry, queueFullError, type ItemOutcome } from '@bvs/platform';
import { Counter } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { WalletEnv } from '../../config/wallet-env';
import { checkAmount } from '../domain/amount';
import type { ClientRequest, RequestDecision, RequestState } from '../domain/client-request';
import { decideRequestBatch, referenceKey } from '../domain/decide-request-batch';
import { REFUSALS } from '../domain/wallet-refusal';
import { AcceptedRequestsStore } from '../persistence/accepted-requests-store';
import { isReferenceTaken } from '../persistence/ledger-repository';
import { RequestStateStore } from '../persistence/request-state-store';
import type { StoredTransaction } from '../persistence/rows';
import { toServiceError } from '../service-errors';

/** The transaction a client's reference stands for, and whether this request only replayed it. */
export interface RecordedRequest {
  readonly transaction: StoredTransaction;
  readonly replayed: boolean;
}

/** Decides a client request on the wallet as read (and told the time); pure. */
export type DecideRequest = (state: RequestState<StoredTransaction>, now: Date) => RequestDecision<StoredTransaction>;

/** What a request may wait for before it is written, and what ends its wait. */
export interface RequestWaits {
  readonly admit?: () => Promise<void>;
  readonly abandoned?: AbortSignal;
}

/** A request waiting for its turn in a batch. */
interface QueuedRequest {
  readonly request: ClientRequest;
  readonly decide: DecideRequest;
  /** Batches in which its wallet moved under it before the batch could save. */
  walletMoves: number;
  /** The caller's trace, which the request's event continues whichever batch writes it. */
  readonly traceparent: string | null;
}

/**
 * How a client's money-moving request (fund, pay) reaches the book, once per (wallet, reference).
 * An amount outside its limits is refused before anything is queued.
 *
 * Requests are written by group commit (`GroupCommit`): the requests that arrive while batches
 * write are written together by the next, up to `REQUESTS_PER_TRANSACTION`. Up to
 * `REQUEST_BATCHES_IN_PARALLEL` batches write at once, never two holding the same user's requests,
 * so a user's requests are decided in the order they came and never race each other. A batch opens any new
 * wallets, reads the wallets and what the references already made (one statement), decides every request in
 * arrival order (each sees its wallet as the requests before it left it), then in one statement
 * saves each moved wallet at the version read and writes the new transactions, their ledger
 * entries and their outbox events: all of it commits, or none of it does. A request is answered
 * only after its batch commits.
 *
 * A wallet that another writer (a consumer, another replica) changed after the read is not saved,
 * and its requests are decided again in the next batch, up to `BALANCE_UPDATE_ATTEMPTS` times. A
 * request whose reference a concurrent replica committed first is decided again too, and then
 * sees that replica's row: the same request replays it, another is refused.
 */
@Injectable()
export class IdempotentWalletCommand {
  private readonly logger = new Logger(IdempotentWalletCommand.name);
  private readonly batches: GroupCommit<QueuedRequest, RecordedRequest>;
  private readonly droppedRequests: Counter;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly requestStates: RequestStateStore,
    private readonly acceptedRequests: AcceptedRequestsStore,
    private readonly env: WalletEnv,
    metrics: MetricsRegistry,
  ) {
    this.droppedRequests = new Counter({
      name: 'bvs_wallet_requests_dropped_total',
      help: 'Fund and pay requests dropped unwritten because their caller stopped waiting before a batch took them',
      registers: [metrics],
    });
    this.batches = new GroupCommit(
      {
        itemsPerBatch: env.REQUESTS_PER_TRANSACTION,
        maxQueued: env.MAX_QUEUED_REQUESTS,
        overloaded: () => queueFullError('The wallet'),
        batchesInParallel: env.REQUEST_BATCHES_IN_PARALLEL,
      },
      (batch) => this.write(batch),
      (error, requests) => this.logger.warn({ err: error, requests }, 'A group commit failed as a whole; writing its requests one at a time'),
      (error) => !isDatabaseUnavailable(error),
      // A user's wallet, its balance and its references are touched by that user's requests alone.
      ({ request }) => request.userId,
    );
  }

  /**
   * `admit`, when given, runs after the amount is checked and before the request is queued: it may
   * wait, or refuse. Once `abandoned` aborts (the caller stopped waiting) a request still queued is
   * not written, and fails with the signal's reason: the caller's retry with the same reference
   * then writes it, or replays it if a batch had already taken it.
   */
  async run(request: ClientRequest, limitMinor: bigint, decide: DecideRequest, { admit, abandoned }: RequestWaits = {}): Promise<RecordedRequest> {
    const refusal = checkAmount(request.amount, limitMinor);
    if (refusal) throw toServiceError(refusal);
    if (admit) await admit();
    return this.batches.submit({ request, decide, walletMoves: 0, traceparent: activeTraceparent() }, abandoned).catch((error: unknown) => {
      if (abandoned?.aborted && error === abandoned.reason) this.droppedRequests.inc();
      throw error;
    });
  }

  private async write(batch: readonly QueuedRequest[]): Promise<ItemOutcome<RecordedRequest>[]> {
    try {
      return await this.decideAndSave(this.dataSource.manager, batch, new Date());
    } catch (error) {
      // Alone, a request loses only to a replica that committed its reference first: deciding again sees that row.
      if (batch.length === 1 && isReferenceTaken(error)) return [{ kind: 'AGAIN' }];
      throw error;
    }
  }

  /**
   * Reads in one statement, decides, then writes in one statement, with no transaction around
   * them: the write saves each wallet only at the version read and everything on it only where it
   * did, and a reference committed meanwhile fails the statement on its unique key. So nothing
   * read needs to stay locked between the read and the write, and the batch costs two round trips.
   */
  private async decideAndSave(manager: EntityManager, batch: readonly QueuedRequest[], now: Date): Promise<ItemOutcome<RecordedRequest>[]> {
    const { walletsByUser, earlier } = await this.requestStates.read(
      manager,
      batch.map(({ request }) => ({ userId: request.userId, reference: request.reference })),
      this.env.WALLET_CURRENCY,
    );
    const walletOf = (userId: string) => walletsByUser.get(userId)?.id as string;
    const { decisions, balanceChanges } = decideRequestBatch<StoredTransaction>(
      batch.map(({ request, decide }) => ({ userId: request.userId, reference: request.reference, decide: (state) => decide(state, now) })),
      { walletsByUser, earlierByReference: new Map(earlier.map((transaction) => [referenceKey(transaction.walletId, transaction.reference ?? ''), transaction])) },
    );
    const { storedById, movedWallets: moved } = await this.acceptedRequests.save(
      manager,
      balanceChanges,
      decisions.flatMap((decision, index) =>
        decision.kind === 'ACCEPTED'
          ? [{ transaction: decision.transaction, entry: decision.entry, event: { ...decision.publish, options: { traceparent: (batch[index] as QueuedRequest).traceparent } } }]
          : [],
      ),
    );
    return decisions.map((decision, index): ItemOutcome<RecordedRequest> => {
      const queued = batch[index] as QueuedRequest;
      // Every decision on a moved wallet was taken on a state that is gone, refusals included.
      if (moved.has(walletOf(queued.request.userId))) {
        // Counted before the commit: a batch that then rolls back leaves the count one higher, which only brings the bound nearer.
        queued.walletMoves += 1;
        if (queued.walletMoves >= this.env.BALANCE_UPDATE_ATTEMPTS) return { kind: 'FAILED', error: toServiceError(REFUSALS.concurrentUpdate()) };
        return { kind: 'AGAIN' };
      }
      switch (decision.kind) {
        case 'DEFERRED':
          return { kind: 'AGAIN' };
        case 'REFUSED':
          return { kind: 'FAILED', error: toServiceError(decision) };
        case 'REPLAY':
          return { kind: 'DONE', result: { transaction: decision.earlier, replayed: true } };
        case 'ACCEPTED':
          return { kind: 'DONE', result: { transaction: storedById.get(decision.transaction.id) as StoredTransaction, replayed: false } };
      }
    });
  }
}
