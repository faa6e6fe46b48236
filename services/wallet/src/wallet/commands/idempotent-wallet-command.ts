import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { enqueueEvent } from '@bvs/platform';
import { DataSource } from 'typeorm';
import { WalletEnv } from '../../config/wallet-env';
import { checkAmount } from '../domain/amount';
import type { ClientRequest, RequestDecision, RequestState } from '../domain/client-request';
import { isReferenceTaken, LedgerRepository } from '../persistence/ledger-repository';
import { retryWhileVersionMoves, VERSION_MOVED } from '../persistence/retry-while-version-moves';
import type { StoredTransaction } from '../persistence/rows';
import { WalletRepository } from '../persistence/wallet-repository';
import { toServiceError } from '../service-errors';
import { OpenWalletHandler } from './open-wallet/open-wallet.handler';

/** The transaction a client's reference stands for, and whether this request only replayed it. */
export interface RecordedRequest {
  readonly transaction: StoredTransaction;
  readonly replayed: boolean;
}

/** Decides a client request on the wallet as read (and told the time); pure. */
export type DecideRequest = (state: RequestState<StoredTransaction>, now: Date) => RequestDecision<StoredTransaction>;

/**
 * How a client's money-moving request (fund, pay) reaches the book, once per (wallet, reference).
 * An amount outside its limits is refused before anything is written; the wallet is opened if
 * this is its user's first use. Then ONE database transaction reads what the reference already
 * made and the wallet, decides, and unless the decision replays or refuses, saves the balance at
 * the version read, the new transaction, its ledger entry and its outbox event: all of it
 * commits, or none of it does.
 */
@Injectable()
export class IdempotentWalletCommand {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly openWallet: OpenWalletHandler,
    private readonly wallets: WalletRepository,
    private readonly ledger: LedgerRepository,
    private readonly env: WalletEnv,
  ) {}

  async run(request: ClientRequest, limitMinor: bigint, decide: DecideRequest): Promise<RecordedRequest> {
    const refusal = checkAmount(request.amount, limitMinor);
    if (refusal) throw toServiceError(refusal);
    const wallet = await this.openWallet.execute(request.userId);
    try {
      return await this.decideAndRecord(wallet.id, request.reference, decide);
    } catch (error) {
      if (!isReferenceTaken(error)) throw error;
      // A concurrent request with this reference committed between our read and our insert, and
      // ours rolled back. Deciding again sees the winner: the same request replays it, another is refused.
      return this.decideAndRecord(wallet.id, request.reference, decide);
    }
  }

  private decideAndRecord(walletId: string, reference: string, decide: DecideRequest): Promise<RecordedRequest> {
    return this.dataSource.transaction('READ COMMITTED', async (manager) => {
      const earlier = await this.ledger.findByReference(manager, walletId, reference);
      return retryWhileVersionMoves(this.env.BALANCE_UPDATE_ATTEMPTS, async () => {
        const decision = decide({ wallet: await this.wallets.load(manager, walletId), earlier }, new Date());
        switch (decision.kind) {
          case 'REFUSED':
            throw toServiceError(decision);
          case 'REPLAY':
            return { transaction: decision.earlier, replayed: true };
          case 'ACCEPTED': {
            if (!(await this.wallets.saveBalance(manager, decision.entry))) return VERSION_MOVED;
            const transaction = await this.ledger.insertTransaction(manager, decision.transaction);
            await this.ledger.recordEntry(manager, decision.entry);
            await enqueueEvent(manager, decision.publish.topic, decision.publish.event);
            return { transaction, replayed: false };
          }
        }
      });
    });
  }
}
