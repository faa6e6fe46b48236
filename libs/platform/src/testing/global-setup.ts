import type { StartedTestContainer } from 'testcontainers';
import { dockerIsAvailable, startContainers } from './containers';
import { INFRA_VARIABLES, missingInfraVariables, startLocalInfrastructure, startLocalKafka } from './infrastructure';
import { registerTestContractSchemas } from './schema-registry-deploy';
import { killOrphanedServiceProcesses, markTestRun } from './service-process';

declare global {
  var __TEST_CONTAINERS__: StartedTestContainer[] | undefined;
}

/**
 * Where the real dependencies come from, in order: addresses given in the environment (CI or a
 * developer's own), containers when a container runtime answers (with the project's own secured
 * broker beside them), else the project's scripts.
 * Workers inherit process.env, so tests only ever read the variables.
 */
export default async function globalSetup(): Promise<void> {
  markTestRun();
  // A run that was itself killed never reached its teardown: its services would hold ports and
  // consume events meant for this run. Services of a run still going are left alone.
  const orphans = killOrphanedServiceProcesses();
  if (orphans.length > 0) console.warn(`Killed ${orphans.length} service process(es) left by an earlier run that died`);
  if (missingInfraVariables().length > 0) await provideInfrastructure();
  // The deploy step's part: services only look schemas up, so the contracts are registered first.
  await registerTestContractSchemas(process.env['SCHEMA_REGISTRY_URL'] ?? '');
}

async function provideInfrastructure(): Promise<void> {
  if (await dockerIsAvailable()) {
    const { addresses, containers } = await startContainers();
    Object.assign(process.env, addresses, startLocalKafka());
    globalThis.__TEST_CONTAINERS__ = containers;
  } else {
    Object.assign(process.env, startLocalInfrastructure());
  }
  const still = missingInfraVariables();
  if (still.length > 0) throw new Error(`Test infrastructure incomplete: ${still.join(', ')} (wanted ${INFRA_VARIABLES.join(', ')})`);
}
