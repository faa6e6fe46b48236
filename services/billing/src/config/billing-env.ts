import { DatabaseServiceEnv } from '@bvs/platform';

/** Everything the billing service reads from its environment, validated once at start-up. */
export class BillingEnv extends DatabaseServiceEnv {}
