import { DatabaseServiceEnv } from '@bvs/platform';

/** Everything the auth service reads from its environment, validated once at start-up. */
export class AuthEnv extends DatabaseServiceEnv {}
