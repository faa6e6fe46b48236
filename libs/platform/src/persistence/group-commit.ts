import { context, type Context } from '@opentelemetry/api';
import { ServiceError } from '../errors';

/** What a batch writer says about one item of a batch that committed. */
export type ItemOutcome<Result> =
  | { readonly kind: 'DONE'; readonly result: Result }
  | { readonly kind: 'FAILED'; readonly error: unknown }
  /** Not written this time (decided on a state that moved, or behind its own duplicate): first in line for the next batch. */
  | { readonly kind: 'AGAIN' };

/**
 * Writes a batch in one database transaction and returns one outcome per item, in order, once it
 * has committed. Throwing means nothing of the batch was written.
 */
export type BatchWriter<Item, Result> = (items: readonly Item[]) => Promise<ItemOutcome<Result>[]>;

export interface GroupCommitLimits {
  /** Items written by one transaction at most. */
  readonly itemsPerBatch: number;
  /** Items allowed to wait for a batch; past it `submit` refuses at once with `overloaded`. */
  readonly maxQueued: number;
  /** The error a caller gets when the queue is full: a fast, retryable refusal rather than a late answer. */
  readonly overloaded: () => Error;
  /**
   * Batches written at once, each holding a database connection while it runs. Items that share a
   * key (`KeyOf`) are never in two of them at once.
   */
  readonly batchesInParallel: number;
}

/**
 * What an item may race another for: items with the same key are written one batch after the
 * other, in the order they came, so they never meet each other's rows half written.
 */
export type KeyOf<Item> = (item: Item) => string;

/** Every item races every other: one batch at a time. */
const ONE_KEY_FOR_ALL: KeyOf<unknown> = () => '';

/**
 * Whether a batch that failed with `error` is worth writing again one item at a time. Not when
 * the database itself is away: each item would wait out the pool's timeout in turn, holding the
 * queue for minutes, to fail the same way.
 */
export type RetryAlone = (error: unknown) => boolean;

interface Waiting<Item, Result> {
  readonly item: Item;
  /** Aborted once the submitter stops waiting for the answer (see `submit`). */
  readonly abandoned: AbortSignal | undefined;
  /** The submitter's trace context (see `write`). */
  readonly context: Context;
  readonly resolve: (result: Result) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit, as ledgers such as TigerBeetle and databases' own WAL writers do it: while one
 * transaction writes, the items that arrive meanwhile queue, and the next transaction takes up to
 * `itemsPerBatch` of them. Under no load an item waits for nobody; under load one commit (and one
 * round trip per statement) is shared by the whole batch.
 *
 * Up to `batchesInParallel` batches are written at once, so that a batch waiting for the disk to
 * flush its commit does not hold back items that touch other rows. A batch takes the queued items,
 * in order, whose key no batch being written holds; an item whose key is held waits, and so does
 * every later item with that key. So the items of one key are written in the order they came, one
 * batch at a time, and never race each other for a row.
 *
 * A batch that fails as a whole is written again one item at a time, so that one item's trouble
 * (a unique key a concurrent writer took, a deadlock) never fails the others; a single item that
 * fails gets its error. A failure `retryAlone` rules out (the database being away) fails the whole
 * batch at once.
 *
 * A batch's statements are traced under its first item's submitter; an item whose trace must
 * reach what the batch writes (an outbox event) carries it in the item itself.
 *
 * An item whose submitter stopped waiting (its `abandoned` signal aborted: a caller's deadline
 * passed, or it hung up) is never written once that is known: it leaves the queue when a batch is
 * taken or a full queue is checked, rejected with the signal's reason. Under overload the queue
 * then spends its batches on answers someone still reads. This is safe only for items whose
 * submitter may send them again (an idempotent reference): an item already in a batch being
 * written is written, and its submitter cannot learn which of the two happened.
 */
export class GroupCommit<Item, Result> {
  private queue: Waiting<Item, Result>[] = [];
  /** The keys of the items in the batches being written. */
  private readonly keysBeingWritten = new Set<string>();
  private batchesBeingWritten = 0;

  constructor(
    private readonly limits: GroupCommitLimits,
    private readonly writeBatch: BatchWriter<Item, Result>,
    private readonly onBatchFailed: (error: unknown, items: number) => void,
    private readonly retryAlone: RetryAlone = () => true,
    private readonly keyOf: KeyOf<Item> = ONE_KEY_FOR_ALL,
  ) {}

