import { readFileSync } from 'node:fs';
import path from 'node:path';
import { registerContractSchemas } from '../schema-registry';

/** The registry user of the deploy step (deploy/local/infra.sh, ADR 0007): the only one that may write. */
export const SCHEMA_REGISTRY_DEPLOY_USER = 'bvsdeploy';

/**
 * The deploy step's registry credentials from SCHEMA_REGISTRY_CREDENTIALS_DIR; undefined for a
 * registry that asks for none (a container started by testcontainers).
 */
export function schemaRegistryDeployAuth(env: NodeJS.ProcessEnv = process.env): { username: string; password: string } | undefined {
  const directory = env['SCHEMA_REGISTRY_CREDENTIALS_DIR'];
  if (!directory) return undefined;
  return { username: SCHEMA_REGISTRY_DEPLOY_USER, password: readFileSync(path.join(directory, SCHEMA_REGISTRY_DEPLOY_USER), 'utf8').trim() };
}

/** What the deploy step does before any service starts: registers every contract schema. */
export async function registerTestContractSchemas(registryUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await registerContractSchemas(registryUrl, schemaRegistryDeployAuth(env));
}
