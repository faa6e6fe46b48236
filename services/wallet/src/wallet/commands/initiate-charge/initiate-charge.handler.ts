import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { WalletEnv } from '../../../config/wallet-env';
import { checkAmount } from '../../domain/amount';
import { decideChargeInitiation, type InitiateCharge } from '../../domain/decide-charge-initiation';
import { REFUSALS } from '../../domain/wallet-refusal';
import { FundingRepository } from '../../persistence/funding-repository';
import { isReferenceTaken, LedgerRepository } from '../../persistence/ledger-repository';
import type { StoredTransaction } from '../../persistence/rows';
import { WalletRepository } from '../../persistence/wallet-repository';
import { PaymentProcessor, ProcessorUnavailableError } from '../../processor/payment-processor';
import { toServiceError } from '../../service-errors';

/** The PENDING FUNDING a reference stands for, with its checkout page; `replayed` when the reference was used before. */
export interface InitiatedCharge {
  readonly transaction: StoredTransaction;
  readonly replayed: boolean;
}

/**
 * Funding through the payment processor, step one: the funding is recorded PENDING under the
 * client's reference (committed first, so a crash after the processor answered still leaves a row
 * the retry and the reconciler find), then the processor is asked for the charge and its checkout
 * page is kept with the funding. A retry of the same request after a failed or lost processor call
 * asks again with the same processor reference, which the processor answers with the same charge.
 * Nothing is credited here: the verified webhook does that (ConfirmChargeHandler).
 */
@Injectable()
export class InitiateChargeHandler {
  private readonly logger = new Logger(InitiateChargeHandler.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly wallets: WalletRepository,
    private readonly ledger: LedgerRepository,
    private readonly fundings: FundingRepository,
    @Inject(PaymentProcessor) private readonly processor: PaymentProcessor,
    private readonly env: WalletEnv,
  ) {}

  async execute(command: InitiateCharge): Promise<InitiatedCharge> {
    const refusal = checkAmount(command.amount, BigInt(this.env.MAX_FUNDING_AMOUNT));
    if (refusal) throw toServiceError(refusal);
    const { transaction, replayed } = await this.reserve(command);
    if (transaction.status !== 'PENDING' || transaction.details['checkoutUrl']) return { transaction, replayed };
    return { transaction: await this.startCharge(transaction), replayed };
  }

  private async reserve(command: InitiateCharge, lostRace = false): Promise<InitiatedCharge> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const wallet = await this.wallets.open(manager, { id: randomUUID(), userId: command.userId, currency: this.env.WALLET_CURRENCY });
        const [earlier] = await this.ledger.findByReferences(manager, [{ walletId: wallet.id, reference: command.reference }]);
        const decision = decideChargeInitiation(command, { wallet, earlier: earlier ?? null }, randomUUID());
        switch (decision.kind) {
          case 'REFUSED':
            throw toServiceError(decision);
          case 'REPLAY':
            return { transaction: decision.earlier, replayed: true };
          case 'RESERVE':
            return { transaction: await this.fundings.insertPending(manager, decision.transaction, decision.processorReference), replayed: false };
        }
      });
    } catch (error) {
      // Another replica committed the same reference first: deciding again (once) replays its row, or refuses another request.
      if (isReferenceTaken(error) && !lostRace) return this.reserve(command, true);
      throw error;
    }
  }

  private async startCharge(funding: StoredTransaction): Promise<StoredTransaction> {
    const processorReference = funding.details['processorReference'] ?? '';
    try {
      const { checkoutUrl } = await this.processor.initialize({
        processorReference,
        amount: funding.amount,
        currency: funding.currency,
        customerEmail: `${funding.userId}@${this.env.PAYMENT_PROCESSOR_CUSTOMER_EMAIL_DOMAIN}`,
        callbackUrl: this.env.FUNDING_CALLBACK_URL,
      });
      return await this.fundings.recordCheckout(this.dataSource.manager, funding.id, checkoutUrl);
    } catch (error) {
      if (!(error instanceof ProcessorUnavailableError)) throw error;
      this.logger.warn({ err: error, processorReference }, 'The processor did not start the charge; the client retries with the same reference');
      throw toServiceError(REFUSALS.processorUnavailable());
    }
  }
}
