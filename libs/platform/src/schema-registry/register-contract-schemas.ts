import type { EventTopic } from '@bvs/contracts';
import { SchemaRegistryError } from './errors';
import { EventSchemaRegistry } from './event-schema-registry';

/**
 * A registry that has just started answers its health check before it keeps up with writes, so
 * the deploy step tries a retriable failure again, this many times, this far apart (about a
 * minute in all). A refusal (an incompatible schema, a wrong password) fails at once.
 */
export const REGISTRATION_ATTEMPTS = 20;
export const REGISTRATION_RETRY_DELAY_MS = 3_000;

/** The deploy step: registers every contract schema with the write user's credentials. */
export async function registerContractSchemas(
  registryUrl: string,
  auth: { readonly username: string; readonly password: string } | undefined,
): Promise<ReadonlyMap<EventTopic, number>> {
  const registry = new EventSchemaRegistry(registryUrl, { ...(auth ? { auth } : {}), registers: true });
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await registry.registerAll();
    } catch (error) {
      const retriable = error instanceof SchemaRegistryError && error.retriable;
      if (!retriable || attempt >= REGISTRATION_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, REGISTRATION_RETRY_DELAY_MS));
    }
  }
}
