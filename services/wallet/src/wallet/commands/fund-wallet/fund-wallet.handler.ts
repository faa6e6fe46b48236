import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { WalletTransaction } from '@bvs/contracts';
import { WalletEnv } from '../../../config/wallet-env';
import { decideFunding, type FundWallet } from '../../domain/decide-funding';
import type { Origin } from '../../domain/outbox-event';
import { REFUSALS } from '../../domain/wallet-refusal';
import { toServiceError } from '../../service-errors';
import { toTransactionView } from '../../wallet-views';
import { IdempotentWalletCommand } from '../idempotent-wallet-command';

/** The FUNDING a reference stands for; `replayed` when the reference was used before and nothing moved now. */
export interface FundingResult {
  readonly transaction: WalletTransaction;
  readonly replayed: boolean;
}

/** Credits a wallet's available balance, once per client reference; only where SANDBOX_DIRECT_FUNDING is on. */
@Injectable()
export class FundWalletHandler {
  constructor(
    private readonly requests: IdempotentWalletCommand,
    private readonly env: WalletEnv,
  ) {}

  async execute(command: FundWallet, origin: Origin): Promise<FundingResult> {
    if (!this.env.SANDBOX_DIRECT_FUNDING) throw toServiceError(REFUSALS.fundingDisabled());
    const ids = { transactionId: randomUUID(), eventId: randomUUID() };
    const { transaction, replayed } = await this.requests.run(command, BigInt(this.env.MAX_FUNDING_AMOUNT), (state, now) =>
      decideFunding(command, state, { ...ids, now, origin }),
    );
    return { transaction: toTransactionView(transaction), replayed };
  }
}
