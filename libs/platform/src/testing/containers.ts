import type { StartedTestContainer } from 'testcontainers';
import type { InfraAddresses } from './infrastructure';

/** Images with the same versions the local scripts run: Kafka 3.9 (Confluent Platform 7.9), Apicurio 3, PostgreSQL 15. */
const KAFKA_IMAGE = process.env['TEST_KAFKA_IMAGE'] ?? 'confluentinc/cp-kafka:7.9.1';
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

/** Starts the three dependencies in containers; used only where a container runtime answers. */
export async function startContainers(): Promise<{ addresses: InfraAddresses; containers: StartedTestContainer[] }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const [kafka, postgres, registry] = await Promise.all([
    new KafkaContainer(KAFKA_IMAGE).withKraft().start(),
    new PostgreSqlContainer(POSTGRES_IMAGE).withUsername('postgres').withPassword('postgres').withDatabase('postgres').start(),
    new GenericContainer(REGISTRY_IMAGE)
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
      .start(),
  ]);
  return {
    addresses: {
      KAFKA_BROKERS: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
      DATABASE_ADMIN_URL: postgres.getConnectionUri(),
      SCHEMA_REGISTRY_URL: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
    },
    containers: [kafka, postgres, registry],
  };
}
