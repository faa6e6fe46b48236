import { ChannelOptions, Client, credentials, loadPackageDefinition, Metadata, ServiceError as GrpcCallError, status as GrpcStatus } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { CallAbandonedError, INTERNAL_ERROR, RemoteServiceError, ServiceTimeoutError, ServiceUnavailableError } from '../errors';
import { REQUEST_ID_HEADER } from '../logging';
import { errorBodyFromMetadata, httpStatusForGrpc } from './grpc-status-mapping';
import { GrpcServiceDefinition, PROTO_LOADER_OPTIONS, qualifiedServiceName } from './proto-loading';

/** A method map as tools/generate-grpc-types.mjs writes it: name -> request and response types. */
type MethodMap<Methods> = { readonly [Name in keyof Methods]: { readonly request: object; readonly response: object } };

export interface GrpcClientOptions<Methods> {
  /**
   * grpc-js target: `ipv4:127.0.0.1:5002,127.0.0.1:5012` for a list of instances, or
   * `dns:///wallet-grpc.bvs.svc.cluster.local:5002` for a headless Service. Calls are spread
   * round-robin over every address the target resolves to.
   */
  readonly target: string;
  /** Deadline of each call, retries included. */
  readonly deadlineMs: number;
  /**
   * Methods safe to send again when no instance answered (UNAVAILABLE): reads, and writes that
   * are idempotent by their client reference. Never a call that could act twice.
   */
  readonly retriedMethods: readonly (keyof Methods & string)[];
  /** Attempts of a retried method, the first included (grpc-js caps this at 5). */
  readonly maxAttempts: number;
}

export interface CallContext {
  /** The caller's access token, forwarded as `authorization: Bearer <token>`. */
  readonly accessToken?: string;
  readonly requestId?: string;
  /**
   * Aborts once nobody waits for the answer (the HTTP client hung up): a call not yet made is not
   * made, one in flight is cancelled, and either fails with `CallAbandonedError`. The service sees
   * the cancellation; the wallet then drops a request still queued (ADR 0005).
   */
  readonly abandoned?: AbortSignal;
}

/** Reconnect quickly to an instance that restarted: the default backoff grows to two minutes. */
const RECONNECT_BACKOFF = { initialMs: 250, maxMs: 2_000 } as const;
const KEEPALIVE_TIME_MS = 20_000;
const KEEPALIVE_TIMEOUT_MS = 5_000;
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** Retry budget of a channel: see retryThrottling below. */
const RETRY_THROTTLING_TOKENS = 10;

type UnaryMethod = (
  request: object,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (error: GrpcCallError | null, response?: object) => void,
) => { cancel(): void };

/**
 * A promise-returning client of one contract service, over @grpc/grpc-js: a deadline on every
 * call, the caller's token and request id in metadata, round-robin over the target's addresses,
 * retries only for the methods named idempotent, and errors turned back into the refusals the
 * service meant (`RemoteServiceError` with its stable code), or into timeout and unavailability.
 */
export class GrpcServiceClient<Methods extends MethodMap<Methods>> {
  private readonly client: Client;
  private readonly qualifiedName: string;

  constructor(
    definition: GrpcServiceDefinition,
    private readonly options: GrpcClientOptions<Methods>,
  ) {
    this.qualifiedName = qualifiedServiceName(definition);
    const loaded = loadPackageDefinition(loadSync(definition.protoFile, PROTO_LOADER_OPTIONS));
    const constructor = this.qualifiedName.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], loaded) as new (
      target: string,
      creds: ReturnType<typeof credentials.createInsecure>,
      channelOptions: ChannelOptions,
    ) => Client;
    this.client = new constructor(options.target, credentials.createInsecure(), this.channelOptions());
  }

  call<Name extends keyof Methods & string>(method: Name, request: Methods[Name]['request'], context: CallContext = {}): Promise<Methods[Name]['response']> {
    const path = `${this.qualifiedName}/${method}`;
    const metadata = new Metadata();
    if (context.accessToken) metadata.set('authorization', `Bearer ${context.accessToken}`);
    if (context.requestId) metadata.set(REQUEST_ID_HEADER, context.requestId);
    const unary = (this.client as unknown as Record<string, UnaryMethod>)[method];
    if (typeof unary !== 'function') return Promise.reject(new Error(`${path} is not in the contract`));
    const { abandoned } = context;
    if (abandoned?.aborted) return Promise.reject(new CallAbandonedError(path));
    return new Promise((resolve, reject) => {
      const started: { call?: { cancel(): void } } = {};
      const cancel = () => started.call?.cancel();
      abandoned?.addEventListener('abort', cancel, { once: true });
      started.call = unary.call(this.client, request, metadata, { deadline: new Date(Date.now() + this.options.deadlineMs) }, (error, response) => {
        abandoned?.removeEventListener('abort', cancel);
        if (!error) resolve(response as Methods[Name]['response']);
        else if (error.code === GrpcStatus.CANCELLED && abandoned?.aborted) reject(new CallAbandonedError(path));
        else reject(this.translate(path, error));
      });
    });
  }

  close(): void {
    this.client.close();
  }

  private translate(path: string, error: GrpcCallError): Error {
    const body = errorBodyFromMetadata(error.metadata, error.details);
    if (body) return new RemoteServiceError(path, body, error.code);
    if (error.code === GrpcStatus.DEADLINE_EXCEEDED) return new ServiceTimeoutError(path, this.options.deadlineMs);
    if (error.code === GrpcStatus.UNAVAILABLE) return new ServiceUnavailableError(path, error.details);
    const status = httpStatusForGrpc(error.code);
    // A failure without our error metadata comes from grpc-js or a server not behind GrpcErrorFilter:
    // its text may name hosts, files or SQL, so a 5xx says nothing more than any unexpected error does.
    if (status >= 500) return new RemoteServiceError(path, { ...INTERNAL_ERROR, status }, error.code);
    const code = status === 401 ? 'AUTH.UNAUTHENTICATED' : `GRPC.${GrpcStatus[error.code]}`;
    return new RemoteServiceError(path, { code, status, message: error.details }, error.code);
  }

  private channelOptions(): ChannelOptions {
    const serviceConfig = {
      loadBalancingConfig: [{ round_robin: {} }],
      // gRPC's retry throttling: every failure spends a token, every success earns back a tenth of
      // one, and retries stop while fewer than half the tokens are left. A backend that is failing
      // because it is overloaded then sees each request once, not maxAttempts times.
      retryThrottling: { maxTokens: RETRY_THROTTLING_TOKENS, tokenRatio: 0.1 },
      methodConfig:
        this.options.retriedMethods.length === 0
          ? []
          : [
              {
                name: this.options.retriedMethods.map((method) => ({ service: this.qualifiedName, method })),
                retryPolicy: {
                  maxAttempts: this.options.maxAttempts,
                  initialBackoff: '0.05s',
                  maxBackoff: '0.5s',
                  backoffMultiplier: 2,
                  retryableStatusCodes: ['UNAVAILABLE'],
                },
              },
            ],
    };
    return {
      'grpc.service_config': JSON.stringify(serviceConfig),
      'grpc.enable_retries': 1,
      'grpc.initial_reconnect_backoff_ms': RECONNECT_BACKOFF.initialMs,
      'grpc.max_reconnect_backoff_ms': RECONNECT_BACKOFF.maxMs,
      'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
      'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
      'grpc.max_receive_message_length': MAX_RESPONSE_BYTES,
    };
  }
}
