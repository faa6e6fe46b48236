import { AddOutboxTraceparent1765300000000, CreateAnomalies1765200000000, CreateMessagingTables1764000000000, DatabaseDefinition, IndexInboxByAge1765100000000, MESSAGING_ENTITIES } from '@bvs/platform';
import { CreateWalletLedger1764200000000 } from './migrations/1764200000000-create-wallet-ledger';
import { FundingThroughProcessor1765000000000 } from './migrations/1765000000000-funding-through-processor';
import { IndexPendingPayments1765400000000 } from './migrations/1765400000000-index-pending-payments';
import { ManyTransactionsPerWallet1765500000000 } from './migrations/1765500000000-many-transactions-per-wallet';

/** The wallet reads and writes its own tables with SQL (see wallet/persistence/); TypeORM runs the migrations and the messaging tables. */
export const WALLET_DATABASE: DatabaseDefinition = {
  entities: [...MESSAGING_ENTITIES],
  migrations: [CreateMessagingTables1764000000000, CreateWalletLedger1764200000000, FundingThroughProcessor1765000000000, IndexInboxByAge1765100000000, CreateAnomalies1765200000000, AddOutboxTraceparent1765300000000, IndexPendingPayments1765400000000, ManyTransactionsPerWallet1765500000000],
};
