import { Logger } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { isRpcErrorBody } from '@bvs/contracts';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { RemoteServiceError, ServiceTimeoutError, ServiceUnavailableError } from './kafka-errors';

export interface RequestOptions {
  readonly timeoutMs?: number;
  /** Partition key; requests about one user or wallet keep their order when keyed by its id. */
  readonly key?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const ASSIGNMENT_POLL_MS = 100;

/**
 * Kafka request-reply for callers (the gateway). Wraps Nest's ClientKafka to add what it lacks:
 * waiting until the reply partitions are assigned (otherwise the first requests fail), a
 * deadline on every request, and typed errors instead of raw strings.
 */
export class KafkaRequestClient {
  private readonly logger = new Logger(KafkaRequestClient.name);

  constructor(
    private readonly client: ClientKafka,
    private readonly patterns: readonly string[],
    private readonly defaultTimeoutMs: number,
  ) {
    for (const pattern of patterns) client.subscribeToResponseOf(pattern);
  }

  async connect(readyTimeoutMs: number): Promise<void> {
    await this.client.connect();
    const deadline = Date.now() + readyTimeoutMs;
    const replyTopics = this.patterns.map((pattern) => `${pattern}.reply`);
    for (;;) {
      const assigned = this.client.getConsumerAssignments();
      const waiting = replyTopics.filter((topic) => assigned[topic] === undefined);
      if (waiting.length === 0) return;
      if (Date.now() > deadline) {
        throw new ServiceUnavailableError(waiting.join(', '), `reply partitions not assigned within ${readyTimeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, ASSIGNMENT_POLL_MS));
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  async request<TResponse, TRequest = unknown>(pattern: string, payload: TRequest, options: RequestOptions = {}): Promise<TResponse> {
    if (!this.patterns.includes(pattern)) {
      throw new ServiceUnavailableError(pattern, 'pattern was not declared when the client was created');
    }
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const message = { key: options.key ?? null, value: payload, headers: { ...options.headers } };
    try {
      return await firstValueFrom(this.client.send<TResponse>(pattern, message).pipe(timeout(timeoutMs)));
    } catch (error: unknown) {
      throw this.translate(pattern, timeoutMs, error);
    }
  }

  private translate(pattern: string, timeoutMs: number, error: unknown): Error {
    if (error instanceof TimeoutError) return new ServiceTimeoutError(pattern, timeoutMs);
    const body = parseErrorBody(error);
    if (body) return new RemoteServiceError(pattern, body);
    this.logger.warn({ err: error, pattern }, 'Request could not be completed');
    return new ServiceUnavailableError(pattern, error instanceof Error ? error.message : String(error));
  }
}

/** Nest carries the handler's error as a JSON string in the reply's `kafka_nest-err` header. */
function parseErrorBody(error: unknown) {
  if (isRpcErrorBody(error)) return error;
  if (typeof error !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(error);
    return isRpcErrorBody(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
