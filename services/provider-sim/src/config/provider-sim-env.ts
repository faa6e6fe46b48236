import { DatabaseServiceEnv } from '@bvs/platform';

export class ProviderSimEnv extends DatabaseServiceEnv {}
