import type { DatabaseDefinition } from '@bvs/platform';
import { CreateVends1764400000000 } from './migrations/1764400000000-create-vends';

/**
 * The simulator keeps its own vend records, as a real provider would on its side. No entities:
 * the writes that matter are single conditional statements (insert unless the request id exists,
 * resolve only if still pending and due), which raw SQL in VendStore states exactly.
 */
export const PROVIDER_SIM_DATABASE: DatabaseDefinition = {
  entities: [],
  migrations: [CreateVends1764400000000],
};
