import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The addresses every integration and end-to-end test reads (nothing else names a host), and where
 * the broker's SCRAM passwords are (kafka-identities.ts).
 */
export const INFRA_VARIABLES = ['KAFKA_BROKERS', 'KAFKA_CREDENTIALS_DIR', 'SCHEMA_REGISTRY_URL', 'DATABASE_ADMIN_URL'] as const;

export type InfraAddresses = Record<(typeof INFRA_VARIABLES)[number], string>;

export function missingInfraVariables(env: NodeJS.ProcessEnv = process.env): string[] {
  return INFRA_VARIABLES.filter((name) => !env[name]);
}

export function readInfraAddresses(env: NodeJS.ProcessEnv = process.env): InfraAddresses {
  const missing = missingInfraVariables(env);
  if (missing.length > 0) {
    throw new Error(`Test infrastructure not configured: ${missing.join(', ')} unset (the Jest global setup sets them)`);
  }
  return {
    KAFKA_BROKERS: env['KAFKA_BROKERS'] as string,
    KAFKA_CREDENTIALS_DIR: env['KAFKA_CREDENTIALS_DIR'] as string,
    SCHEMA_REGISTRY_URL: env['SCHEMA_REGISTRY_URL'] as string,
    DATABASE_ADMIN_URL: env['DATABASE_ADMIN_URL'] as string,
  };
}

export const WORKSPACE_ROOT = path.resolve(__dirname, '../../../..');

/** Starts Kafka, the registry and PostgreSQL with the project's own scripts (no Docker needed). */
export function startLocalInfrastructure(): InfraAddresses & { SCHEMA_REGISTRY_CREDENTIALS_DIR?: string } {
  execFileSync('bash', [path.join(WORKSPACE_ROOT, 'deploy/local/infra.sh'), 'start'], { stdio: 'inherit' });
  const env = localInfrastructureEnv();
  const credentials = env['SCHEMA_REGISTRY_CREDENTIALS_DIR'];
  return { ...readInfraAddresses(env), ...(credentials ? { SCHEMA_REGISTRY_CREDENTIALS_DIR: credentials } : {}) };
}

/**
 * Starts only the local broker, with its identities and ACLs, and returns its address and where the
 * passwords are. Used beside containers: a stock Kafka image authenticates nobody.
 */
export function startLocalKafka(): Pick<InfraAddresses, 'KAFKA_BROKERS' | 'KAFKA_CREDENTIALS_DIR'> {
  startLocalInfrastructurePart('kafka');
  const env = localInfrastructureEnv();
  return { KAFKA_BROKERS: env['KAFKA_BROKERS'] ?? '', KAFKA_CREDENTIALS_DIR: env['KAFKA_CREDENTIALS_DIR'] ?? '' };
}

function localInfrastructureEnv(): NodeJS.ProcessEnv {
  const exports = execFileSync('bash', [path.join(WORKSPACE_ROOT, 'deploy/local/infra.sh'), 'env'], { encoding: 'utf8' });
  const env: NodeJS.ProcessEnv = {};
  for (const match of exports.matchAll(/^export ([A-Z_]+)=(.*)$/gm)) {
    const [, name, value] = match;
    if (name && value !== undefined) env[name] = value.replace(/^['"]|['"]$/g, '');
  }
  return env;
}

export type LocalInfrastructurePart = 'kafka' | 'schema-registry';

/**
 * True when the tests' registry and broker are the ones `deploy/local/infra.sh` runs for this
 * checkout, so a test may stop and start them. Addresses given from outside (containers, a
 * developer's own cluster) are not ours to stop.
 */
export function localInfrastructureIsControllable(env: NodeJS.ProcessEnv = process.env): boolean {
  const script = path.join(WORKSPACE_ROOT, 'deploy/local/infra.sh');
  const exports = execFileSync('bash', [script, 'env'], { encoding: 'utf8' });
  const local = /^export SCHEMA_REGISTRY_URL=(.*)$/m.exec(exports)?.[1];
  return local !== undefined && local === env['SCHEMA_REGISTRY_URL'] && existsSync(path.join(WORKSPACE_ROOT, '.infra/run/schema-registry.pid'));
}

/** Stops one part of the local infrastructure and returns once it no longer answers. */
export function stopLocalInfrastructurePart(part: LocalInfrastructurePart): void {
  execFileSync('bash', [path.join(WORKSPACE_ROOT, 'deploy/local/infra.sh'), 'stop', part], { stdio: 'inherit' });
}

/** Starts one part of the local infrastructure and returns once it answers. */
export function startLocalInfrastructurePart(part: LocalInfrastructurePart): void {
  execFileSync('bash', [path.join(WORKSPACE_ROOT, 'deploy/local/infra.sh'), 'start', part], { stdio: 'inherit' });
}
