import type { DatabaseDefinition } from '@bvs/platform';

/** The simulator keeps its own vend records, as a real provider would on its side. */
export const PROVIDER_SIM_DATABASE: DatabaseDefinition = {
  entities: [],
  migrations: [],
};
