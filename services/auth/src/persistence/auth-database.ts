import type { DatabaseDefinition } from '@bvs/platform';

/** Tables the auth service owns, and the migrations that create them, in order. */
export const AUTH_DATABASE: DatabaseDefinition = {
  entities: [],
  migrations: [],
};
