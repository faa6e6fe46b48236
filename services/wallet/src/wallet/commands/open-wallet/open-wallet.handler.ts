import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { WalletEnv } from '../../../config/wallet-env';
import type { StoredWallet } from '../../persistence/rows';
import { WalletRepository } from '../../persistence/wallet-repository';

/**
 * A user's wallet, opened empty in the service's currency when `user-registered` arrives, or on
 * first use if that event has not arrived yet. Idempotent either way: a user has one wallet.
 */
@Injectable()
export class OpenWalletHandler {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly wallets: WalletRepository,
    private readonly env: WalletEnv,
  ) {}

  /** Runs in `manager`'s transaction when given (the consumer's, with its inbox row), else on its own. */
  execute(userId: string, manager: EntityManager = this.dataSource.manager): Promise<StoredWallet> {
    return this.wallets.open(manager, { id: randomUUID(), userId, currency: this.env.WALLET_CURRENCY });
  }

  /** `execute` for several users in `manager`'s transaction; keyed by user. */
  executeAll(userIds: readonly string[], manager: EntityManager): Promise<Map<string, StoredWallet>> {
    return this.wallets.openAll(
      manager,
      userIds.map((userId) => ({ id: randomUUID(), userId, currency: this.env.WALLET_CURRENCY })),
    );
  }
}
