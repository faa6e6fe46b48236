/** A wallet as the rules see it: two buckets of minor units and the version that guards them. */
export interface Wallet {
  readonly id: string;
  readonly userId: string;
  readonly currency: string;
  /** Spendable now. */
  readonly available: bigint;
  /** Locked by payments in flight until they are posted (paid out) or released (returned). */
  readonly held: bigint;
  /** Counts the wallet's balance changes; a change applies only to the version it was decided on. */
  readonly version: number;
}

export type LedgerEntryType = 'CREDIT' | 'HOLD' | 'POST' | 'RELEASE';

/** How one step moves money between the wallet's two buckets. */
export interface BalanceMovement {
  readonly entryType: LedgerEntryType;
  readonly availableDelta: bigint;
  readonly heldDelta: bigint;
}

/** The four steps money takes, as TigerBeetle's pending transfers: credit, then hold and post, or hold and release. */
export const MOVEMENTS = {
  credit: (amount: bigint): BalanceMovement => ({ entryType: 'CREDIT', availableDelta: amount, heldDelta: 0n }),
  hold: (amount: bigint): BalanceMovement => ({ entryType: 'HOLD', availableDelta: -amount, heldDelta: amount }),
  post: (amount: bigint): BalanceMovement => ({ entryType: 'POST', availableDelta: 0n, heldDelta: -amount }),
  release: (amount: bigint): BalanceMovement => ({ entryType: 'RELEASE', availableDelta: amount, heldDelta: -amount }),
};

/** One balance change as the ledger records it: the buckets after it and the wallet version it makes. */
export interface LedgerEntry {
  readonly walletId: string;
  /** The transaction the change belongs to: the FUNDING, the PAYMENT (hold and post) or its REVERSAL (release). */
  readonly transactionId: string;
  readonly entryType: LedgerEntryType;
  readonly availableDelta: bigint;
  readonly heldDelta: bigint;
  readonly availableAfter: bigint;
  readonly heldAfter: bigint;
  /** The wallet's version after the change, one above the version it was decided on. */
  readonly walletVersion: number;
}

/**
 * The entry that moves `wallet` by `movement`. Decisions refuse what a wallet cannot afford before
 * they get here, so a bucket that would go negative is a bug, thrown rather than written.
 */
export function moveBalance(wallet: Wallet, movement: BalanceMovement, transactionId: string): LedgerEntry {
  const availableAfter = wallet.available + movement.availableDelta;
  const heldAfter = wallet.held + movement.heldDelta;
  if (availableAfter < 0n || heldAfter < 0n) {
    throw new RangeError(
      `wallet ${wallet.id}: ${movement.entryType} for ${transactionId} would leave available ${availableAfter} and held ${heldAfter}`,
    );
  }
  return {
    walletId: wallet.id,
    transactionId,
    entryType: movement.entryType,
    availableDelta: movement.availableDelta,
    heldDelta: movement.heldDelta,
    availableAfter,
    heldAfter,
    walletVersion: wallet.version + 1,
  };
}

/** The wallet as `entry` leaves it; the entry must have been decided on this very wallet. */
export function applyEntry<W extends Wallet>(wallet: W, entry: LedgerEntry): W {
  if (entry.walletId !== wallet.id || entry.walletVersion !== wallet.version + 1) {
    throw new RangeError(`entry for ${entry.walletId} v${entry.walletVersion} does not follow wallet ${wallet.id} v${wallet.version}`);
  }
  return { ...wallet, available: entry.availableAfter, held: entry.heldAfter, version: entry.walletVersion };
}

/** Where a wallet stood when read, and where a batch's entries leave it. */
export interface BalanceChange {
  readonly walletId: string;
  readonly readVersion: number;
  /** The last of the wallet's entries in the batch: its buckets and version are the wallet's new state. */
  readonly last: LedgerEntry;
}

/**
 * One balance change per wallet for a batch's entries, given in the order they were decided (each
 * on the state the one before left): the wallet is saved once, at its final state.
 */
export function balanceChangesOf(entries: readonly LedgerEntry[]): BalanceChange[] {
  const changes = new Map<string, BalanceChange>();
  for (const entry of entries) {
    const readVersion = changes.get(entry.walletId)?.readVersion ?? entry.walletVersion - 1;
    changes.set(entry.walletId, { walletId: entry.walletId, readVersion, last: entry });
  }
  return [...changes.values()];
}
