import type { StartedTestContainer } from 'testcontainers';
import type { InfraAddresses } from './infrastructure';

/** Images with the same versions the local scripts run: Apicurio 3, PostgreSQL 15. */
const REGISTRY_IMAGE = process.env['TEST_REGISTRY_IMAGE'] ?? 'apicurio/apicurio-registry:3.0.9';
const POSTGRES_IMAGE = process.env['TEST_POSTGRES_IMAGE'] ?? 'postgres:15';

export async function dockerIsAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts PostgreSQL and the registry in containers; used only where a container runtime answers.
 * The broker is not among them: tests run against a broker that authenticates every client and
 * enforces the ACLs of deploy/kafka/access.conf, which deploy/local/infra.sh sets up and a stock
 * image does not (ADR 0006).
 */
export async function startContainers(): Promise<{ addresses: Omit<InfraAddresses, 'KAFKA_BROKERS' | 'KAFKA_CREDENTIALS_DIR'>; containers: StartedTestContainer[] }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const [postgres, registry] = await Promise.all([
    new PostgreSqlContainer(POSTGRES_IMAGE).withUsername('postgres').withPassword('postgres').withDatabase('postgres').start(),
    new GenericContainer(REGISTRY_IMAGE)
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
      .start(),
  ]);
  return {
    addresses: {
      DATABASE_ADMIN_URL: postgres.getConnectionUri(),
      SCHEMA_REGISTRY_URL: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
    },
    containers: [postgres, registry],
  };
}
