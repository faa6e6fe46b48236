import type { DatabaseDefinition } from '@bvs/platform';
import { CreateVends1764400000000 } from './migrations/1764400000000-create-vends';
import { CreateProcessorCharges1764500000000 } from './migrations/1764500000000-create-processor-charges';

/**
 * The simulator keeps its own vend records and payment-processor charges, as the real third
 * parties would on their side. No entities: the writes that matter are single conditional
 * statements (insert unless the request id or reference exists, resolve only if still pending and
 * due, pay only if still ongoing), which raw SQL in VendStore and ChargeStore states exactly.
 */
export const PROVIDER_SIM_DATABASE: DatabaseDefinition = {
  entities: [],
  migrations: [CreateVends1764400000000, CreateProcessorCharges1764500000000],
};
