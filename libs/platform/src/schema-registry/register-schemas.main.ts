import 'reflect-metadata';
import { valueSubjectOf } from '@bvs/contracts';
import { Expose } from 'class-transformer';
import { IsString, IsUrl, Length, Matches } from 'class-validator';
import { ConfigError, loadConfig } from '../config';
import { registerContractSchemas } from './register-contract-schemas';

class RegisterSchemasEnv {
  @Expose()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  SCHEMA_REGISTRY_URL!: string;

  /** The registry's write user (sr-admin), which only the deploy step holds (ADR 0007). */
  @Expose()
  @Matches(/^[A-Za-z0-9._-]{1,255}$/, { message: 'SCHEMA_REGISTRY_USERNAME must name the registry user that may write' })
  SCHEMA_REGISTRY_USERNAME!: string;

  @Expose()
  @IsString()
  @Length(1, 1024, { message: 'SCHEMA_REGISTRY_PASSWORD must be set' })
  SCHEMA_REGISTRY_PASSWORD!: string;
}

/**
 * `npm run schemas:register`, the deploy step's one write to the registry: registers every event
 * contract under `<topic>-value` with BACKWARD_TRANSITIVE compatibility, raising subjects created
 * under BACKWARD (a schema the registry refuses as incompatible stops the deploy here), and prints
 * the ids. Idempotent, and patient with a registry that has only just started. Services only look
 * the schemas up, so they need no registry credentials.
 */
async function main(): Promise<void> {
  const env = loadConfig(RegisterSchemasEnv, process.env);
  const ids = await registerContractSchemas(env.SCHEMA_REGISTRY_URL, { username: env.SCHEMA_REGISTRY_USERNAME, password: env.SCHEMA_REGISTRY_PASSWORD });
  for (const [topic, id] of ids) process.stdout.write(`${valueSubjectOf(topic)}: schema id ${id}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`registering the event schemas failed: ${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
