import type { DatabaseDefinition } from '@bvs/platform';

/** Tables the billing service owns, and the migrations that create them, in order. */
export const BILLING_DATABASE: DatabaseDefinition = {
  entities: [],
  migrations: [],
};
