import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { kafkaClientConfig, KafkaRequestClient } from '@bvs/platform';
import { GatewayEnv } from '../config/gateway-env';
import { GATEWAY_REQUEST_PATTERNS } from './service-requests';

const GATEWAY_ENV = Symbol('GATEWAY_ENV');

/** Connects the request client before the HTTP server accepts traffic, and closes it on shutdown. */
@Injectable()
class RequestClientLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly client: KafkaRequestClient,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.client.connect(this.env.KAFKA_READY_TIMEOUT_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

@Global()
@Module({})
export class ServiceClientModule {
  static register(env: GatewayEnv): DynamicModule {
    return {
      module: ServiceClientModule,
      providers: [
        { provide: GATEWAY_ENV, useValue: env },
        {
          provide: KafkaRequestClient,
          useFactory: () => {
            const client = new ClientKafka({
              client: kafkaClientConfig(env, 'gateway'),
              // Each gateway replica reads replies only from the partitions it was assigned.
              consumer: { groupId: `${env.KAFKA_GROUP_PREFIX}gateway`, allowAutoTopicCreation: false },
              producer: { allowAutoTopicCreation: false },
              // A new group starting at "latest" can miss a reply that lands before its first fetch
              // fixes that position; from the beginning it cannot, and replies nobody waits for are ignored.
              subscribe: { fromBeginning: true },
            });
            return new KafkaRequestClient(client, GATEWAY_REQUEST_PATTERNS, env.REQUEST_TIMEOUT_MS);
          },
        },
        RequestClientLifecycle,
      ],
      exports: [KafkaRequestClient],
    };
  }
}
