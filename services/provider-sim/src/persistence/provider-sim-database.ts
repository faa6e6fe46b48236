import type { DatabaseDefinition } from '@bvs/platform';
import { CreateVends1764400000000 } from './migrations/1764400000000-create-vends';
import { CreateProcessorCharges1764500000000 } from './migrations/1764500000000-create-processor-charges';

/**
 * The simulator keeps its own vend records and payment-processor charges, as the real third
 * parties would on their side. No entities: the writes that matter are single conditional
 * statements (insert unless the request id or reference exists, resolve only if still pending and
 * due, pay only if still ongoing), which raw SQL in VendStore and ChargeStore states exactly.
 *
 * Its commits do not wait for the disk. The real provider and processor keep their books on their
 * own machines; here the simulator shares PostgreSQL with the wallet and billing, and waiting for a
 * WAL flush on each vend made its commits the largest share of the machine's flushes (one per
 * purchase; docs/benchmarks.md, 2026-12-06 midday). Only a crash of PostgreSQL itself can lose its
 * last commits (a clean restart, as the chaos suite makes, writes them first), and then it forgets a
 * vend or charge as a remote party's outage would; the wallet's and billing's books stay whole.
 */
export const PROVIDER_SIM_DATABASE: DatabaseDefinition = {
  asynchronousCommit: true,
  entities: [],
  migrations: [CreateVends1764400000000, CreateProcessorCharges1764500000000],
};
