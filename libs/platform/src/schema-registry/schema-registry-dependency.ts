import type { StartupDependency } from '../startup';
import type { EventSchemaRegistry } from './event-schema-registry';

/**
 * The registry is there when every contract schema is registered (or already was, with the same
 * id): a freshly started registry can answer its health check yet still time out under the
 * first registrations, which is exactly what start-up must wait out.
 */
export function schemaRegistryDependency(registry: EventSchemaRegistry): StartupDependency {
  return { name: 'schema-registry', check: async () => void (await registry.registerAll()) };
}
