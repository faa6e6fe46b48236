import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { ReadinessCheck } from './readiness-check';

/** Kafka is ready when the cluster answers a metadata request on a connection we keep open. */
@Injectable()
export class KafkaReadinessCheck implements ReadinessCheck, OnModuleDestroy {
  readonly component = 'kafka';
  private admin: Admin | undefined;
  private connecting: Promise<void> | undefined;

  constructor(private readonly kafka: Kafka) {}

  async probe(): Promise<void> {
    const admin = this.admin ?? this.kafka.admin();
    if (!this.admin) {
      this.admin = admin;
      this.connecting = admin.connect();
    }
    try {
      await this.connecting;
      await admin.describeCluster();
    } catch (error) {
      // Drop the broken connection so the next probe starts clean.
      this.admin = undefined;
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.admin?.disconnect();
  }
}
