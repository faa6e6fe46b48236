import type { StartupDependency } from '../startup';
import type { EventSchemaRegistry } from './event-schema-registry';

/**
 * The registry is there when it answers with the id of every contract schema this build uses. A
 * service only looks them up: the deploy step registers them (npm run schemas:register), so a
 * service started before it waits, live and not ready, instead of failing its first publish.
 */
export function schemaRegistryDependency(registry: EventSchemaRegistry): StartupDependency {
  return { name: 'schema-registry', check: async () => void (await registry.resolveAll()) };
}
