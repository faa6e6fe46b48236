import { killThisRunsServiceProcesses } from './service-process';

/**
 * Kills service processes that a failed suite left running (their open pipes would keep Jest from
 * exiting), then stops the containers the setup started. Infrastructure started by the scripts
 * stays up for the next run.
 */
export default async function globalTeardown(): Promise<void> {
  const leftovers = killThisRunsServiceProcesses();
  if (leftovers.length > 0) console.warn(`Killed ${leftovers.length} service process(es) a suite did not stop:\n  ${leftovers.join('\n  ')}`);
  const containers = globalThis.__TEST_CONTAINERS__ ?? [];
  await Promise.all(containers.map((container) => container.stop()));
}