  /**
   * Resolves when `item`'s batch has committed, with what the writer made of it. Rejects with
   * `abandoned.reason` if that aborts while the item still waits for a batch: then nothing of it
   * was written.
   */
  submit(item: Item, abandoned?: AbortSignal): Promise<Result> {
    if (abandoned?.aborted) return Promise.reject(abandoned.reason);
    if (this.queue.length >= this.limits.maxQueued) this.dropAbandoned();
    if (this.queue.length >= this.limits.maxQueued) return Promise.reject(this.limits.overloaded());
    return new Promise((resolve, reject) => {
      this.queue.push({ item, abandoned, context: context.active(), resolve, reject });
      this.startBatches();
    });
  }

  /** Starts batches while a slot is free and a queued item's key is free; each batch ending starts the next. */
  private startBatches(): void {
    while (this.batchesBeingWritten < this.limits.batchesInParallel) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      const keys = new Set(batch.map((waiting) => this.keyOf(waiting.item)));
      for (const key of keys) this.keysBeingWritten.add(key);
      this.batchesBeingWritten += 1;
      void this.write(batch).finally(() => {
        for (const key of keys) this.keysBeingWritten.delete(key);
        this.batchesBeingWritten -= 1;
        this.startBatches();
      });
    }
  }

  /** Up to `itemsPerBatch` queued items, in order, whose keys no batch being written holds; the rest stay queued in order. */
  private takeBatch(): Waiting<Item, Result>[] {
    this.dropAbandoned();
    if (this.keysBeingWritten.size === 0) return this.queue.splice(0, this.limits.itemsPerBatch);
    const batch: Waiting<Item, Result>[] = [];
    const left: Waiting<Item, Result>[] = [];
    for (const waiting of this.queue) {
      if (batch.length < this.limits.itemsPerBatch && !this.keysBeingWritten.has(this.keyOf(waiting.item))) batch.push(waiting);
      else left.push(waiting);
    }
    this.queue = left;
    return batch;
  }

  /** Answers and forgets the queued items whose submitters stopped waiting; the others keep their order. */
  private dropAbandoned(): void {
    if (!this.queue.some(isAbandoned)) return;
    this.queue = this.queue.filter((waiting) => {
      if (!isAbandoned(waiting)) return true;
      waiting.reject(waiting.abandoned?.reason);
      return false;
    });
  }

  /** Never throws: every item is answered, or put back at the head of the queue in its order. */
  private async write(batch: readonly Waiting<Item, Result>[]): Promise<void> {
    let outcomes: ItemOutcome<Result>[];
    try {
      // Otherwise every batch would run in the context of whichever submitter started the loop.
      outcomes = await context.with((batch[0] as Waiting<Item, Result>).context, () => this.writeBatch(batch.map((waiting) => waiting.item)));
      if (outcomes.length !== batch.length) throw new Error(`a batch of ${batch.length} came back with ${outcomes.length} outcomes`);
    } catch (error) {
      if (batch.length === 1 || !this.retryAlone(error)) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      this.onBatchFailed(error, batch.length);
      for (const waiting of batch) {
        if (isAbandoned(waiting)) waiting.reject(waiting.abandoned?.reason);
        else await this.write([waiting]);
      }
      return;
    }
    const again: Waiting<Item, Result>[] = [];
    outcomes.forEach((outcome, index) => {
      const waiting = batch[index] as Waiting<Item, Result>;
      if (outcome.kind === 'DONE') waiting.resolve(outcome.result);
      else if (outcome.kind === 'FAILED') waiting.reject(outcome.error);
      else again.push(waiting);
    });
    this.queue.unshift(...again);
  }
}

function isAbandoned(waiting: { readonly abandoned: AbortSignal | undefined }): boolean {
  return waiting.abandoned?.aborted === true;
}

/** The refusal of a full queue in a service that answers over gRPC: 503, to be sent again with the same reference. */
export function queueFullError(what: string): ServiceError {
  return new ServiceError('SERVICE.UNAVAILABLE', 503, `${what} has more requests waiting than it can write in time; send the same request again shortly.`);
}
