import { HEALTH } from '@bvs/contracts';
import { GrpcOptions, Transport } from '@nestjs/microservices';
import { GrpcServiceDefinition, PROTO_LOADER_OPTIONS } from './proto-loading';

/** Largest request a service accepts: every call of this API is a few hundred bytes. */
const MAX_REQUEST_BYTES = 64 * 1024;
/** Largest answer: a page of 100 bills or transactions is well under this. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** Pings idle connections so a peer that vanished (kill -9, a dropped node) is noticed within this. */
const KEEPALIVE_TIME_MS = 20_000;
const KEEPALIVE_TIMEOUT_MS = 5_000;

/**
 * The gRPC server of a service: its own services plus the standard health service, over
 * @grpc/grpc-js through Nest's gRPC transport. Binds the same address as the HTTP server (BIND_ADDRESS).
 */
export function grpcServerOptions(host: string, port: number, services: readonly GrpcServiceDefinition[]): GrpcOptions {
  const served = [...services, HEALTH];
  return {
    transport: Transport.GRPC,
    options: {
      // grpc-js reads an IPv6 host only in brackets.
      url: `${host.includes(':') ? `[${host}]` : host}:${port}`,
      package: served.map((service) => service.package),
      protoPath: served.map((service) => service.protoFile),
      loader: PROTO_LOADER_OPTIONS,
      maxReceiveMessageLength: MAX_REQUEST_BYTES,
      maxSendMessageLength: MAX_RESPONSE_BYTES,
      keepalive: { keepaliveTimeMs: KEEPALIVE_TIME_MS, keepaliveTimeoutMs: KEEPALIVE_TIMEOUT_MS, keepalivePermitWithoutCalls: 1 },
    },
  };
}
