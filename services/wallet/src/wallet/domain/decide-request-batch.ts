import type { RequestDecision, RequestState } from './client-request';
import type { LedgerTransaction } from './ledger-transaction';
import { applyEntry, balanceChangesOf, type BalanceChange, type LedgerEntry, type Wallet } from './wallet';

/** One client request of a batch: whose wallet, under which reference, and how it decides on the wallet it is shown. */
export interface BatchedRequest<Earlier extends LedgerTransaction> {
  readonly userId: string;
  readonly reference: string;
  readonly decide: (state: RequestState<Earlier>) => RequestDecision<Earlier>;
}

/** The batch as read in one transaction: each user's wallet, and what references already made. */
export interface BatchState<Earlier extends LedgerTransaction> {
  readonly walletsByUser: ReadonlyMap<string, Wallet>;
  /** Keyed by `referenceKey(walletId, reference)`. */
  readonly earlierByReference: ReadonlyMap<string, Earlier>;
}

/**
 * A request that repeats a reference an earlier request of the same batch has just accepted. Its
 * answer (replay or conflict) depends on the row that request writes, so it waits for the next batch.
 */
export interface Deferred {
  readonly kind: 'DEFERRED';
}

export type BatchedDecision<Earlier> = RequestDecision<Earlier> | Deferred;

export interface BatchDecision<Earlier> {
  /** One per request, in the order given. */
  readonly decisions: readonly BatchedDecision<Earlier>[];
  /** One per wallet that the batch moves. */
  readonly balanceChanges: readonly BalanceChange[];
}

export function referenceKey(walletId: string, reference: string): string {
  return `${walletId}\u0000${reference}`;
}

/**
 * Group commit: decides a batch of client requests as if they had run one after another, in the
 * order given. Each request sees its wallet as the requests before it left it, so two payments on
 * one wallet cannot both spend the same money, and a batch of a hot wallet's payments needs one
 * balance update (with one ledger entry per version, as one at a time would write). The whole
 * batch is saved only at the versions read, so it still loses nothing to a concurrent writer.
 */
export function decideRequestBatch<Earlier extends LedgerTransaction>(
  requests: readonly BatchedRequest<Earlier>[],
  state: BatchState<Earlier>,
): BatchDecision<Earlier> {
  const current = new Map(state.walletsByUser);
  const acceptedHere = new Set<string>();
  const entries: LedgerEntry[] = [];
  const decisions = requests.map((request): BatchedDecision<Earlier> => {
    const wallet = current.get(request.userId);
    if (!wallet) throw new Error(`the batch was read without the wallet of user ${request.userId}`);
    const key = referenceKey(wallet.id, request.reference);
    if (acceptedHere.has(key)) return { kind: 'DEFERRED' };
    const decision = request.decide({ wallet, earlier: state.earlierByReference.get(key) ?? null });
    if (decision.kind === 'ACCEPTED') {
      acceptedHere.add(key);
      current.set(request.userId, applyEntry(wallet, decision.entry));
      entries.push(decision.entry);
    }
    return decision;
  });
  return { decisions, balanceChanges: balanceChangesOf(entries) };
}
