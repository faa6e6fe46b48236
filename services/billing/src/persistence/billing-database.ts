import { AddOutboxTraceparent1765300000000, CreateAnomalies1765200000000, CreateMessagingTables1764000000000, DatabaseDefinition, IndexInboxByAge1765100000000, MESSAGING_ENTITIES } from '@bvs/platform';
import { CreateBillPayments1764300000000 } from './migrations/1764300000000-create-bill-payments';
import { AddBillTraceparent1765310000000 } from './migrations/1765310000000-add-bill-traceparent';

/** Billing reads and writes its own table with SQL (see bills/); TypeORM runs the migrations and the messaging tables. */
export const BILLING_DATABASE: DatabaseDefinition = {
  entities: [...MESSAGING_ENTITIES],
  migrations: [CreateMessagingTables1764000000000, CreateBillPayments1764300000000, IndexInboxByAge1765100000000, CreateAnomalies1765200000000, AddOutboxTraceparent1765300000000, AddBillTraceparent1765310000000],
};
