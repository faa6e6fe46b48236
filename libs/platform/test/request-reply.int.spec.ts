import 'reflect-metadata';
import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientKafka, MessagePattern, Payload } from '@nestjs/microservices';
import { Kafka } from 'kafkajs';
import {
  ensureTopics,
  kafkaClientConfig,
  serverGroupId,
  waitForConsumerGroup,
  KafkaRequestClient,
  kafkaServerOptions,
  loadConfig,
  RemoteServiceError,
  replyTopicOf,
  RpcErrorFilter,
  ServiceEnv,
  ServiceError,
  ServiceTimeoutError,
} from '../src';
import { testServiceEnv } from '../src/testing';

const ECHO = 'platform-test.echo.v1';
const REFUSE = 'platform-test.refuse.v1';
const CRASH = 'platform-test.crash.v1';
const UNANSWERED = 'platform-test.unanswered.v1';

@Controller()
class ProbeHandlers {
  @MessagePattern(ECHO)
  echo(@Payload() payload: { text: string }): { echoed: string } {
    return { echoed: payload.text };
  }

  @MessagePattern(REFUSE)
  refuse(): never {
    throw new ServiceError('WALLET.INSUFFICIENT_FUNDS', 422, 'Available balance is below the amount', { shortByMinor: '150' });
  }

  @MessagePattern(CRASH)
  crash(): never {
    throw new TypeError('a bug: secret internals must not cross the wire');
  }
}

@Module({ controllers: [ProbeHandlers] })
class ProbeModule {}

describe('Kafka request-reply through the platform lib (real broker)', () => {
  let env: ServiceEnv;
  let server: INestMicroservice;
  let client: KafkaRequestClient;

  beforeAll(async () => {
    env = loadConfig(ServiceEnv, testServiceEnv());
    const kafka = new Kafka(kafkaClientConfig(env, 'platform-test'));
    const patterns = [ECHO, REFUSE, CRASH, UNANSWERED];
    await ensureTopics(kafka, patterns.flatMap((pattern) => [{ topic: pattern }, { topic: replyTopicOf(pattern) }]));

    server = await NestFactory.createMicroservice(ProbeModule, { ...kafkaServerOptions(env, 'platform-test'), logger: false });
    server.useGlobalFilters(new RpcErrorFilter());
    await server.listen();
    await waitForConsumerGroup(kafka, serverGroupId(env, 'platform-test'), 60_000);

    client = new KafkaRequestClient(
      new ClientKafka({ client: kafkaClientConfig(env, 'platform-test-caller'), consumer: { groupId: `${env.KAFKA_GROUP_PREFIX}platform-test-caller` } }),
      patterns,
      10_000,
    );
    await client.connect(60_000);
  }, 90_000);

  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('carries a request to the handler and its reply back', async () => {
    await expect(client.request(ECHO, { text: 'hello over kafka' })).resolves.toEqual({ echoed: 'hello over kafka' });
  });

  it('turns a refusal into a typed error that keeps its code, status and details', async () => {
    const failure = await client.request(REFUSE, {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RemoteServiceError);
    expect(failure).toMatchObject({
      code: 'WALLET.INSUFFICIENT_FUNDS',
      status: 422,
      message: 'Available balance is below the amount',
      details: { shortByMinor: '150' },
      pattern: REFUSE,
    });
  });

  it('answers a bug in a handler with a generic 500 that hides the internals', async () => {
    const failure = await client.request(CRASH, {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RemoteServiceError);
    expect(failure).toMatchObject({ code: 'INTERNAL.UNEXPECTED', status: 500 });
    expect((failure as Error).message).not.toContain('secret internals');
  });

  it('gives up at the deadline with a timeout error instead of hanging', async () => {
    const started = Date.now();
    const failure = await client.request(UNANSWERED, {}, { timeoutMs: 1_500 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServiceTimeoutError);
    expect(failure).toMatchObject({ pattern: UNANSWERED, timeoutMs: 1_500 });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('keeps concurrent requests apart: every caller gets its own reply', async () => {
    const texts = Array.from({ length: 25 }, (_, index) => `message-${index}`);
    const replies = await Promise.all(texts.map((text) => client.request<{ echoed: string }>(ECHO, { text })));
    expect(replies.map((reply) => reply.echoed)).toEqual(texts);
  });
});
