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
import { InitiateChargeHandler } from '../initiate-charge/initiate-charge.handler';

/** The FUNDING a reference stands for; `replayed` when the reference was used before and nothing moved now. */
export interface FundingResult {
  readonly transaction: WalletTransaction;
  readonly replayed: boolean;
}

/**
 * Adds money to a wallet, once per client reference. In a sandbox (SANDBOX_DIRECT_FUNDING) the
 * wallet is credited at once; with a payment processor configured the answer is a PENDING
 * FUNDING with the processor's checkout page, credited when the processor's charge is verified;
 * with neither, funding is refused.
 */
@Injectable()
export class FundWalletHandler {
  constructor(
    private readonly requests: IdempotentWalletCommand,
    private readonly charges: InitiateChargeHandler,
    private readonly env: WalletEnv,
  ) {}

  /** `abandoned` aborts once the caller stops waiting: a sandbox credit not yet written is then not written (`IdempotentWalletCommand.run`). */
  async execute(command: FundWallet, origin: Origin, abandoned?: AbortSignal): Promise<FundingResult> {
    if (!this.env.SANDBOX_DIRECT_FUNDING) {
      if (!this.env.PAYMENT_PROCESSOR_BASE_URL) throw toServiceError(REFUSALS.fundingDisabled());
      const { transaction, replayed } = await this.charges.execute(command);
      return { transaction: toTransactionView(transaction), replayed };
    }
    const ids = { transactionId: randomUUID(), eventId: randomUUID() };
    const { transaction, replayed } = await this.requests.run(
      command,
      BigInt(this.env.MAX_FUNDING_AMOUNT),
      (state, now) => decideFunding(command, state, { ...ids, now, origin }),
      { abandoned },
    );
    return { transaction: toTransactionView(transaction), replayed };
  }
}
