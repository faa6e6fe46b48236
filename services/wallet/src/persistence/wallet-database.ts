import type { DatabaseDefinition } from '@bvs/platform';

/** Tables the wallet service owns, and the migrations that create them, in order. */
export const WALLET_DATABASE: DatabaseDefinition = {
  entities: [],
  migrations: [],
};
