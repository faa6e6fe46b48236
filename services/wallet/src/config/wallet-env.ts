import { DatabaseServiceEnv } from '@bvs/platform';

/** Everything the wallet service reads from its environment, validated once at start-up. */
export class WalletEnv extends DatabaseServiceEnv {}
